// Scenario files: strict TOML parsing into engine/experiment/scenario.hpp's Scenario. The schema is
// documented for users in configs/README.md; keep the two in step.
//
// How it works: the file is parsed into a toml::table, the `--set key=value` overrides are
// written into that tree (so a value from the command line gets exactly the checks a value
// from the file gets), and then every table is read by a TableReader that knows its keys:
// whatever is left over in a table is an unknown key and an error. Finally the embedded
// configs' validate() methods run, and their messages are rewritten to name the scenario
// file, the line and the TOML key.
#include <fmt/format.h>

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "agents/admission_policy.hpp"
#include "agents/policy_registry.hpp"
#include "agents/queue_discipline.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/support/did_you_mean.hpp"
#include "engine/support/input_error.hpp"

namespace marlsim {

namespace {

namespace fs = std::filesystem;

// Trace formats whose reader also returns the trace's machines (cluster.source = "trace").
constexpr std::array<std::string_view, 2> kFormatsWithMachines{"alibaba2017", "swf"};

std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string join_key(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

std::string suggestion(std::string_view got, const std::vector<std::string>& valid) { return did_you_mean(got, valid); }

std::string format_number(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return fmt::format("{}", x);
}

// How a value looks in an error: `"star"`, `-5`, `true`, `an array`, `a table`.
std::string describe(const toml::node& node) {
  if (const auto* s = node.as_string()) return "\"" + s->get() + "\"";
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* f = node.as_floating_point()) return format_number(f->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (node.is_array()) {
    std::ostringstream out;
    out << *node.as_array();
    return "the array " + out.str();
  }
  if (node.is_table()) return "a table";
  return "a date/time";
}

struct Context {
  std::string origin;  // the scenario file's name as given (used in every message)
  fs::path base_dir;   // relative trace paths in the file are resolved against it
  toml::table* root = nullptr;
  std::map<std::string, std::string> overrides;  // dotted key -> the `--set` text that set it

  // The override that set `key` or a table or value containing it, if any.
  const std::string* override_for(const std::string& key) const {
    for (const auto& [k, text] : overrides)
      if (key == k || key.starts_with(k + ".") || key.starts_with(k + "[") || k.starts_with(key + ".")) return &text;
    return nullptr;
  }

  // "FILE:LINE: KEY: WHAT", or "FILE: --set K=V: KEY: WHAT" when an override set the value.
  [[noreturn]] void fail(const std::string& key, const toml::node* node, const std::string& what) const {
    const std::string body = key.empty() ? what : key + ": " + what;
    if (const std::string* o = override_for(key)) throw InputError::at(origin, "--set " + *o + ": " + body);
    if (node != nullptr && node->source().begin.line > 0)
      throw InputError::at_line(origin, node->source().begin.line, body);
    throw InputError::at(origin, body);
  }
};

// Reads one TOML table; every key it is asked about becomes a known key, and finish()
// rejects whatever else the table holds. A missing table reads as empty (all defaults).
class TableReader {
 public:
  TableReader(const Context& ctx, const toml::table* table, std::string prefix)
      : ctx_(ctx), table_(table), prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }
  std::string key(std::string_view k) const { return join_key(prefix_, k); }
  const toml::table* table() const { return table_; }

  // The node at `k` (nullptr if absent); marks `k` as a known key of this table.
  const toml::node* node(std::string_view k) {
    known_.emplace_back(k);
    return table_ != nullptr ? table_->get(k) : nullptr;
  }
  bool has(std::string_view k) const { return table_ != nullptr && table_->contains(k); }

  [[noreturn]] void fail(std::string_view k, const toml::node* n, const std::string& what) const {
    ctx_.fail(key(k), n, what);
  }

  // A reader for a table that is not a key of this one (an element of an array of tables).
  TableReader element(const toml::table* t, const std::string& dotted) const { return TableReader(ctx_, t, dotted); }

  TableReader sub(std::string_view k) {
    const toml::node* n = node(k);
    if (n != nullptr && !n->is_table()) fail(k, n, "expected a table, got " + describe(*n));
    return TableReader(ctx_, n != nullptr ? n->as_table() : nullptr, key(k));
  }

  // A number (integer or float). `ok` says whether the value is in range, `expected` what is.
  void number(std::string_view k, double& out, const std::function<bool(double)>& ok = nullptr,
              const std::string& expected = "a finite number") {
    const toml::node* n = node(k);
    if (n == nullptr) return;
    double v = 0;
    if (const auto* i = n->as_integer()) v = static_cast<double>(i->get());
    else if (const auto* f = n->as_floating_point()) v = f->get();
    else fail(k, n, "expected a number (" + expected + "), got " + describe(*n));
    const bool in_range = ok ? ok(v) : std::isfinite(v);
    if (!in_range) fail(k, n, "expected " + expected + ", got " + format_number(v));
    out = v;
  }
  void positive(std::string_view k, double& out) {
    number(
        k, out, [](double v) { return std::isfinite(v) && v > 0; }, "a number > 0");
  }
  void non_negative(std::string_view k, double& out) {
    number(
        k, out, [](double v) { return std::isfinite(v) && v >= 0; }, "a number >= 0");
  }
  // Simulated time is int64 nanoseconds (about 292 years): a duration must be at least
  // 1 ns (shorter ones round to 0) and at most 1e9 s (31 years), which leaves room to add.
  void duration(std::string_view k, double& out) {
    number(
        k, out, [](double v) { return v >= 1e-9 && v <= 1e9; }, "a duration in seconds from 1e-9 (1 ns) to 1e9");
  }
  // The same, or 0 for "off".
  void duration_or_zero(std::string_view k, double& out) {
    number(
        k, out, [](double v) { return v == 0 || (v >= 1e-9 && v <= 1e9); },
        "0 (off) or a duration in seconds from 1e-9 (1 ns) to 1e9");
  }

  // A whole number in [lo, hi]; integral floats (1e4) are accepted.
  template <typename T>
  void integer(std::string_view k, T& out, std::uint64_t lo = 0, std::uint64_t hi = std::numeric_limits<T>::max()) {
    const toml::node* n = node(k);
    if (n == nullptr) return;
    // ">= lo" is what users need to know; the upper bound only matters when it is hit.
    std::string expected = fmt::format("an integer >= {}", lo);
    long double v = 0;
    if (const auto* i = n->as_integer()) v = static_cast<long double>(i->get());
    else if (const auto* f = n->as_floating_point()) {
      v = f->get();
      if (!std::isfinite(f->get()) || std::floor(f->get()) != f->get())
        fail(k, n, "expected " + expected + ", got " + format_number(f->get()));
    } else {
      fail(k, n, "expected " + expected + ", got " + describe(*n));
    }
    if (v > static_cast<long double>(hi)) expected = fmt::format("an integer in [{}, {}]", lo, hi);
    if (v < static_cast<long double>(lo) || v > static_cast<long double>(hi))
      fail(k, n, "expected " + expected + ", got " + describe(*n));
    out = static_cast<T>(v);
  }

  void boolean(std::string_view k, bool& out) {
    const toml::node* n = node(k);
    if (n == nullptr) return;
    if (const auto* b = n->as_boolean()) out = b->get();
    else fail(k, n, "expected true or false, got " + describe(*n));
  }

  void string(std::string_view k, std::string& out) {
    const toml::node* n = node(k);
    if (n == nullptr) return;
    if (const auto* s = n->as_string()) out = s->get();
    else fail(k, n, "expected a string, got " + describe(*n));
  }

  // A string that must be one of `valid`; returns its index (or `current` if absent).
  std::size_t choice(std::string_view k, const std::vector<std::string>& valid, std::size_t current) {
    std::string s;
    if (!has(k)) {
      node(k);
      return current;
    }
    string(k, s);
    for (std::size_t i = 0; i < valid.size(); ++i)
      if (valid[i] == s) return i;
    fail(k, table_->get(k), "expected one of " + join(valid) + "; got \"" + s + "\"" + suggestion(s, valid));
  }

  // [lo, hi] as a two-number array, or one number for lo = hi.
  void range(std::string_view k, ValueRange& out) {
    const toml::node* n = node(k);
    if (n == nullptr) return;
    auto as_number = [](const toml::node& e, double& v) {
      if (const auto* i = e.as_integer()) return v = static_cast<double>(i->get()), true;
      if (const auto* f = e.as_floating_point()) return v = f->get(), true;
      return false;
    };
    double lo = 0, hi = 0;
    if (as_number(*n, lo)) {
      hi = lo;
    } else if (const auto* a = n->as_array();
               a != nullptr && a->size() == 2 && as_number(*a->get(0), lo) && as_number(*a->get(1), hi)) {
    } else {
      fail(k, n, "expected [lo, hi] (two numbers) or one number, got " + describe(*n));
    }
    out = {lo, hi};
  }

  // Rejects keys nobody asked about, listing the known ones (and the closest, if close).
  void finish() const {
    if (table_ == nullptr) return;
    std::vector<std::string> known = known_;
    std::sort(known.begin(), known.end());
    known.erase(std::unique(known.begin(), known.end()), known.end());
    for (const auto& [k, n] : *table_) {
      const std::string_view name = k.str();
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      const std::string where = prefix_.empty() ? "the top level" : "[" + prefix_ + "]";
      ctx_.fail(key(name), &n,
                "unknown key" + suggestion(name, known) + "; known keys of " + where + ": " + join(known));
    }
  }

 private:
  const Context& ctx_;
  const toml::table* table_;
  std::string prefix_;
  std::vector<std::string> known_;
};

// A table of the three priority classes: { production = x, batch = y, best-effort = z }.
void priority_table(TableReader& parent, std::string_view k, std::array<double, kPriorityClasses>& out,
                    const std::function<bool(double)>& ok, const std::string& expected) {
  TableReader t = parent.sub(k);
  for (int p = 0; p < kPriorityClasses; ++p)
    t.number(priority_name(static_cast<PriorityClass>(p)), out[p], ok, expected);
  t.finish();
}

// ---- [cluster] ------------------------------------------------------------------------

void read_tier(TableReader& t, NodeTierConfig& tier, bool is_new) {
  if (is_new) {
    for (const char* required : {"fraction", "cores", "memory_gb", "idle_power_w", "dynamic_power_w"})
      if (!t.has(required))
        t.fail(required, t.table(),
               "missing: a tier not among the defaults (high, medium, low) needs fraction, cores, memory_gb, "
               "idle_power_w and dynamic_power_w (speed defaults to 1)");
    tier.speed = {1.0, 1.0};
  }
  t.number(
      "fraction", tier.fraction, [](double v) { return std::isfinite(v) && v >= 0; }, "a share >= 0");
  t.range("cores", tier.cores);
  t.range("memory_gb", tier.memory_gb);
  t.range("idle_power_w", tier.idle_power_w);
  t.range("dynamic_power_w", tier.dynamic_power_w);
  t.range("speed", tier.speed);
  t.finish();
}

void read_cluster(TableReader c, ClusterConfig& cluster) {
  static const std::vector<std::string> kSources{"seed-study", "trace"};
  cluster.source = kSources[c.choice("source", kSources, cluster.source == "trace" ? 1 : 0)];
  const bool from_trace = cluster.source == "trace";

  if (from_trace && c.has("nodes"))
    c.fail("nodes", c.table()->get("nodes"),
           "applies only to cluster.source = \"seed-study\" (with \"trace\", the trace's machines are the cluster)");
  c.integer("nodes", cluster.generated.nodes, 1);

  if (from_trace && c.has("tiers"))
    c.fail("tiers", c.table()->get("tiers"), "applies only to cluster.source = \"seed-study\"");
  TableReader tiers = c.sub("tiers");
  if (tiers.table() != nullptr) {
    // Tables are read in key order (toml++ keeps them sorted): named default tiers are
    // changed in place, other names are appended as new tiers in alphabetical order.
    for (const auto& [k, n] : *tiers.table()) {
      const std::string name(k.str());
      if (!n.is_table()) tiers.fail(name, &n, "expected a table of tier ranges, got " + describe(n));
      auto it = std::find_if(cluster.generated.tiers.begin(), cluster.generated.tiers.end(),
                             [&](const NodeTierConfig& t) { return t.name == name; });
      const bool is_new = it == cluster.generated.tiers.end();
      if (is_new) {
        cluster.generated.tiers.push_back(NodeTierConfig{});
        cluster.generated.tiers.back().name = name;
        it = std::prev(cluster.generated.tiers.end());
      }
      TableReader t = tiers.sub(name);
      read_tier(t, *it, is_new);
    }
  }
  tiers.finish();

  if (from_trace && c.has("new_per_episode"))
    c.fail("new_per_episode", c.table()->get("new_per_episode"),
           "applies only to cluster.source = \"seed-study\" (a trace's machines are fixed)");
  c.boolean("new_per_episode", cluster.new_per_episode);
  c.duration("network_latency_s", cluster.network_latency_s);
  c.non_negative("trace_idle_power_w_per_core", cluster.trace_idle_power_w_per_core);
  c.non_negative("trace_dynamic_power_w_per_core", cluster.trace_dynamic_power_w_per_core);

  TableReader f = c.sub("failures");
  static const std::vector<std::string> kLifetimes{"none", "exponential", "weibull"};
  static const std::vector<std::string> kRepairs{"exponential", "weibull"};
  FailureConfig& fc = cluster.failures;
  fc.distribution = static_cast<LifetimeDistribution>(
      f.choice("distribution", kLifetimes, static_cast<std::size_t>(fc.distribution)));
  // Below a second every node fails almost at once and for ever: not a useful scenario.
  f.number(
      "mtbf_s", fc.mtbf_s, [](double v) { return v >= 1 && v <= 1e9; }, "a mean time in seconds from 1 to 1e9");
  f.positive("weibull_shape", fc.weibull_shape);
  fc.repair_distribution = static_cast<LifetimeDistribution>(
      1 + f.choice("repair_distribution", kRepairs, static_cast<std::size_t>(fc.repair_distribution) - 1));
  f.duration("mttr_s", fc.mttr_s);
  if (fc.distribution != LifetimeDistribution::None && !(fc.mtbf_s > 0))
    f.fail("mtbf_s", f.table(),
           "expected a number > 0 when failures.distribution is not \"none\", got " + format_number(fc.mtbf_s));
  f.finish();

  c.finish();
}

// ---- [workload] -----------------------------------------------------------------------

// Keys of [workload] that only the synthetic generator reads.
const std::vector<std::string>& synthetic_keys() {
  static const std::vector<std::string> keys{"tasks",
                                             "runtime_pareto_alpha",
                                             "runtime_min_s",
                                             "runtime_max_s",
                                             "cpu_mu",
                                             "cpu_sigma",
                                             "cpu_min",
                                             "cpu_max",
                                             "memory_mu",
                                             "memory_sigma",
                                             "memory_min_gb",
                                             "memory_max_gb",
                                             "priority_mix",
                                             "arrival_rate_per_s",
                                             "target_utilization",
                                             "profile"};
  return keys;
}

void read_profile(TableReader p, ArrivalProfile& profile) {
  p.number(
      "diurnal_amplitude", profile.diurnal_amplitude, [](double v) { return v >= 0 && v <= 1; }, "a value in [0, 1]");
  p.duration("diurnal_period_s", profile.diurnal_period_s);
  p.number("diurnal_phase", profile.diurnal_phase);
  p.non_negative("burst_rate_per_s", profile.burst_rate_per_s);
  p.duration("burst_mean_duration_s", profile.burst_mean_duration_s);
  // A burst multiplies the arrival rate; beyond 1000x the generator's work grows without
  // bound (a multiplier of 1e7 took 55 s, 2^32 would take hours) for no meaningful load.
  const auto multiplier = [](double v) { return v >= 0 && v <= 1000; };
  p.number("burst_multiplier", profile.burst_multiplier, multiplier, "a multiplier from 0 to 1000");
  if (const toml::node* b = p.node("bursts")) {
    const toml::array* arr = b->as_array();
    if (arr == nullptr)
      p.fail("bursts", b, "expected an array of tables {start_s, duration_s, multiplier}, got " + describe(*b));
    profile.bursts.clear();
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::node* e = arr->get(i);
      const std::string name = fmt::format("bursts[{}]", i);
      if (!e->is_table()) p.fail(name, e, "expected a table {start_s, duration_s, multiplier}, got " + describe(*e));
      TableReader t = p.element(e->as_table(), p.key(name));
      Burst burst;
      t.non_negative("start_s", burst.start_s);
      t.non_negative("duration_s", burst.duration_s);
      t.number("multiplier", burst.multiplier, multiplier, "a multiplier from 0 to 1000");
      for (const char* required : {"start_s", "duration_s", "multiplier"})
        if (!t.has(required)) t.fail(required, e, "missing: every burst needs start_s, duration_s and multiplier");
      t.finish();
      profile.bursts.push_back(burst);
    }
  }
  p.finish();
}

void read_sla(TableReader s, SlaPolicy& sla) {
  priority_table(
      s, "slack_factor", sla.slack_factor, [](double v) { return std::isfinite(v) && v >= 0; }, "a number >= 0");
  s.non_negative("constant_s", sla.constant_s);
  s.finish();
}

void read_trace(TableReader t, TraceOptions& trace) {
  t.string("path", trace.path);
  t.string("second_path", trace.second_path);
  t.number(
      "window_start_s", trace.window_start_s, [](double v) { return !std::isnan(v) && v < HUGE_VAL; },
      "a number or -inf");
  t.number(
      "window_end_s", trace.window_end_s, [](double v) { return !std::isnan(v) && v > -HUGE_VAL; }, "a number or inf");
  t.positive("compress", trace.compress);
  t.number(
      "sample_jobs", trace.sample_jobs, [](double v) { return v > 0 && v <= 1; }, "a fraction in (0, 1]");
  t.integer("seed", trace.seed);
  t.boolean("skip_bad_lines", trace.skip_bad_lines);
  t.integer("max_tasks", trace.max_tasks);
  t.positive("min_cores", trace.min_cores);
  t.duration("min_duration_s", trace.min_duration_s);
  t.integer("max_instances_per_task", trace.max_instances_per_task);
  t.boolean("alibaba2018_task_arrivals", trace.alibaba2018_task_arrivals);
  t.positive("alibaba2018_memory_gb_per_100", trace.alibaba2018_memory_gb_per_100);
  t.positive("alibaba2017_memory_gb_per_unit", trace.alibaba2017_memory_gb_per_unit);
  t.positive("google_cores_per_unit", trace.google_cores_per_unit);
  t.positive("google_memory_gb_per_unit", trace.google_memory_gb_per_unit);
  t.finish();
}

std::vector<std::string> workload_kinds() {
  std::vector<std::string> kinds{"synthetic"};
  for (const auto name : trace_format_names()) kinds.emplace_back(name);
  return kinds;
}

// Returns whether [workload.trace] set its own seed (else it follows run.seed).
bool read_workload(TableReader w, WorkloadConfig& workload) {
  const std::vector<std::string> kinds = workload_kinds();
  const std::size_t current = static_cast<std::size_t>(std::find(kinds.begin(), kinds.end(), workload.kind) -
                                                       kinds.begin());
  workload.kind = kinds[w.choice("kind", kinds, current < kinds.size() ? current : 0)];
  const bool synthetic = workload.kind == "synthetic";

  // Keys that could have no effect are errors, not silently ignored settings.
  if (!synthetic)
    for (const auto& k : synthetic_keys())
      if (w.has(k))
        w.fail(k, w.table()->get(k),
               "applies only to workload.kind = \"synthetic\"; this workload is the " + workload.kind + " trace");
  if (synthetic && w.has("trace"))
    w.fail("trace", w.table()->get("trace"),
           "applies only to a trace workload.kind (" + join(std::vector<std::string>(kinds.begin() + 1, kinds.end())) +
               "); workload.kind is \"synthetic\"");

  SeedStudyWorkloadConfig& g = workload.synthetic;
  w.integer("tasks", g.tasks, 1);
  w.number(
      "runtime_pareto_alpha", g.runtime_pareto_alpha, [](double v) { return std::isfinite(v) && v > 1; },
      "a number > 1 (finite mean)");
  w.duration("runtime_min_s", g.runtime_min_s);
  w.duration_or_zero("runtime_max_s", g.runtime_max_s);
  w.number("cpu_mu", g.cpu_mu);
  w.positive("cpu_sigma", g.cpu_sigma);
  w.number("cpu_min", g.cpu_min);
  w.number("cpu_max", g.cpu_max);
  w.number("memory_mu", g.memory_mu);
  w.positive("memory_sigma", g.memory_sigma);
  w.non_negative("memory_min_gb", g.memory_min_gb);
  w.non_negative("memory_max_gb", g.memory_max_gb);
  priority_table(
      w, "priority_mix", g.priority_mix, [](double v) { return std::isfinite(v) && v >= 0; }, "a share >= 0");
  w.positive("arrival_rate_per_s", g.arrival_rate_per_s);
  w.number(
      "target_utilization", g.target_utilization, [](double v) { return v > 0 && v <= 1.5; },
      "a utilization in (0, 1.5]");
  read_profile(w.sub("profile"), g.profile);

  // One SLA policy for every workload kind, so "SLA met" means the same thing everywhere.
  read_sla(w.sub("sla"), g.sla);
  workload.trace.sla = g.sla;

  TableReader t = w.sub("trace");
  const bool trace_seed_set = t.has("seed");
  read_trace(std::move(t), workload.trace);
  w.finish();
  return trace_seed_set;
}

// ---- [scheduler], [run], [output] -----------------------------------------------------

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const auto& p : scheduling_policies()) names.emplace_back(p.name);
  return names;
}

