// Standard Workload Format (Parallel Workloads Archive, Feitelson et al.): one job per line,
// 18 whitespace-separated fields, ';' header comments. Jobs are rigid parallel jobs.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "workloads/trace_assembly.hpp"

namespace marlsim {

namespace {

// 0-based indices of the SWF fields used (SWF numbers them from 1).
enum SwfField : std::size_t {
  kJob = 0,
  kSubmit = 1,
  kRunTime = 3,
  kAllocProcs = 4,
  kUsedMemory = 6,
  kReqProcs = 7,
  kReqMemory = 9,
  kQueue = 14,
  kPreceding = 16,
  kSwfFields = 18
};
constexpr double kGbPerKb = 1.0 / (1024.0 * 1024.0);  // SWF memory is in KB (KiB)

constexpr double kMaxId = 0x1p53;  // integers beyond 2^53 would not survive as doubles below

// What each of the 18 fields may hold (the SWF definition): -1 means "unknown" where allowed.
struct SwfFieldRule {
  std::string_view name;
  bool integer;
  bool unknown_allowed;  // -1
  double min, max;
};
constexpr SwfFieldRule kSwfRules[kSwfFields] = {
    {"job number", true, false, 0, kMaxId},
    {"submit time", false, false, 0, kMaxId},
    {"wait time", false, true, 0, kMaxId},
    {"run time", false, true, 0, kMaxId},
    {"allocated processors", true, true, 0, kMaxId},
    {"average CPU time used", false, true, 0, kMaxId},
    {"used memory", false, true, 0, kMaxId},
    {"requested processors", true, true, 0, kMaxId},
    {"requested time", false, true, 0, kMaxId},
    {"requested memory", false, true, 0, kMaxId},
    {"status", true, true, 0, 5},  // 0 failed, 1 completed, 2-4 partial executions, 5 cancelled
    {"user ID", true, true, 0, kMaxId},
    {"group ID", true, true, 0, kMaxId},
    {"executable number", true, true, 0, kMaxId},
    {"queue number", true, true, 0, kMaxId},
    {"partition number", true, true, 0, kMaxId},
    {"preceding job number", true, true, 0, kMaxId},
    {"think time from preceding job", false, true, 0, kMaxId},
};

// Parses and checks all 18 fields of a job line (type and range), naming the first bad one;
// returns them as numbers (integers are exact: they are at most 2^53).
std::array<double, kSwfFields> parse_swf_line(const LineReader& reader, const LineFields& f) {
  if (f.size() != kSwfFields) reader.fail("expected 18 fields (an SWF job record), got " + std::to_string(f.size()));
  std::array<double, kSwfFields> v{};
  for (std::size_t i = 0; i < kSwfFields; ++i) {
    const SwfFieldRule& rule = kSwfRules[i];
    v[i] = rule.integer ? static_cast<double>(parse_int_field(reader, f, i, rule.name))
                        : parse_double_field(reader, f, i, rule.name);
    if ((v[i] == -1 && rule.unknown_allowed) || (v[i] >= rule.min && v[i] <= rule.max)) continue;
    reader.fail(fmt::format("field {} ({}): expected {} {}from {:g} to {:g}, got {}", i + 1, rule.name,
                            rule.integer ? "an integer" : "a number", rule.unknown_allowed ? "(-1: unknown) or " : "",
                            rule.min, rule.max, std::string(f[i])));
  }
  return v;
}

// Header comment "; Key: value" -> value if the key matches.
bool header_value(std::string_view line, std::string_view key, std::int64_t& value) {
  line.remove_prefix(1);  // ';'
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  if (line.substr(0, key.size()) != key || line.size() <= key.size() || line[key.size()] != ':') return false;
  return parse_int(line.substr(key.size() + 1), value);
}

class SwfTraceReader final : public TraceReader {
 public:
  std::string_view format() const override { return "swf"; }
  std::string_view description() const override {
    return "Standard Workload Format (Parallel Workloads Archive), plain or .gz; one processor-pool node";
  }

