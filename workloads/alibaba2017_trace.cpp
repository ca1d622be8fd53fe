// Alibaba cluster-trace-v2017 batch_task (header line; create_ts, end/modify_ts, job_id,
// task_id, instance_num, status, plan_cpu per instance (100 = 1 core), plan_mem normalized
// per instance) plus its machine list server_event.csv (no header; timestamp, machine_id,
// event_type, event_detail, cpu cores, normalized memory, normalized disk).
//
// Policies (also written into the report notes):
// - Status: Terminated and Failed tasks ran and are kept with their observed time; Running
//   (its end column is a last-modified time, not an end) and Waiting (never started, no
//   plan_cpu) are censored and counted, as is a finished row without plan_cpu.
// - Arrival = create_ts. The v2017 batch_task has no start time, so duration = end_ts -
//   create_ts includes any wait in Alibaba's own scheduler (an upper bound on run time); at
//   least min_duration_s (1 s, the timestamp grain).
// - Instances: as alibaba2018, k = min(n, max_instances_per_task) TaskSpecs (every instance
//   when the cap is 0), each one instance as the trace gives it; the rest are dropped and the
//   kept share is reported. No DAGs; priority all Batch.
// - Memory: normalized 1.0 = alibaba2017_memory_gb_per_unit GB (256 by default, our
//   assumption; server_event machines are ~0.69, i.e. ~177 GB), for tasks and machines alike.
// - Machines: every "add" event defines a machine (cores and memory from the event; speed 1;
//   power unknown, left 0), ordered by machine_id. "softerror" and other events are counted
//   in the notes but not modelled: the engine's failure model is configured separately.
// - second_path defaults to server_event.csv next to the task file; if that default is
//   absent the workload has no machine list (noted). An explicit second_path must exist.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "workloads/trace_assembly.hpp"

namespace marlsim {

namespace {

enum TaskColumn : std::size_t { kCreate = 0, kEnd, kJob, kTask, kInstances, kStatus, kPlanCpu, kPlanMem, kTaskColumns };
enum ServerColumn : std::size_t { kTime = 0, kMachine, kEvent, kDetail, kCores, kMemory, kDisk, kServerColumns };

bool is_header(std::string_view line) { return !line.empty() && !(line[0] >= '0' && line[0] <= '9') && line[0] != '-'; }

void read_machines(const std::string& path, const TraceOptions& options, Workload& w) {
  WorkloadReport& rep = w.report;
  LineReader reader(path);
  LineFields f;
  std::map<std::int64_t, NodeSpec> machines;
  std::map<std::string, std::uint64_t> other_events;
  std::uint64_t duplicate_adds = 0;
  for_each_line(reader, options, rep, [&](std::string_view line) {
    if (line.empty()) return;
    f.split(line, ',');
    require_fields(reader, f, kServerColumns, "timestamp,machine_id,event_type,event_detail,cpu,mem,disk");
    const std::int64_t machine = parse_int_field(reader, f, kMachine, "machine_id");
    const std::string_view event = text_field(reader, f, kEvent, "event_type");
    if (event != "add") {
      ++other_events[std::string(event)];
      return;
    }
    NodeSpec n;
    n.cores = parse_double_field(reader, f, kCores, "cpu cores");
    const double mem = parse_double_field(reader, f, kMemory, "normalized memory");
    if (n.cores <= 0) reader.fail("field 5 (cpu cores): expected a number > 0, got " + std::to_string(n.cores));
    if (mem < 0) reader.fail("field 6 (normalized memory): expected a number >= 0, got " + std::to_string(mem));
    n.memory_gb = mem * options.alibaba2017_memory_gb_per_unit;
    if (!machines.emplace(machine, n).second) ++duplicate_adds;  // the first add defines it
  });
  if (machines.empty())
    throw InputError::at(path, fmt::format("no 'add' events in {} lines: expected the machine list "
                                           "(timestamp,machine_id,add,,cpu,mem,disk)",
                                           reader.line_number()));
  w.machines.tier_names = {"alibaba2017"};
  for (const auto& [id, node] : machines) w.machines.nodes.push_back(node);
  std::string events;
  for (const auto& [name, count] : other_events)
    events += fmt::format("{}{} {}", events.empty() ? "" : ", ", count, name);
  rep.notes.push_back(
      fmt::format("machines: {} from 'add' events of {} (speed 1, power unknown = 0); {} duplicate adds ignored; "
                  "not modelled: {}",
                  w.machines.nodes.size(), path, duplicate_adds, events.empty() ? "none" : events));
}

class Alibaba2017TraceReader final : public TraceReader {
 public:
  std::string_view format() const override { return "alibaba2017"; }
  std::string_view description() const override {
    return "Alibaba cluster-trace-v2017 batch_task CSV (+ server_event.csv machine list), plain or .gz";
  }