std::vector<std::string> queue_names() {
  std::vector<std::string> names;
  for (const auto& q : queue_disciplines()) names.emplace_back(q.name);
  return names;
}

void read_scheduler(TableReader s, SchedulerConfig& sc) {
  static const std::vector<std::string> kTopologies{"centralized", "two-level", "decentralized"};
  static const std::vector<std::string> kSharing{"none", "limited", "global"};
  sc.topology = static_cast<Topology>(s.choice("topology", kTopologies, static_cast<std::size_t>(sc.topology)));

  if (const toml::node* n = s.node("policy")) {
    const std::vector<std::string> valid = policy_names();
    std::vector<std::string> policies;
    auto add = [&](const toml::node& e) {
      const auto* str = e.as_string();
      if (str == nullptr) s.fail("policy", &e, "expected a policy name or an array of names, got " + describe(e));
      const std::string& name = str->get();
      if (std::find(valid.begin(), valid.end(), name) == valid.end())
        s.fail("policy", &e,
               "unknown policy \"" + name + "\"" + suggestion(name, valid) + "; expected one of " + join(valid));
      if (std::find(policies.begin(), policies.end(), name) != policies.end())
        s.fail("policy", &e, "policy \"" + name + "\" is listed twice");
      policies.push_back(name);
    };
    if (const auto* arr = n->as_array()) {
      if (arr->empty()) s.fail("policy", n, "expected at least one policy name, got an empty array");
      for (const auto& e : *arr) add(e);
    } else {
      add(*n);
    }
    sc.policies = std::move(policies);
  }

  if (s.has("queue")) {
    const std::vector<std::string> valid = queue_names();
    const std::size_t current = static_cast<std::size_t>(std::find(valid.begin(), valid.end(), sc.queue) -
                                                         valid.begin());
    sc.queue = valid[s.choice("queue", valid, current)];
  } else {
    s.node("queue");
  }
  s.duration("decision_latency_s", sc.decision_latency_s);
  s.duration_or_zero("batch_interval_s", sc.batch_interval_s);
  s.integer("candidates", sc.candidates);
  if (s.has("admission")) {
    std::vector<std::string> valid;
    for (const AdmissionInfo& a : admission_policies()) valid.emplace_back(a.name);
    const std::size_t current = static_cast<std::size_t>(std::find(valid.begin(), valid.end(), sc.admission) -
                                                         valid.begin());
    sc.admission = valid[s.choice("admission", valid, current)];
  } else {
    s.node("admission");
  }
  s.integer("spill_queue_length", sc.spill_queue_length);
  {
    static const std::vector<std::string> kDecide{"at-once", "window-end"};
    sc.decide = static_cast<DecideWhen>(s.choice("decide", kDecide, static_cast<std::size_t>(sc.decide)));
  }
  sc.sharing = static_cast<Sharing>(s.choice("sharing", kSharing, static_cast<std::size_t>(sc.sharing)));
  s.integer("neighbours", sc.neighbours);
  s.integer("sampled", sc.sampled);
  s.duration_or_zero("report_period_s", sc.report_period_s);
  {
    static const std::vector<std::string> kReport{"periodic", "on-change"};
    sc.report = static_cast<ReportMode>(s.choice("report", kReport, static_cast<std::size_t>(sc.report)));
  }
  s.boolean("elide_unchanged_reports", sc.elide_unchanged_reports);
  s.boolean("report_board", sc.report_board);
  s.finish();
}

