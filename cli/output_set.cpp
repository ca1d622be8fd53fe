#include "cli/output_set.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/support/atomic_write.hpp"
#include "engine/support/input_error.hpp"
#include "engine/support/stop_signal.hpp"

namespace marlsim::cli {

namespace fs = std::filesystem;

namespace {

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

// Why `path` cannot be an output file, or "" if it can (rank 0 only: it looks at the disk).
std::string path_problem(const std::string& path) {
  std::error_code ec;
  if (path.back() == '/' || fs::is_directory(path, ec)) return path + " is a folder; expected a file name";
  fs::path folder = fs::path(path).parent_path();
  if (folder.empty()) folder = ".";
  if (!fs::is_directory(folder, ec)) return "the folder " + folder.string() + " does not exist (for " + path + ")";
  const auto status = fs::status(path, ec);
  if (fs::exists(status) && !fs::is_regular_file(status))
    return path + " exists and is not a regular file (a device, FIFO or socket); expected a file name";
  return "";
}

}  // namespace

OutputSet::~OutputSet() { remove_partials(); }

void OutputSet::add_input(const std::string& path) {
  if (!path.empty()) inputs_.push_back(path);
}

std::string OutputSet::add(const std::string& option, const std::string& path) {
  if (path.empty()) return "";
  std::string partial, error;
  if (comm_.is_root()) {
    std::string problem = path_problem(path);
    for (const Output& o : outputs_)
      if (problem.empty() && same_file(path, o.path)) problem = path + " is also the output of " + o.option;
    for (const std::string& input : inputs_)
      if (problem.empty() && same_file(path, input))
        problem = path + " is the input file " + input + "; choose another name";
    try {
      if (problem.empty()) partial = create_partial_file(path);
      else error = InputError::at(option, problem).what();
    } catch (const InputError& e) {
      error = std::string(option) + ": " + e.what();
    }
  }
  comm_.broadcast(partial);
  comm_.broadcast(error);
  if (!error.empty()) throw InputError(error);
  outputs_.push_back({option, path, partial});
  return partial;
}

const OutputSet::Output* OutputSet::find(const std::string& option) const {
  for (const Output& o : outputs_)
    if (o.option == option) return &o;
  return nullptr;
}

const std::string& OutputSet::partial(const std::string& option) const {
  const Output* o = find(option);
  if (o == nullptr) throw std::logic_error("OutputSet: no output " + option);
  return o->partial;
}

void OutputSet::write_text(const std::string& option, const std::string& content) const {
  if (!comm_.is_root()) return;
  const std::string& file = partial(option);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << content;
  out.flush();
  if (!out) throw InputError::at(option, "cannot write " + file + ": " + std::strerror(errno));
}

void OutputSet::publish() {
  const int signal = static_cast<int>(comm_.allreduce_max(static_cast<SimTime>(stop_signal())));
  if (signal != 0) throw RunStopped(signal);
  std::string error;
  if (comm_.is_root()) {
    for (const Output& o : outputs_) {
      std::error_code ec;
      fs::rename(o.partial, o.path, ec);
      if (ec) {
        error = o.option + ": cannot rename " + o.partial + " to " + o.path + ": " + ec.message();
        break;
      }
    }
  }
  comm_.broadcast(error);
  if (!error.empty()) throw InputError(error);
  outputs_.clear();
}

void OutputSet::remove_partials() noexcept {
  if (comm_.is_root())
    for (const Output& o : outputs_) std::remove(o.partial.c_str());
  outputs_.clear();
}

}  // namespace marlsim::cli
