// Google clusterdata-2011-2 task_events (no header; timestamp us, missing info, job ID, task
// index, machine ID, event type, user, scheduling class, priority, CPU request, memory
// request, disk request, different-machine constraint; empty fields occur).
//
// Path: a task_events part file, or a folder holding task_events/ (every
// part-*-of-*.csv[.gz] inside is read in name order, i.e. time order; the shards must be
// consecutive for events of one task to meet).
//
// Policies (also written into the report notes):
// - Arrival = the task's first SUBMIT. Duration = its (last) FINISH minus the SCHEDULE
//   before it, at reference speed (the trace does not say how fast each machine was).
// - Censored and counted: tasks submitted at timestamp 0 (before the trace window: their
//   arrival is unknown and most were already running), tasks with no SUBMIT in the files
//   read, tasks whose first event in the files read is not SUBMIT (a resubmission of a task
//   that began before them: its first SUBMIT is a later resubmission, not its arrival), tasks
//   whose last event is not FINISH (EVICT, FAIL, KILL, LOST: did not complete;
//   SUBMIT, SCHEDULE, UPDATE: still pending or running when the files end), a FINISH with no
//   SCHEDULE before it, and tasks that never state a CPU request.
// - Requests: the last non-empty value seen for the task (UPDATE events may change them).
//   CPU 1.0 = google_cores_per_unit cores (32 by default), memory 1.0 =
//   google_memory_gb_per_unit GB (64 by default): the trace normalizes by the largest
//   machine and does not publish its size, so both are our assumptions. A CPU request of 0
//   becomes min_cores.
// - Priority: 0-1 (free) -> best-effort, 2-8 -> batch, 9-11 (production, monitoring) ->
//   production, following the trace's schema document.
// - job_events is not read: every field used here (priority, requests, scheduling class) is
//   per task in task_events, and the job-level submit/finish times add nothing a task-level
//   stream needs.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "workloads/trace_assembly.hpp"