// [agents]: decision cycles, and the actor-critic policy's network.
void read_agents(TableReader a, AgentSettings& settings) {
  a.duration_or_zero("decision_period_s", settings.decision_period_s);
  a.number(
      "observation_loss", settings.observation_loss, [](double v) { return v >= 0 && v <= 1; },
      "a share of reports in [0, 1]");
  ActorCriticPolicySettings& agents = settings.actor_critic;
  if (const toml::node* n = a.node("hidden_widths")) {
    const auto* arr = n->as_array();
    std::vector<std::uint32_t> widths;
    if (arr != nullptr)
      for (const auto& e : *arr) {
        const auto* i = e.as_integer();
        if (i == nullptr || i->get() < 1 || i->get() > 65536) {
          widths.clear();
          break;
        }
        widths.push_back(static_cast<std::uint32_t>(i->get()));
      }
    if (widths.empty() || widths.size() != arr->size())
      a.fail("hidden_widths", n,
             "expected a non-empty array of integers from 1 to 65536 (e.g. [128]), got " + describe(*n));
    agents.hidden_widths = std::move(widths);
  }
  if (const toml::node* n = a.node("activations")) {
    std::vector<nn::Activation> activations;
    const auto add = [&](const toml::node& e) {
      const auto* str = e.as_string();
      const auto act = str != nullptr ? nn::activation_from_name(str->get()) : std::nullopt;
      if (!act) a.fail("activations", &e, "expected \"relu\", \"tanh\" or \"identity\", got " + describe(e));
      activations.push_back(*act);
    };
    if (const auto* arr = n->as_array()) {
      for (const auto& e : *arr) add(e);
    } else {
      add(*n);
    }
    if (activations.empty()) a.fail("activations", n, "expected one activation name or one per hidden layer, got []");
    agents.hidden_activations = std::move(activations);
  }
  if (agents.hidden_activations.size() != 1 && agents.hidden_activations.size() != agents.hidden_widths.size())
    a.fail("activations", a.node("activations"),
           fmt::format("expected one activation or one per hidden layer ({}), got {}", agents.hidden_widths.size(),
                       agents.hidden_activations.size()));
  a.string("checkpoint", agents.checkpoint);
  a.boolean("greedy", agents.greedy);
  a.boolean("mask_unfit", agents.mask_unfit);
  {
    static const std::vector<std::string> kRoles{"tier", "single"};
    settings.hrac.roles = static_cast<RoleMapKind>(
        a.choice("roles", kRoles, static_cast<std::size_t>(settings.hrac.roles)));
  }
  a.finish();
}

