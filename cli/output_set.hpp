#pragma once
// The files one command writes, published together or not at all.
//
// add() checks each output path before the run starts (a file name, not a folder; its folder
// exists and is writable; an existing file there is a regular file; not the same file as an
// input or another output) and creates its partial file right away (a name unique to this run,
// made by an exclusive create). The command writes into partial(); publish() renames every
// partial into place only once all were written and no stop was requested. An OutputSet
// destroyed before publish() (an error, a stop signal) removes its partial files, so existing
// outputs are never touched by a run that did not finish. Collective: every rank calls every
// member in the same order; rank 0 touches the file system and all ranks throw the same error.
#include <string>
#include <vector>

#include "mpi/communicator.hpp"

namespace marlsim::cli {

class OutputSet {
 public:
  explicit OutputSet(const Communicator& comm) : comm_(comm) {}
  ~OutputSet();
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;

  // A file the run reads, which no output may overwrite (the scenario, trace files).
  void add_input(const std::string& path);
  // Checks `path` (named by `option` in errors, e.g. "--out") and creates its partial file.
  // Returns the partial file's name; an empty path means "no such output" (returns "").
  // Throws InputError.
  std::string add(const std::string& option, const std::string& path);

  bool has(const std::string& option) const { return find(option) != nullptr; }
  // Where the output of `option` is written until publish().
  const std::string& partial(const std::string& option) const;
  // Rank 0 writes `content` into the partial file of `option`.
  void write_text(const std::string& option, const std::string& content) const;
  // Renames every partial file into place; throws RunStopped instead if any rank has a stop
  // request (a run stopped after its last window publishes nothing either).
  void publish();

 private:
  struct Output {
    std::string option, path, partial;
  };
  const Output* find(const std::string& option) const;
  void remove_partials() noexcept;

  const Communicator& comm_;
  std::vector<std::string> inputs_;
  std::vector<Output> outputs_;
};

}  // namespace marlsim::cli
