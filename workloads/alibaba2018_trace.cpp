// Alibaba cluster-trace-v2018 batch_task (with the DAGs encoded in task names), as a CSV
// with a header line: task_name, instance_num, job_name, task_type, status, start_time,
// end_time, plan_cpu, plan_mem.
//
// Policies (also written into the report notes):
// - DAG: "J4_2_3" is task 4 of its job, after tasks 2 and 3 of the same job ("M1", "R2_1"
//   likewise). Names without that shape ("task_Nzk3", "MergeTask") carry no DAG. Upstream
//   truncated names at 50 characters: for such names the last number may be a cut-off
//   prefix, so it is dropped and the task is counted as having an incomplete parent list.
//   Parents that are absent or censored are dropped and counted; nothing crashes.
// - Arrival: the trace has no submit times. By default every task of a job arrives at the
//   job's first start_time (the job's submission, as far as the trace shows) and the DAG
//   orders the tasks; alibaba2018_task_arrivals = true uses each task's own start_time.
// - Status: Terminated and Failed tasks ran and are kept with their observed duration;
//   Running, Waiting (and anything else) are censored and counted.
// - Duration = end_time - start_time, at least min_duration_s (1 s, the timestamp grain).
// - Instances: a task of n instances becomes an instance group of k TaskSpecs, k = n (every
//   instance) when max_instances_per_task is 0, else min(n, max_instances_per_task), each one
//   instance of plan_cpu/100 cores and the observed duration; with a cap the other n - k
//   instances are dropped and the kept share is reported. (Stretching k copies to carry all n
//   instances' work would make run times n/k times longer than the trace's.)
// - DAG edges run between instance groups: a child task's instances are released when every
//   instance of every parent group has finished (as in the trace, where a task starts after its
//   parent tasks end). Edges per instance pair would be k_parent x k_child (~2.3 billion for
//   the whole file); per group they are as many as in the trace. Not gang tasks: the trace's
//   instances start and end at different times on different machines, and a gang of up to
//   tens of thousands of instances fits no node of the node model.
// - CPU: plan_cpu 100 = 1 core. Memory: plan_mem 100 = alibaba2018_memory_gb_per_100 GB
//   (one machine; 512 GB by default, our assumption). Priority: all Batch (the batch trace
//   has no priority field).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "workloads/trace_assembly.hpp"

namespace marlsim {

namespace {

enum Column : std::size_t {
  kTaskName = 0,
  kInstances,
  kJobName,
  kTaskType,
  kStatus,
  kStart,
  kEnd,
  kPlanCpu,
  kPlanMem,
  kColumns
};
constexpr std::size_t kTruncatedNameLength = 50;  // upstream cut task names at 50 characters

struct TaskName {
  bool dag = false;          // the name has the "X<n>_<p>_<p>" shape
  std::int64_t number = -1;  // the task's own number
  std::vector<std::int64_t> parents;
  bool truncated = false;
};

TaskName parse_task_name(std::string_view name) {
  TaskName out;
  if (name.size() < 2 || name[0] < 'A' || name[0] > 'Z') return out;
  std::vector<std::int64_t> numbers;
  std::size_t i = 1;
  bool trailing_underscore = false;
  while (i < name.size()) {
    std::size_t j = i;
    while (j < name.size() && name[j] >= '0' && name[j] <= '9') ++j;
    if (j == i) {
      if (i == name.size()) break;
      return out;  // not digits where a number must be: no DAG info
    }
    std::int64_t v = 0;
    if (!parse_int(name.substr(i, j - i), v) || v >= (std::int64_t{1} << 24)) return out;
    numbers.push_back(v);
    if (j == name.size()) break;
    if (name[j] != '_') return out;
    i = j + 1;
    if (i == name.size()) trailing_underscore = true;
  }
  if (numbers.empty()) return out;
  out.dag = true;
  out.number = numbers[0];
  out.truncated = name.size() >= kTruncatedNameLength;
  if (trailing_underscore && !out.truncated) return TaskName{};  // "M1_" is not a name we know
  // A truncated name's last number may be the prefix of a longer one: drop it.
  const std::size_t keep = (out.truncated && !trailing_underscore) ? numbers.size() - 1 : numbers.size();
  out.parents.assign(numbers.begin() + 1,
                     numbers.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(keep, 1)));
  return out;
}

struct Row {
  std::uint64_t job = 0;
  TaskName name;
  double start = 0, end = 0;
  std::uint64_t instances = 1;
  double cores = 1, memory_gb = 0;
};

class Alibaba2018TraceReader final : public TraceReader {
 public:
  std::string_view format() const override { return "alibaba2018"; }
  std::string_view description() const override {
    return "Alibaba cluster-trace-v2018 batch_task CSV with DAG task names (header line), plain or .gz";
  }