void read_run(TableReader r, RunConfig& run, std::uint32_t& rank_groups, std::uint32_t& batch_episodes) {
  static const std::vector<std::string> kPartitions{"block", "round-robin"};
  r.integer("seed", run.seed);
  r.integer("episodes", run.episodes, 1);
  r.duration_or_zero("max_time_s", run.max_time_s);
  r.duration_or_zero("warmup_s", run.warmup_s);
  run.partition = kPartitions[r.choice("partition", kPartitions, run.partition == "round-robin" ? 1 : 0)];
  r.integer("rank_groups", rank_groups);
  r.integer("batch_episodes", batch_episodes, 1, 64);
  r.finish();
}

void read_output(TableReader o, OutputConfig& out) {
  o.string("results", out.results);
  o.boolean("per_task", out.per_task);
  o.finish();
}

// ---- overrides ------------------------------------------------------------------------

[[noreturn]] void bad_override(const std::string& text, const std::string& what) {
  throw InputError::at("--set " + text, what);
}

// Writes each "dotted.key=value" into the tree. The value is TOML if it parses as one
// (5, 1e4, true, "text", [1, 2], {a = 1}), else the bare text as a string.
void apply_overrides(Context& ctx, const std::vector<std::string>& overrides) {
  const auto trim = [](std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return std::string();
    return std::string(s.substr(b, s.find_last_not_of(" \t") - b + 1));
  };
  for (const std::string& text : overrides) {
    const auto eq = text.find('=');
    const std::string key = eq == std::string::npos ? "" : trim(std::string_view(text).substr(0, eq));
    if (key.empty())
      bad_override(text,
                   "expected KEY=VALUE with a dotted key, e.g. cluster.nodes=10000 or "
                   "scheduler.policy=least-loaded");
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
      const auto dot = key.find('.', start);
      parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    for (const auto& part : parts)
      if (part.empty() || part.find_first_of(" \t\"'[]") != std::string::npos)
        bad_override(text, "expected KEY=VALUE with a dotted key of bare names (a.b.c), got key \"" + key + "\"");

    const std::string value = trim(std::string_view(text).substr(eq + 1));
    toml::table parsed;
    bool is_toml = false;
    try {
      parsed = toml::parse("v = " + value);
      is_toml = parsed.size() == 1 && parsed.contains("v");
    } catch (const toml::parse_error&) {
      is_toml = false;
    }

    toml::table* table = ctx.root;
    std::string so_far;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      so_far = join_key(so_far, parts[i]);
      toml::node* next = table->get(parts[i]);
      if (next == nullptr) next = &table->insert(parts[i], toml::table{}).first->second;
      if (!next->is_table())
        throw InputError::at(ctx.origin, "--set " + text + ": " + so_far + " is " + describe(*next) +
                                             " in the scenario, not a table, so it has no key " + parts[i + 1]);
      table = next->as_table();
    }
    if (is_toml) table->insert_or_assign(parts.back(), std::move(*parsed.get("v")));
    else table->insert_or_assign(parts.back(), value);
    ctx.overrides[key] = text;
  }
}

