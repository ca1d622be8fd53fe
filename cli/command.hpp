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

// Seeds are 0 to 2^63 - 1: a seed must round-trip through a scenario file, whose TOML
// integers are signed 64-bit. Rejects "-5" instead of wrapping it to 2^64 - 5.
const CLI::Validator& seed_validator();

std::unique_ptr<Command> make_phold_command(CLI::App& parent);
std::unique_ptr<Command> make_run_command(CLI::App& parent);
std::unique_ptr<Command> make_list_command(CLI::App& parent);
std::unique_ptr<Command> make_sweep_command(CLI::App& parent);
std::unique_ptr<Command> make_collect_command(CLI::App& parent);
std::unique_ptr<Command> make_train_command(CLI::App& parent);

}  // namespace marlsim::cli
