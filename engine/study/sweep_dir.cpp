#include "engine/study/sweep_dir.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/support/atomic_write.hpp"
#include "engine/support/input_error.hpp"

namespace marlsim {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

nlohmann::json run_to_json(const StudyRun& run) {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& [k, v] : run.params) params.push_back({k, v});
  return {{"index", run.index}, {"dir", run.dir},         {"params", params},
          {"ranks", run.ranks}, {"threads", run.threads}, {"args", run.args}};
}

StudyRun run_from_json(const nlohmann::json& j) {
  StudyRun run;
  run.index = j.at("index").get<std::size_t>();
  run.dir = j.at("dir").get<std::string>();
  for (const auto& p : j.at("params")) run.params.emplace_back(p.at(0).get<std::string>(), p.at(1).get<std::string>());
  run.ranks = j.at("ranks").get<int>();
  run.threads = j.at("threads").get<int>();
  run.args = j.at("args").get<std::vector<std::string>>();
  return run;
}

void write_sweep_manifest(const std::string& dir, const Study& study, const std::vector<StudyRun>& runs) {
  nlohmann::json axes = nlohmann::json::array();
  for (const auto& a : study.axes) axes.push_back(a.name);
  nlohmann::json j = {
      {"study", study.name},        {"description", study.description}, {"study_file", study.path},
      {"scenario", study.scenario}, {"metrics", study.metrics},         {"axes", axes},
      {"zip", study.zip},           {"version", MARLSIM_VERSION},       {"runs", nlohmann::json::array()}};
  for (const auto& run : runs) j["runs"].push_back(run_to_json(run));
  write_file_atomically((fs::path(dir) / "study.json").string(), j.dump(2) + "\n");
}

nlohmann::json read_sweep_manifest(const std::string& dir) {
  const fs::path path = fs::path(dir) / "study.json";
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw InputError::at(dir, "not a sweep directory (no study.json; `marlsim sweep --out` makes one)");
  try {
    return nlohmann::json::parse(read_text(path));
  } catch (const nlohmann::json::exception& e) {
    throw InputError::at(path.string(), std::string("not valid JSON: ") + e.what());
  }
}

std::optional<int> recorded_exit_status(const std::string& run_dir) {
  const fs::path path = fs::path(run_dir) / "exit_status";
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::istringstream in(read_text(path));
  int status = 0;
  if (!(in >> status)) return std::nullopt;
  return status;
}

bool run_finished(const std::string& dir, const StudyRun& run) {
  const fs::path run_dir = fs::path(dir) / run.dir;
  const auto status = recorded_exit_status(run_dir.string());
  if (!status || *status != 0) return false;
  try {
    return nlohmann::json::parse(read_text(run_dir / "run.json")) == run_to_json(run);
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

void prepare_run(const std::string& dir, const StudyRun& run) {
  const fs::path run_dir = fs::path(dir) / run.dir;
  fs::create_directories(run_dir);
  for (const char* stale : {"exit_status", "summary.json", "results.h5", "stdout.txt", "stderr.txt", "command.txt"})
    fs::remove(run_dir / stale);
  write_file_atomically((run_dir / "run.json").string(), run_to_json(run).dump(2) + "\n");
}

void record_exit_status(const std::string& run_dir, int status) {
  write_file_atomically((fs::path(run_dir) / "exit_status").string(), std::to_string(status) + "\n");
}

}  // namespace marlsim
