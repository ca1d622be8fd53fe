// marlsim: one program, several subcommands. Every rank parses the same arguments, so a
// bad option fails the same way everywhere: one line from rank 0, exit code 2.
#include <cstdio>
#include <exception>
#include <vector>

#include "cli/command.hpp"
#include "engine/support/input_error.hpp"
#include "engine/support/stop_signal.hpp"

int main(int argc, char** argv) {
  marlsim::MpiSession mpi(&argc, &argv);
  marlsim::Communicator world;
  const bool root = world.is_root();
  marlsim::install_stop_handlers();  // SIGINT/SIGTERM stop at the next window, not mid-write

  CLI::App app{"marlsim: a parallel discrete-event simulator for multi-agent RL schedulers"};
  app.require_subcommand(1);
  std::vector<std::unique_ptr<marlsim::cli::Command>> commands;
  commands.push_back(marlsim::cli::make_phold_command(app));
  commands.push_back(marlsim::cli::make_run_command(app));
  commands.push_back(marlsim::cli::make_list_command(app));
  commands.push_back(marlsim::cli::make_sweep_command(app));
  commands.push_back(marlsim::cli::make_collect_command(app));
  commands.push_back(marlsim::cli::make_train_command(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    if (root) std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    if (root) std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError& e) {
    if (root) std::fprintf(stderr, "marlsim: error: %s (see marlsim --help)\n", e.what());
    return 2;
  }

  try {
    for (auto& command : commands)
      if (command->app().parsed()) return command->run(world);
  } catch (const marlsim::RunStopped& e) {
    // Every rank stops at the same window; partial outputs are removed while unwinding.
    if (root) std::fprintf(stderr, "marlsim: %s; no output written (partial files removed)\n", e.what());
    return e.exit_code();
  } catch (const marlsim::InputError& e) {
    // Bad input is found identically on every rank (all read the same files and options).
    if (root) std::fprintf(stderr, "marlsim: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "marlsim: internal error on rank %d: %s\n", world.rank(), e.what());
    if (world.size() > 1) MPI_Abort(world.raw(), 1);
    return 1;
  }
  return 2;
}
