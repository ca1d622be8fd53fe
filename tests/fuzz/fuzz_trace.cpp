// libFuzzer target for one trace reader, chosen at build time (MARLSIM_FUZZ_FORMAT: swf,
// alibaba2017, alibaba2018, google2011). The input is written to a temporary file and read
// like a trace; for alibaba2017 the bytes after the first NUL are its server_event.csv.
// Any input must end in a Workload or an InputError; anything else is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/support/input_error.hpp"
#include "workloads/trace_reader.hpp"

namespace {

// A file rewritten for every input (readers take paths, not buffers).
class ScratchFile {
 public:
  explicit ScratchFile(const char* suffix) {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/marlsim-fuzz-XXXXXX" + suffix;
    fd_ = mkstemps(path_.data(), static_cast<int>(std::strlen(suffix)));
    if (fd_ < 0) std::abort();
    // Unlinked at once (libFuzzer may _Exit without running destructors); read through the fd.
    unlink(path_.c_str());
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~ScratchFile() { close(fd_); }
  const std::string& write(std::string_view bytes) {
    if (ftruncate(fd_, 0) != 0 || pwrite(fd_, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size()))
      std::abort();
    return path_;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ScratchFile trace(".csv");
  static ScratchFile second(".csv");
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  marlsim::TraceOptions options;
  options.max_tasks = 10000;  // bounds the work per input, not what is parsed
  if (std::string_view(MARLSIM_FUZZ_FORMAT) == "alibaba2017") {
    const std::size_t nul = bytes.find('\0');
    options.second_path = second.write(nul == std::string_view::npos ? std::string_view() : bytes.substr(nul + 1));
    bytes = bytes.substr(0, nul);
  }
  options.path = trace.write(bytes);
  try {
    (void)marlsim::read_trace(MARLSIM_FUZZ_FORMAT, options);
  } catch (const marlsim::InputError&) {
  }
  return 0;
}
