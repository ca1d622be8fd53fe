#include "engine/study/subprocess.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace marlsim {

namespace fs = std::filesystem;

namespace {

// NAME=VALUE entries as the program was started (before MPI_Init added its own), from
// /proc/self/environ; the current environment where that file does not exist.
std::map<std::string, std::string> startup_environment() {
  std::map<std::string, std::string> env;
  auto add = [&](const std::string& entry) {
    const auto eq = entry.find('=');
    if (eq != std::string::npos && eq > 0) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  };
  std::ifstream in("/proc/self/environ", std::ios::binary);
  if (in) {
    for (std::string entry; std::getline(in, entry, '\0');) add(entry);
  } else {
    for (char** e = environ; *e != nullptr; ++e) add(*e);
  }
  return env;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate.string();
  }
  return "";
}

pid_t start_process(const ProcessSpec& spec) {
  const std::string program = find_program(spec.argv.at(0));
  if (program.empty()) throw std::runtime_error(spec.argv[0] + ": not found on PATH");

  static const std::map<std::string, std::string> base = startup_environment();
  std::map<std::string, std::string> env = base;
  for (const auto& e : spec.env) env[e.substr(0, e.find('='))] = e.substr(e.find('=') + 1);
  std::vector<std::string> env_entries;
  for (const auto& [k, v] : env) env_entries.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_entries) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  // Relative output paths are opened after the chdir, so they are relative to cwd.
  if (!spec.stdout_path.empty())
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, spec.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
  if (!spec.stderr_path.empty())
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, spec.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(program + ": cannot start: " + std::strerror(rc));
  return pid;
}

std::pair<pid_t, int> wait_any_process() {
  int status = 0;
  const pid_t pid = waitpid(-1, &status, 0);
  if (pid < 0 && errno == EINTR) return {-1, 0};
  if (pid < 0) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
  return {pid, code};
}

Captured run_captured(const std::vector<std::string>& argv, const std::string& scratch_dir) {
  const std::string stem = ".marlsim-capture-" + std::to_string(getpid());  // unique to this process
  const std::string out = (fs::path(scratch_dir) / (stem + ".out")).string();
  const std::string err = (fs::path(scratch_dir) / (stem + ".err")).string();
  const pid_t pid = start_process({argv, {}, "", out, err});
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Captured c;
  c.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 127);
  c.out = read_file(out);
  c.err = read_file(err);
  fs::remove(out);
  fs::remove(err);
  return c;
}

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) {
    if (!line.empty()) line += ' ';
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                         "_-+=/.,:@%") == std::string::npos;
    if (plain) {
      line += a;
      continue;
    }
    line += '\'';
    for (char ch : a) line += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    line += '\'';
  }
  return line;
}

}  // namespace marlsim
