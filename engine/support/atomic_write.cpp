#include "engine/support/atomic_write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "engine/support/input_error.hpp"

namespace marlsim {

std::string create_partial_file(const std::string& path) {
  static const char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device entropy;
  std::mt19937_64 gen((static_cast<std::uint64_t>(entropy()) << 32) ^ static_cast<std::uint64_t>(getpid()));
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string partial = path;
    partial += '.';
    for (int i = 0; i < 8; ++i) partial += kDigits[gen() % 36];
    partial += ".partial";
    const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      return partial;
    }
    if (errno == EEXIST) continue;
    const std::string why = std::strerror(errno);
    std::filesystem::path folder = std::filesystem::path(path).parent_path();
    if (folder.empty()) folder = ".";
    std::error_code ec;
    const bool missing = !std::filesystem::is_directory(folder, ec);  // (/proc exists but says ENOENT)
    std::string what = missing ? "the folder " : "cannot create a file in the folder ";
    what += folder.string();
    what += missing ? " does not exist" : ": " + why;
    throw InputError::at(path, what);
  }
  throw InputError::at(path, "cannot create a unique partial file beside it (100 names taken)");
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string partial = create_partial_file(path);
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
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