namespace marlsim {

namespace {

enum Column : std::size_t {
  kTime = 0,
  kMissing,
  kJob,
  kIndex,
  kMachine,
  kEvent,
  kUser,
  kClass,
  kPriority,
  kCpu,
  kMemory,
  kDisk,
  kConstraint,
  kColumns
};
enum Event : int { kSubmit = 0, kSchedule = 1, kEvict = 2, kFail = 3, kFinish = 4, kKill = 5, kLost = 6 };

struct TaskState {
  std::uint64_t job = 0;
  int first_event = -1;
  std::int64_t first_submit = -1;  // microseconds
  std::int64_t last_schedule = -1;
  std::int64_t run_us = -1;  // FINISH - SCHEDULE of the last completion
  bool finish_unscheduled = false;
  int last_event = -1;
  int priority = -1;
  double cpu = -1, memory = -1;
};

PriorityClass google_priority(int p) {
  if (p <= 1) return PriorityClass::BestEffort;
  if (p <= 8) return PriorityClass::Batch;
  return PriorityClass::Production;
}

std::vector<std::string> task_event_files(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return {path};  // a file (LineReader reports it if missing)
  fs::path dir = fs::path(path) / "task_events";
  if (!fs::is_directory(dir, ec)) dir = path;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.rfind("part-", 0) == 0 && name.find(".csv") != std::string::npos)
      files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class Google2011TraceReader final : public TraceReader {
 public:
  std::string_view format() const override { return "google2011"; }
  std::string_view description() const override {
    return "Google clusterdata-2011-2 task_events (a part file, or the folder holding task_events/)";
  }

  Workload read(const TraceOptions& options) const override {
    options.validate();
    Workload w;
    WorkloadReport& rep = w.report;
    rep.format = "google2011";
    rep.path = options.path;
    const auto files = task_event_files(options.path);
    if (files.empty())
      throw InputError::at(options.path, "expected task_events/part-*-of-*.csv.gz files in this folder, found none");

    std::vector<TaskState> tasks;
    std::unordered_map<std::uint64_t, std::uint32_t> index_of;  // (job << 20 | task index) -> tasks[]
    LineFields f;
    for (const auto& file : files) {
      LineReader reader(file);
      for_each_line(reader, options, rep, [&](std::string_view line) {
        if (line.empty()) return;
        ++rep.records_read;
        f.split(line, ',');
        require_fields(reader, f, kColumns, "13 task_events columns");
        const std::int64_t ts = parse_int_field(reader, f, kTime, "timestamp");
        const std::int64_t job = parse_int_field(reader, f, kJob, "job ID");
        const std::int64_t index = parse_int_field(reader, f, kIndex, "task index");
        const std::int64_t event = parse_int_field(reader, f, kEvent, "event type");
        if (ts < 0) reader.fail("field 1 (timestamp): expected an integer >= 0, got " + std::to_string(ts));
        if (job < 0 || job >= (std::int64_t{1} << 43))
          reader.fail("field 3 (job ID): expected an integer in [0, 2^43), got " + std::to_string(job));
        if (index < 0 || index >= (std::int64_t{1} << 20))
          reader.fail("field 4 (task index): expected an integer in [0, 2^20), got " + std::to_string(index));
        if (event < 0 || event > 8)
          reader.fail("field 6 (event type): expected an integer 0-8, got " + std::to_string(event));
        if (event == kSubmit) require_trace_time(reader, "field 1 (timestamp, SUBMIT)", static_cast<double>(ts) * 1e-6);
        const double priority = parse_double_field_or(reader, f, kPriority, "priority", -1);
        const double cpu = parse_double_field_or(reader, f, kCpu, "CPU request", -1);
        const double memory = parse_double_field_or(reader, f, kMemory, "memory request", -1);
        if (priority != -1 && (priority < 0 || priority > 11))
          reader.fail("field 9 (priority): expected an integer 0-11, got " + std::to_string(priority));

        const std::uint64_t key = (static_cast<std::uint64_t>(job) << 20) | static_cast<std::uint64_t>(index);
        auto [it, fresh] = index_of.try_emplace(key, static_cast<std::uint32_t>(tasks.size()));
        if (fresh) {
          tasks.emplace_back();
          tasks.back().job = static_cast<std::uint64_t>(job);
        }
        TaskState& t = tasks[it->second];
        if (t.first_event < 0) t.first_event = static_cast<int>(event);
        switch (static_cast<int>(event)) {
          case kSubmit:
            if (t.first_submit < 0) t.first_submit = ts;
            break;
          case kSchedule: t.last_schedule = ts; break;
          case kFinish:
            if (t.last_schedule >= 0) t.run_us = ts - t.last_schedule;
            else t.finish_unscheduled = true;
            break;
          default: break;
        }
        t.last_event = static_cast<int>(event);
        if (priority >= 0) t.priority = static_cast<int>(priority);
        if (cpu >= 0) t.cpu = cpu;
        if (memory >= 0) t.memory = memory;
      });
    }

    std::vector<RawTask> raw;
    std::uint64_t floored_cores = 0, floored_duration = 0;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      const TaskState& s = tasks[i];
      if (s.first_submit == 0) {
        rep.count_censored("submitted before the trace window (timestamp 0)");
        continue;
      }
      if (s.first_submit < 0) {
        rep.count_censored("no SUBMIT in the files read");
        continue;
      }
      if (s.first_event != kSubmit) {
        rep.count_censored("first event not SUBMIT (resubmission of a task begun before the files read)");
        continue;
      }
      if (s.last_event != kFinish) {
        switch (s.last_event) {
          case kEvict: rep.count_censored("last event EVICT (did not complete)"); break;
          case kFail: rep.count_censored("last event FAIL (did not complete)"); break;
          case kKill: rep.count_censored("last event KILL (did not complete)"); break;
          case kLost: rep.count_censored("last event LOST (did not complete)"); break;
          default: rep.count_censored("still pending or running when the files end"); break;
        }
        continue;
      }
      if (s.run_us < 0) {
        rep.count_censored("FINISH without a SCHEDULE in the files read");
        continue;
      }
      if (s.cpu < 0) {
        rep.count_censored("no CPU request stated");
        continue;
      }
      RawTask t;
      t.key = i;
      t.job = s.job;
      t.arrival_s = static_cast<double>(s.first_submit) * 1e-6;
      t.cores = s.cpu * options.google_cores_per_unit;
      if (t.cores < options.min_cores) {
        t.cores = options.min_cores;
        ++floored_cores;
      }
      double duration = static_cast<double>(s.run_us) * 1e-6;
      if (duration < options.min_duration_s) {
        duration = options.min_duration_s;
        ++floored_duration;
      }
      t.work_core_s = t.cores * duration;
      t.memory_gb = std::max(0.0, s.memory) * options.google_memory_gb_per_unit;
      t.priority = google_priority(s.priority < 0 ? 2 : s.priority);
      raw.push_back(std::move(t));
    }
    w.tasks = assemble_tasks(std::move(raw), options, rep);

    rep.notes.push_back(fmt::format("read {} task_events file(s); {} distinct tasks", files.size(), tasks.size()));
    rep.notes.push_back(
        "arrival = first SUBMIT; duration = FINISH - preceding SCHEDULE; tasks that did not finish "
        "inside the files, were submitted before the trace window, or whose first event read is not "
        "SUBMIT (resubmissions), are censored");
    rep.notes.push_back(fmt::format("CPU 1.0 = {} cores, memory 1.0 = {} GB (assumed machine size)",
                                    options.google_cores_per_unit, options.google_memory_gb_per_unit));
    rep.notes.push_back("priority: 0-1 -> best-effort, 2-8 -> batch, 9-11 -> production (missing -> batch)");
    rep.notes.push_back("job_events not read: priority, class and requests are per task in task_events");
    rep.notes.push_back(fmt::format("{} durations raised to {} s, {} core requests raised to {} cores",
                                    floored_duration, options.min_duration_s, floored_cores, options.min_cores));
    return w;
  }
};

}  // namespace

const TraceReader& google2011_trace_reader() {
  static const Google2011TraceReader reader;
  return reader;
}

}  // namespace marlsim