  Workload read(const TraceOptions& options) const override {
    options.validate();
    Workload w;
    WorkloadReport& rep = w.report;
    rep.format = "alibaba2018";
    rep.path = options.path;
    LineReader reader(options.path);
    LineFields f;
    std::vector<Row> rows;
    std::unordered_map<std::uint64_t, double> job_start;  // job -> first start_time seen
    std::uint64_t failed_kept = 0, floored_cores = 0, floored_duration = 0, no_dag = 0;

    for_each_line(reader, options, rep, [&](std::string_view line) {
      if (reader.line_number() == 1 && line.substr(0, 9) == "task_name") return;  // header
      if (line.empty()) return;
      ++rep.records_read;
      f.split(line, ',');
      require_fields(reader, f, kColumns,
                     "task_name,instance_num,job_name,task_type,status,start_time,end_time,plan_cpu,plan_mem");
      const std::string_view job_name = text_field(reader, f, kJobName, "job_name");
      std::int64_t job = -1;
      if (job_name.substr(0, 2) != "j_" || !parse_int(job_name.substr(2), job) || job < 0 ||
          job >= (std::int64_t{1} << 39))
        reader.fail("field 3 (job_name): expected \"j_<number>\", got \"" + std::string(job_name) + "\"");
      const std::string_view status = text_field(reader, f, kStatus, "status");
      const double start = parse_double_field_or(reader, f, kStart, "start_time", 0.0);
      require_trace_time(reader, "field 6 (start_time)", start);
      if (start > 0) {
        auto [it, fresh] = job_start.try_emplace(static_cast<std::uint64_t>(job), start);
        if (!fresh) it->second = std::min(it->second, start);
      }
      if (status != "Terminated" && status != "Failed")
        return rep.count_censored("status " + std::string(status) + " (did not finish)");
      if (f[kPlanCpu].empty()) return rep.count_censored("plan_cpu empty");
      Row r;
      r.job = static_cast<std::uint64_t>(job);
      r.name = parse_task_name(text_field(reader, f, kTaskName, "task_name"));
      r.start = start;
      r.end = parse_double_field(reader, f, kEnd, "end_time");
      require_trace_time(reader, "field 7 (end_time)", r.end);
      const std::int64_t inst = parse_int_field(reader, f, kInstances, "instance_num");
      if (inst < 1) reader.fail("field 2 (instance_num): expected an integer >= 1, got " + std::to_string(inst));
      r.instances = static_cast<std::uint64_t>(inst);
      const double cpu = parse_double_field(reader, f, kPlanCpu, "plan_cpu");
      const double mem = parse_double_field_or(reader, f, kPlanMem, "plan_mem", 0.0);
      if (cpu < 0) reader.fail("field 8 (plan_cpu): expected a number >= 0, got " + std::to_string(cpu));
      if (mem < 0) reader.fail("field 9 (plan_mem): expected a number >= 0, got " + std::to_string(mem));
      r.cores = cpu / 100.0;
      if (r.cores < options.min_cores) {
        r.cores = options.min_cores;
        ++floored_cores;
      }
      r.memory_gb = mem / 100.0 * options.alibaba2018_memory_gb_per_100;
      if (status == "Failed") ++failed_kept;
      rows.push_back(std::move(r));
    });

    // Keys: each row's copies get consecutive keys; a DAG parent is found by (job, number).
    std::unordered_map<std::uint64_t, std::size_t> row_of;  // hash(job, number) -> row
    std::vector<std::uint64_t> first_key(rows.size());
    std::vector<std::uint32_t> copies(rows.size());
    std::uint64_t next_key = 0, duplicate_numbers = 0, truncated = 0;
    // Exact composite key: task numbers are below 2^24 (checked when parsing the name).
    auto dag_key = [](std::uint64_t job, std::int64_t number) {
      return (job << 24) | static_cast<std::uint64_t>(number);
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
      copies[i] = static_cast<std::uint32_t>(
          options.max_instances_per_task == 0
              ? rows[i].instances
              : std::min<std::uint64_t>(rows[i].instances, options.max_instances_per_task));
      first_key[i] = next_key;
      next_key += copies[i];
      if (!rows[i].name.dag) {
        ++no_dag;
        continue;
      }
      if (rows[i].name.truncated) ++truncated;
      if (!row_of.emplace(dag_key(rows[i].job, rows[i].name.number), i).second) ++duplicate_numbers;
    }

    std::vector<RawTask> raw;
    std::unordered_set<std::uint64_t> jobs_sampled_out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      double duration = r.end - r.start;
      if (duration < options.min_duration_s) {
        duration = options.min_duration_s;
        ++floored_duration;
      }
      RawTask t;
      t.job = r.job;
      const auto js = job_start.find(r.job);
      t.arrival_s = (options.alibaba2018_task_arrivals || js == job_start.end()) ? r.start : js->second;
      t.cores = r.cores;
      t.memory_gb = r.memory_gb;
      t.work_core_s = r.cores * duration;  // one instance, its own shape and run time
      rep.instances_read += r.instances;
      rep.instances_kept += copies[i];
      t.priority = PriorityClass::Batch;
      t.parents_incomplete = r.name.truncated;
      for (const std::int64_t p : r.name.parents) {
        const auto it = row_of.find(dag_key(r.job, p));
        if (it == row_of.end()) {
          // Absent from the file or censored: record the loss once per copy (as assembly would).
          rep.parents_dropped += copies[i];
          t.parents_incomplete = true;
          continue;
        }
        t.parents.push_back(first_key[it->second]);  // the parent's instance group, by its first instance
      }
      if (t.arrival_s >= options.window_start_s && t.arrival_s < options.window_end_s &&
          !job_sampled_in(options.seed, r.job, options.sample_jobs)) {
        // What assembly would drop, dropped before expanding: all 3.1 M instances of the file
        // would be ~400 MB of RawTasks, and a 5 % job sample needs a twentieth of them.
        if (jobs_sampled_out.insert(r.job).second) ++rep.jobs_sampled_out;
        rep.tasks_read += copies[i];
        rep.tasks_sampled_out += copies[i];
        continue;
      }
      for (std::uint32_t c = 0; c < copies[i]; ++c) {
        t.key = first_key[i] + c;
        t.instance = c;
        raw.push_back(t);
      }
    }
    w.tasks = assemble_tasks(std::move(raw), options, rep);

    rep.notes.push_back(options.alibaba2018_task_arrivals
                            ? "arrival = each task's start_time"
                            : "arrival = the job's first start_time for every task of the job; the DAG orders them");
    rep.notes.push_back(
        fmt::format("kept Terminated and Failed tasks ({} Failed, run for their observed time)", failed_kept));
    rep.notes.push_back(instances_note(options.max_instances_per_task));
    rep.notes.push_back(
        fmt::format("memory: plan_mem 100 = {} GB; priority: all batch", options.alibaba2018_memory_gb_per_100));
    rep.notes.push_back(
        fmt::format("{} task names truncated at {} characters (last parent dropped), {} without DAG info, "
                    "{} duplicate task numbers (first kept as the parent)",
                    truncated, kTruncatedNameLength, no_dag, duplicate_numbers));
    rep.notes.push_back(fmt::format("{} durations raised to {} s, {} core requests raised to {} cores",
                                    floored_duration, options.min_duration_s, floored_cores, options.min_cores));
    return w;
  }
};

}  // namespace

const TraceReader& alibaba2018_trace_reader() {
  static const Alibaba2018TraceReader reader;
  return reader;
}

}  // namespace marlsim