  Workload read(const TraceOptions& options) const override {
    options.validate();
    Workload w;
    WorkloadReport& rep = w.report;
    rep.format = "alibaba2017";
    rep.path = options.path;
    LineReader reader(options.path);
    LineFields f;
    std::vector<RawTask> raw;
    std::uint64_t failed_kept = 0, floored_cores = 0, floored_duration = 0, next_key = 0;

    for_each_line(reader, options, rep, [&](std::string_view line) {
      if (line.empty() || (reader.line_number() == 1 && is_header(line))) return;
      ++rep.records_read;
      f.split(line, ',');
      require_fields(reader, f, kTaskColumns, "create_ts,end_ts,job_id,task_id,instance_num,status,plan_cpu,plan_mem");
      const std::int64_t job = parse_int_field(reader, f, kJob, "job_id");
      const std::string_view status = text_field(reader, f, kStatus, "status");
      if (status != "Terminated" && status != "Failed")
        return rep.count_censored("status " + std::string(status) + " (did not finish)");
      if (f[kPlanCpu].empty()) return rep.count_censored("plan_cpu empty");
      const double create = parse_double_field(reader, f, kCreate, "create_ts");
      const double end = parse_double_field(reader, f, kEnd, "end_ts");
      require_trace_time(reader, "field 1 (create_ts)", create);
      require_trace_time(reader, "field 2 (end_ts)", end);
      (void)parse_int_field(reader, f, kTask, "task_id");  // validated; keys are row order
      const std::int64_t inst = parse_int_field(reader, f, kInstances, "instance_num");
      if (inst < 1) reader.fail("field 5 (instance_num): expected an integer >= 1, got " + std::to_string(inst));
      const double cpu = parse_double_field(reader, f, kPlanCpu, "plan_cpu");
      const double mem = parse_double_field_or(reader, f, kPlanMem, "plan_mem", 0.0);
      if (cpu < 0) reader.fail("field 7 (plan_cpu): expected a number >= 0, got " + std::to_string(cpu));
      if (mem < 0) reader.fail("field 8 (plan_mem): expected a number >= 0, got " + std::to_string(mem));
      if (job < 0) reader.fail("field 3 (job_id): expected an integer >= 0, got " + std::to_string(job));

      RawTask t;
      t.job = static_cast<std::uint64_t>(job);
      t.arrival_s = create;
      t.cores = cpu / 100.0;
      if (t.cores < options.min_cores) {
        t.cores = options.min_cores;
        ++floored_cores;
      }
      double duration = end - create;
      if (duration < options.min_duration_s) {
        duration = options.min_duration_s;
        ++floored_duration;
      }
      t.memory_gb = mem * options.alibaba2017_memory_gb_per_unit;
      t.priority = PriorityClass::Batch;
      const auto copies = static_cast<std::uint32_t>(
          options.max_instances_per_task == 0 ? inst : std::min<std::int64_t>(inst, options.max_instances_per_task));
      t.work_core_s = t.cores * duration;  // one instance, its own shape and run time
      rep.instances_read += static_cast<std::uint64_t>(inst);
      rep.instances_kept += copies;
      if (status == "Failed") ++failed_kept;
      if (!(create >= options.window_start_s && create < options.window_end_s)) {
        // What assembly would drop, dropped here: every instance (10.6 M) would not fit in memory.
        rep.tasks_read += copies;
        rep.outside_window += copies;
        return;
      }
      for (std::uint32_t c = 0; c < copies; ++c) {
        t.key = next_key++;
        raw.push_back(t);
      }
    });
    w.tasks = assemble_tasks(std::move(raw), options, rep);

    std::string machines_path = options.second_path;
    if (machines_path.empty()) {
      const auto fallback = std::filesystem::path(options.path).parent_path() / "server_event.csv";
      if (std::filesystem::exists(fallback)) machines_path = fallback.string();
      else rep.notes.push_back("no machine list: " + fallback.string() + " not found (set second_path)");
    }
    if (!machines_path.empty()) read_machines(machines_path, options, w);

    rep.notes.push_back(
        fmt::format("kept Terminated and Failed tasks ({} Failed, run for their observed time)", failed_kept));
    rep.notes.push_back(
        "arrival = create_ts; duration = end_ts - create_ts (no start time in v2017: includes queueing)");
    rep.notes.push_back(instances_note(options.max_instances_per_task));
    rep.notes.push_back(
        fmt::format("memory: normalized 1.0 = {} GB; priority: all batch", options.alibaba2017_memory_gb_per_unit));
    rep.notes.push_back(fmt::format("{} durations raised to {} s, {} core requests raised to {} cores",
                                    floored_duration, options.min_duration_s, floored_cores, options.min_cores));
    return w;
  }
};

}  // namespace

const TraceReader& alibaba2017_trace_reader() {
  static const Alibaba2017TraceReader reader;
  return reader;
}

}  // namespace marlsim