// ---- checks across tables and the embedded configs' own validate() --------------------

// Runs a validate() and rewrites its "FIELD: message" into "FILE:LINE: TOML.KEY: message".
void revalidate(const Context& ctx, const std::function<void()>& validate) {
  try {
    validate();
  } catch (const InputError& e) {
    const std::string message = e.what();
    const auto colon = message.find(": ");
    std::string key = colon == std::string::npos ? "" : message.substr(0, colon);
    const std::string what = colon == std::string::npos ? message : message.substr(colon + 2);
    static const std::array<std::pair<std::string_view, std::string_view>, 3> kPrefixes{{
        {"arrivals.", "workload.profile."},
        {"sla.", "workload.sla."},
        {"trace.", "workload.trace."},
    }};
    for (const auto& [from, to] : kPrefixes)
      if (key.starts_with(from)) {
        key = std::string(to) + key.substr(from.size());
        break;
      }
    // The line of the key, or of the nearest table above it that the file has.
    const toml::node* node = nullptr;
    for (std::string k = key; !k.empty() && node == nullptr;) {
      node = toml::at_path(*ctx.root, k).node();
      const auto cut = k.find_last_of(".[");
      k = cut == std::string::npos ? "" : k.substr(0, cut);
    }
    ctx.fail(key, node, what);
  }
}

