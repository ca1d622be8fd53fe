#pragma once
// A study: one scenario run over a grid of parameter axes (ranks, threads, nodes, policy,
// coordination, load, seeds, any scenario key), read from a TOML file (configs/studies/,
// slurm/*.toml; the schema is in configs/studies/README.md). It expands into runs;
// each run is one `marlsim run` with its own overrides, launched on `ranks` MPI ranks with
// `threads` OpenMP threads by `marlsim sweep` (here or on Slurm).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace marlsim {

struct StudyAxis {
  std::string name;                 // "ranks", "policy", ... or a scenario key ("workload.tasks")
  std::vector<std::string> values;  // as TOML literals ("\"random\"", "0.8", "100")
};

struct Study {
  std::string name;
  std::string description;
  std::string path;                  // the study file
  std::string scenario;              // the scenario file, absolute (relative in the file: to the study file)
  std::uint32_t episodes = 0;        // episodes per run (0: the scenario's run.episodes)
  std::vector<std::string> sets;     // fixed overrides for every run: "KEY=VALUE"
  std::vector<std::string> metrics;  // metric names collected (empty: all)
  std::vector<StudyAxis> axes;       // in expansion order (outermost first)
  std::vector<std::string> zip;      // axes that advance together instead of being crossed
  // Combinations left out: a run is dropped when it matches every (axis, value) of one entry.
  std::vector<std::vector<std::pair<std::string, std::string>>> exclude;
};

struct StudyRun {
  std::size_t index = 0;
  std::string dir;                                          // "run-0007": relative to the sweep's output directory
  std::vector<std::pair<std::string, std::string>> params;  // axis name -> value (strings unquoted)
  int ranks = 1;
  int threads = 1;
  std::vector<std::string> args;  // marlsim's arguments: run SCENARIO --quiet ... (without the launcher)
};

// The axis names a study knows besides scenario keys, in expansion order.
const std::vector<std::string>& study_axis_names();

// Scenario keys whose values name input files (a checkpoint, trace files). In a study's `set`
// and `[axes.set]` a relative path is relative to the study file (as `scenario` is); runs get it
// absolute, since each works in its own folder and `--set` paths are relative to the working
// directory. tests/unit/test_study.cpp checks the list against the scenario reader's path keys.
const std::vector<std::string>& study_path_keys();

// Reads and checks a study file. Throws InputError naming file:line and key.
Study load_study(const std::string& path);
// The same from text (tests); `origin` names it in errors and anchors a relative scenario path.
Study parse_study(const std::string& toml_text, const std::string& origin);

// Every run of the study, each one's scenario loaded with its overrides, so that a bad
// value (an unknown policy, a misspelt key) fails here, before anything runs or is submitted.
std::vector<StudyRun> expand_study(const Study& study);

}  // namespace marlsim
