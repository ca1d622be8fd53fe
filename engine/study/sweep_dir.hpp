#pragma once
// A sweep's output directory: study.json (the study and every run), and one folder per run
// holding run.json (its parameters and marlsim arguments), command.txt (the command line as
// launched), stdout.txt, stderr.txt, exit_status and its results (summary.json, results.h5).
// `marlsim sweep` writes it, `marlsim collect` and analysis/report.py read it.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/study/study.hpp"

namespace marlsim {

nlohmann::json run_to_json(const StudyRun& run);
StudyRun run_from_json(const nlohmann::json& j);

// Writes DIR/study.json (atomically).
void write_sweep_manifest(const std::string& dir, const Study& study, const std::vector<StudyRun>& runs);
// Reads DIR/study.json; throws InputError when DIR is not a sweep directory.
nlohmann::json read_sweep_manifest(const std::string& dir);

// The run's exit status as recorded, or nothing when it has not finished (or never started).
std::optional<int> recorded_exit_status(const std::string& run_dir);
// True when the run finished with exit status 0 with exactly these parameters and arguments
// (a study edited since then reruns the runs it changed).
bool run_finished(const std::string& dir, const StudyRun& run);
// Makes the run's folder ready to run: writes run.json, removes the outputs of an earlier attempt.
void prepare_run(const std::string& dir, const StudyRun& run);
// Records the exit status (atomically: a run killed half way has no exit_status file).
void record_exit_status(const std::string& run_dir, int status);

}  // namespace marlsim