const toml::node* node_at(const Context& ctx, const std::string& key) { return toml::at_path(*ctx.root, key).node(); }

std::string resolve_input_path(const Context& ctx, const std::string& key, const std::string& path) {
  const fs::path p(path);
  // Paths in the file are relative to the file; paths given with --set to the working directory.
  if (p.is_absolute() || ctx.override_for(key) != nullptr) return p.lexically_normal().string();
  return (ctx.base_dir / p).lexically_normal().string();
}

void check_trace_path(const Context& ctx, const std::string& key, const std::string& resolved) {
  std::error_code ec;
  if (fs::exists(resolved, ec)) return;
  const bool from_override = ctx.override_for(key) != nullptr;
  ctx.fail(key, node_at(ctx, key),
           fmt::format("\"{}\" does not exist (resolved relative to {}). The public traces live in ../shared/traces/ "
                       "beside the marlsim repository, one folder per trace whose PROVENANCE.txt names the public "
                       "source of each file: copy or link that shared/traces folder next to the repository (or "
                       "download the files PROVENANCE.txt names into it), or point the scenario at your copy with "
                       "--set {}=FILE",
                       resolved,
                       from_override ? std::string("the working directory")
                                     : "the scenario file's folder \"" + ctx.base_dir.string() + "\"",
                       key));
}

