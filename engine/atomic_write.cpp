#include "engine/atomic_write.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "engine/input_error.hpp"

namespace marlsim {

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError::at(path, std::string("cannot write: ") + std::strerror(errno));
    out << content;
    out.flush();
    if (!out) {
      std::remove(partial.c_str());
      throw InputError::at(path, "write failed");
    }
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(partial.c_str());
    throw InputError::at(path, "cannot rename into place: " + why);
  }
}

}  // namespace marlsim
