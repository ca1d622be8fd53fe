#pragma once
// A subcommand of `marlsim`: it declares its options on construction and runs when chosen.
// Adding one is a new file plus one line in main.cpp.
#include <CLI/CLI.hpp>

#include <memory>

#include "mpi/communicator.hpp"

namespace marlsim::cli {

class Command {
 public:
  virtual ~Command() = default;
  virtual const CLI::App& app() const = 0;
  // Runs on every rank; returns the process exit code.
  virtual int run(const Communicator& comm) = 0;
};

std::unique_ptr<Command> make_phold_command(CLI::App& parent);
std::unique_ptr<Command> make_run_command(CLI::App& parent);
std::unique_ptr<Command> make_list_command(CLI::App& parent);
std::unique_ptr<Command> make_sweep_command(CLI::App& parent);
std::unique_ptr<Command> make_collect_command(CLI::App& parent);

}  // namespace marlsim::cli