void check_scenario(const Context& ctx, Scenario& s) {
  const bool trace = s.workload.kind != "synthetic";
  if (s.cluster.source == "trace" && std::find(kFormatsWithMachines.begin(), kFormatsWithMachines.end(),
                                               s.workload.kind) == kFormatsWithMachines.end())
    ctx.fail("cluster.source", node_at(ctx, "cluster.source"),
             "\"trace\" needs a trace workload whose reader lists machines (workload.kind = \"alibaba2017\" or "
             "\"swf\"); workload.kind is \"" +
                 s.workload.kind + "\"");

  if (s.run.max_time_s > 0 && s.run.warmup_s >= s.run.max_time_s)
    ctx.fail("run.warmup_s", node_at(ctx, "run.warmup_s"),
             "expected a warm-up shorter than run.max_time_s (" + format_number(s.run.max_time_s) + " s), got " +
                 format_number(s.run.warmup_s) + " s");
  // Partial observability is the decentralized agents'; a central scheduler is the fully
  // observed (centralized) coordination mode.
  if (s.agents.observation_loss > 0 && s.scheduler.topology != Topology::Decentralized)
    ctx.fail("agents.observation_loss", node_at(ctx, "agents.observation_loss"),
             "expected 0 in topology \"" + std::string(topology_name(s.scheduler.topology)) +
                 "\" (reports lost applies to decentralized agents; the central scheduler sees every report), got " +
                 format_number(s.agents.observation_loss));
  // Reports on change are the decentralized agents' (nodes report every change to a central
  // scheduler anyway).
  if (s.scheduler.report == ReportMode::OnChange && s.scheduler.topology != Topology::Decentralized)
    ctx.fail("scheduler.report", node_at(ctx, "scheduler.report"),
             "expected \"periodic\" in topology \"" + std::string(topology_name(s.scheduler.topology)) +
                 "\" (\"on-change\" applies to decentralized agents' reports; nodes report every change to a central "
                 "scheduler), got \"on-change\"");
  if (s.cluster.source == "seed-study") revalidate(ctx, [&] { s.cluster.generated.validate(); });
  if (trace) {
    TraceOptions& t = s.workload.trace;
    if (t.path.empty())
      ctx.fail("workload.trace.path",
               node_at(ctx, "workload.trace") ? node_at(ctx, "workload.trace") : node_at(ctx, "workload"),
               "missing: workload.kind = \"" + s.workload.kind +
                   "\" needs [workload.trace] path = \"FILE\" (relative to the scenario file)");
    revalidate(ctx, [&] { t.validate(); });
    t.path = resolve_input_path(ctx, "workload.trace.path", t.path);
    check_trace_path(ctx, "workload.trace.path", t.path);
    if (!t.second_path.empty()) {
      t.second_path = resolve_input_path(ctx, "workload.trace.second_path", t.second_path);
      check_trace_path(ctx, "workload.trace.second_path", t.second_path);
    }
    // The alibaba2017 machine list defaults to server_event.csv beside the task file; a
    // cluster made of the trace's machines cannot do without it.
    if (s.workload.kind == "alibaba2017" && s.cluster.source == "trace" && t.second_path.empty()) {
      const std::string fallback = (fs::path(t.path).parent_path() / "server_event.csv").string();
      std::error_code ec;
      if (!fs::exists(fallback, ec))
        ctx.fail("workload.trace.second_path", node_at(ctx, "workload.trace.path"),
                 "cluster.source = \"trace\" needs the machine list, and " + fallback +
                     " does not exist: set second_path to the trace's server_event.csv");
    }
  } else {
    revalidate(ctx, [&] { s.workload.synthetic.validate(); });
  }
  if (!s.agents.actor_critic.checkpoint.empty()) {
    s.agents.actor_critic.checkpoint = resolve_input_path(ctx, "agents.checkpoint", s.agents.actor_critic.checkpoint);
    std::error_code ec;
    if (!fs::is_regular_file(s.agents.actor_critic.checkpoint, ec))
      ctx.fail("agents.checkpoint", node_at(ctx, "agents.checkpoint"),
               "\"" + s.agents.actor_critic.checkpoint + "\" is not a file (an HDF5 checkpoint, relative to " +
                   (ctx.override_for("agents.checkpoint") != nullptr ? std::string("the working directory with --set)")
                                                                     : std::string("the scenario file)")));
  }
}

