#pragma once
// Helpers for the [workloads] tests: a private temp directory (bad-input files are written
// there, never into the repo) and the location of the shared public traces.
#include <zlib.h>

#include <unistd.h>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

namespace marlsim::test {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("marlsim-workloads-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string write_gz(const std::string& name, const std::string& text) const {
    const auto p = (path_ / name).string();
    gzFile gz = gzopen(p.c_str(), "wb");
    gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
    gzclose(gz);
    return p;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string shared_trace(const std::string& relative) {
  return std::string(MARLSIM_SHARED_DIR) + "/traces/" + relative;
}
inline bool have_shared_trace(const std::string& relative) { return std::filesystem::exists(shared_trace(relative)); }

}  // namespace marlsim::test

// Skips the rest of a test case when a shared trace is missing (a checkout without ../shared).
#define MARLSIM_REQUIRE_TRACE(relative)                                                        \
  do {                                                                                         \
    if (!marlsim::test::have_shared_trace(relative)) {                                         \
      WARN("skipped: shared trace " << marlsim::test::shared_trace(relative) << " not found"); \
      return;                                                                                  \
    }                                                                                          \
  } while (0)