  Workload read(const TraceOptions& options) const override {
    options.validate();
    Workload w;
    WorkloadReport& rep = w.report;
    rep.format = "swf";
    rep.path = options.path;
    LineReader reader(options.path);
    LineFields f;
    std::vector<RawTask> raw;
    std::int64_t max_procs = 0, max_nodes = 0;
    std::uint64_t used_memory = 0, requested_memory = 0, no_memory = 0, requested_procs = 0;
    double max_gb_per_proc = 0.0;

    for_each_line(reader, options, rep, [&](std::string_view line) {
      if (line.empty()) return;
      if (line.front() == ';') {
        std::int64_t v = 0;
        if (header_value(line, "MaxProcs", v)) max_procs = v;
        else if (header_value(line, "MaxNodes", v)) max_nodes = v;
        return;
      }
      f.split_whitespace(line);
      if (f.size() == 0) return;
      ++rep.records_read;
      const std::array<double, kSwfFields> v = parse_swf_line(reader, f);
      const auto job = static_cast<std::int64_t>(v[kJob]);
      const double submit = v[kSubmit];
      const double run = v[kRunTime];
      auto procs = static_cast<std::int64_t>(v[kAllocProcs]);
      const auto req_procs = static_cast<std::int64_t>(v[kReqProcs]);
      const double used_kb = v[kUsedMemory];
      const double req_kb = v[kReqMemory];
      const auto queue = static_cast<std::int64_t>(v[kQueue]);
      const auto preceding = static_cast<std::int64_t>(v[kPreceding]);
      require_trace_time(reader, "field 2 (submit time)", submit);
      require_trace_duration(reader, "field 4 (run time)", run);

      if (procs <= 0 && req_procs > 0) {
        procs = req_procs;  // allocated unknown (-1): the request is the best estimate
        ++requested_procs;
      }
      if (run <= 0) return rep.count_censored("run time <= 0 (cancelled before start or unknown)");
      if (procs <= 0) return rep.count_censored("processors <= 0 (allocated and requested unknown)");
      if (max_procs > 0 && procs > max_procs) return rep.count_censored("processors > MaxProcs");

      RawTask t;
      t.key = static_cast<std::uint64_t>(job);
      t.job = static_cast<std::uint64_t>(job);
      t.arrival_s = submit;
      t.cores = static_cast<double>(procs);
      t.work_core_s = run * t.cores;
      double per_proc_kb = 0.0;
      if (used_kb > 0) {
        per_proc_kb = used_kb;
        ++used_memory;
      } else if (req_kb > 0) {
        per_proc_kb = req_kb;
        ++requested_memory;
      } else {
        ++no_memory;
      }
      max_gb_per_proc = std::max(max_gb_per_proc, per_proc_kb * kGbPerKb);
      t.memory_gb = per_proc_kb * kGbPerKb * t.cores;
      // SWF queue numbers mean different things in every log; 0 is the SWF convention for
      // interactive jobs, which we treat as latency-critical. No SWF job is best-effort.
      t.priority = queue == 0 ? PriorityClass::Production : PriorityClass::Batch;
      if (preceding > 0) t.parents.push_back(static_cast<std::uint64_t>(preceding));
      raw.push_back(std::move(t));
    });

    double largest_job = 0;
    for (const auto& t : raw) largest_job = std::max(largest_job, t.cores);
    w.tasks = assemble_tasks(std::move(raw), options, rep);

    // SWF jobs are rigid and span many nodes, so the log is simulated the classic way: one
    // pool of MaxProcs processors (as EASY-backfilling SWF simulators do), not as nodes.
    NodeSpec pool;
    if (max_procs > 0) {
      pool.cores = static_cast<double>(max_procs);
    } else {
      pool.cores = largest_job;
      rep.notes.push_back(
          fmt::format("no MaxProcs header: pool size set to the largest job, {} processors", largest_job));
    }
    // Memory never binds in the pool model: the pool holds its processors times the largest
    // per-processor memory any job asked for.
    pool.memory_gb = std::max(1.0, pool.cores * max_gb_per_proc);
    pool.speed = 1.0;
    w.machines.tier_names = {"processor-pool"};
    w.machines.nodes.push_back(pool);

    rep.notes.push_back(
        fmt::format("machines: ONE processor-pool node of {} cores (MaxProcs{}), SWF jobs are rigid multi-node jobs; "
                    "use with a backfilling scheduler",
                    pool.cores, max_nodes > 0 ? fmt::format(", MaxNodes {}", max_nodes) : ""));
    rep.notes.push_back(
        fmt::format("work = run time x processors; processors = allocated, else requested ({} jobs)", requested_procs));
    rep.notes.push_back(
        fmt::format("memory = per-processor KB x processors: used ({} jobs), else requested ({}), else 0 ({})",
                    used_memory, requested_memory, no_memory));
    rep.notes.push_back("priority: queue 0 (interactive) -> production, every other queue -> batch");
    rep.notes.push_back("field 17 (preceding job) -> parent");
    return w;
  }
};

}  // namespace

const TraceReader& swf_trace_reader() {
  static const SwfTraceReader reader;
  return reader;
}

}  // namespace marlsim