Scenario parse(Context& ctx, const std::string& text, const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(text, ctx.origin);
  } catch (const toml::parse_error& e) {
    throw InputError::at_line(ctx.origin, e.source().begin.line,
                              fmt::format("invalid TOML (column {}): {}", e.source().begin.column, e.description()));
  }
  ctx.root = &root;
  apply_overrides(ctx, overrides);

  Scenario s;
  s.path = ctx.origin;
  s.name = fs::path(ctx.origin).stem().string();
  TableReader top(ctx, &root, "");
  top.string("name", s.name);
  top.string("description", s.description);
  read_cluster(top.sub("cluster"), s.cluster);
  const bool trace_seed_set = read_workload(top.sub("workload"), s.workload);
  read_scheduler(top.sub("scheduler"), s.scheduler);
  read_run(top.sub("run"), s.run, s.rank_groups, s.batch_episodes);
  read_agents(top.sub("agents"), s.agents);
  read_output(top.sub("output"), s.output);
  top.finish();
  if (!trace_seed_set) s.workload.trace.seed = s.run.seed;
  check_scenario(ctx, s);
  return s;
}

}  // namespace

Scenario parse_scenario(const std::string& toml_text, const std::string& origin,
                        const std::vector<std::string>& overrides) {
  Context ctx;
  ctx.origin = origin;
  ctx.base_dir = fs::path(origin).parent_path();
  if (ctx.base_dir.empty()) ctx.base_dir = ".";
  return parse(ctx, toml_text, overrides);
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError::at(path, "expected a scenario file (TOML), got a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError::at(path, fs::exists(path, ec) ? "cannot read the scenario file"
                                                    : "no such scenario file (see configs/ for examples)");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path, overrides);
}

}  // namespace marlsim
