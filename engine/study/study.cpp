// Study files: strict TOML (every key known, every value checked) and their expansion into
// runs. A value that only the scenario can judge (a policy name, a scenario key given as an
// axis) is checked by loading the scenario with each run's overrides.
#include "engine/study/study.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "engine/cluster/episode.hpp"
#include "engine/cluster/metric_fields.hpp"
#include "engine/experiment/scenario.hpp"
#include "engine/support/did_you_mean.hpp"
#include "engine/support/input_error.hpp"

namespace marlsim {

namespace fs = std::filesystem;

const std::vector<std::string>& study_axis_names() {
  static const std::vector<std::string> names{"ranks",   "threads", "nodes", "topology", "coordination",
                                              "sharing", "policy",  "load",  "episodes", "seed"};
  return names;
}

const std::vector<std::string>& study_path_keys() {
  static const std::vector<std::string> keys{"agents.checkpoint", "workload.trace.path", "workload.trace.second_path"};
  return keys;
}

namespace {

// none / limited / global: decentralized agents with that load sharing; centralized: one
// scheduler with fresh global state (the review's three coordination modes, plus global sharing).
const std::vector<std::string> kCoordination{"none", "limited", "global", "centralized"};

// The scenario keys each named axis sets (two axes may not set the same key).
std::vector<std::string> keys_set_by(const std::string& axis) {
  if (axis == "nodes") return {"cluster.nodes"};
  if (axis == "topology") return {"scheduler.topology"};
  if (axis == "sharing") return {"scheduler.sharing"};
  if (axis == "coordination") return {"scheduler.topology", "scheduler.sharing"};
  if (axis == "policy") return {"scheduler.policy"};
  if (axis == "load") return {"workload.target_utilization"};
  if (axis == "episodes") return {"run.episodes"};
  if (axis == "seed") return {"run.seed"};
  if (axis == "ranks" || axis == "threads") return {};
  return {axis};  // a scenario key
}

std::string literal(const toml::node& n) {
  if (const auto* f = n.as_floating_point()) {  // shortest round-trip form: 0.6, not 0.59999999999999998
    std::string s = fmt::format("{}", f->get());
    if (s.find_first_of(".eni") == std::string::npos) s += ".0";
    return s;
  }
  if (const auto* str = n.as_string()) {  // a basic string: "limited", as scenario files write them
    std::string quoted = "\"";
    for (char ch : str->get()) {
      if (ch == '"' || ch == '\\') quoted += '\\';
      quoted += ch;
    }
    return quoted + "\"";
  }
  std::ostringstream out;
  n.visit([&](const auto& v) { out << v; });
  return out.str();
}

// How a value looks in an error: "text" for strings, else its TOML form.
std::string shown(const toml::node& n) {
  if (const auto* s = n.as_string()) return "\"" + s->get() + "\"";
  return literal(n);
}

std::string unquoted(const toml::node& n) {
  if (const auto* s = n.as_string()) return s->get();
  return literal(n);
}

// "KEY=VALUE" with a relative file path for a key of study_path_keys(): the path made absolute
// against `base` (the study file's folder), so the run's working directory does not matter.
// The value is TOML or bare text, as `--set` takes it. Anything else is returned as it is.
std::string resolve_path_override(const std::string& key_text, const std::string& value, const fs::path& base) {
  const auto& keys = study_path_keys();
  const auto b = key_text.find_first_not_of(" \t"), e = key_text.find_last_not_of(" \t");
  const std::string key = b == std::string::npos ? "" : key_text.substr(b, e - b + 1);
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) return key_text + "=" + value;
  std::string path = value.substr(std::min(value.size(), value.find_first_not_of(" \t")));
  while (!path.empty() && (path.back() == ' ' || path.back() == '\t')) path.pop_back();
  try {
    const toml::table parsed = toml::parse("v = " + value);
    if (const auto* s = parsed.get("v") ? parsed.get("v")->as_string() : nullptr) path = s->get();
  } catch (const toml::parse_error&) {
    // bare text: the path itself
  }
  if (path.empty() || fs::path(path).is_absolute()) return key + "=" + value;
  return key + "=" + literal(toml::value<std::string>(fs::weakly_canonical(fs::absolute(base / path)).string()));
}

class StudyReader {
 public:
  explicit StudyReader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(const std::string& key, const toml::node* n, const std::string& what) const {
    const std::string body = key.empty() ? what : key + ": " + what;
    if (n != nullptr && n->source().begin.line > 0) throw InputError::at_line(origin_, n->source().begin.line, body);
    throw InputError::at(origin_, body);
  }

  std::string string(const toml::table& t, const std::string& key, const std::string& prefix = "") {
    const toml::node* n = t.get(key);
    if (n == nullptr) return "";
    if (!n->is_string()) fail(prefix + key, n, "expected a string, got " + shown(*n));
    return n->as_string()->get();
  }

  std::vector<std::string> strings(const toml::table& t, const std::string& key) {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (n == nullptr) return out;
    if (const auto* s = n->as_string()) return {s->get()};
    const auto* a = n->as_array();
    if (a == nullptr) fail(key, n, "expected an array of strings, got " + shown(*n));
    for (const toml::node& e : *a) {
      if (!e.is_string()) fail(key, &e, "expected an array of strings, got the element " + shown(e));
      out.push_back(e.as_string()->get());
    }
    return out;
  }

  // An axis: one value or an array of values, each checked by `check` (which returns what
  // was expected, or "" when the value is fine).
  StudyAxis axis(const std::string& name, const toml::node& n,
                 const std::function<std::string(const toml::node&)>& check) {
    StudyAxis axis{name, {}};
    const std::string key = "axes." + name;
    auto add = [&](const toml::node& e) {
      if (e.is_array() || e.is_table()) fail(key, &e, "expected a value or an array of values, got " + shown(e));
      const std::string expected = check(e);
      if (!expected.empty()) fail(key, &e, "expected " + expected + ", got " + shown(e));
      axis.values.push_back(literal(e));
    };
    if (const auto* a = n.as_array()) {
      if (a->empty()) fail(key, &n, "expected at least one value, got an empty array");
      for (const toml::node& e : *a) add(e);
    } else {
      add(n);
    }
    return axis;
  }

 private:
  std::string origin_;
};

std::string check_integer(const toml::node& n, std::int64_t lo) {
  const auto* i = n.as_integer();
  return i != nullptr && i->get() >= lo ? "" : fmt::format("an integer >= {}", lo);
}

std::string check_axis_value(const std::string& name, const toml::node& n) {
  if (name == "ranks" || name == "threads" || name == "nodes" || name == "episodes") return check_integer(n, 1);
  if (name == "seed") return check_integer(n, 0);
  if (name == "load") {
    const auto v = n.value<double>();
    return v && *v > 0 && *v <= 1 ? "" : "a target utilization in (0, 1]";
  }
  if (name == "coordination") {
    const auto* s = n.as_string();
    if (s != nullptr && std::find(kCoordination.begin(), kCoordination.end(), s->get()) != kCoordination.end())
      return "";
    return "one of none, limited, global, centralized" + (s != nullptr ? did_you_mean(s->get(), kCoordination) : "");
  }
  if (name == "policy" || name == "topology" || name == "sharing") return n.is_string() ? "" : "a string";
  return "";  // scenario keys: the scenario checks the value
}

}  // namespace

Study parse_study(const std::string& toml_text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    throw InputError::at_line(origin, e.source().begin.line, std::string(e.description()));
  }
  StudyReader r(origin);
  static const std::vector<std::string> top_keys{"name",    "description", "scenario", "episodes", "set",
                                                 "metrics", "zip",         "exclude",  "axes"};
  for (const auto& [k, v] : root) {
    const std::string key(k.str());
    if (std::find(top_keys.begin(), top_keys.end(), key) == top_keys.end())
      r.fail(key, &v,
             "unknown key; expected one of name, description, scenario, episodes, set, metrics, zip, exclude, axes" +
                 did_you_mean(key, top_keys));
  }

  Study s;
  s.path = origin;
  s.name = r.string(root, "name");
  if (s.name.empty()) s.name = fs::path(origin).stem().string();
  s.description = r.string(root, "description");
  const std::string scenario = r.string(root, "scenario");
  if (scenario.empty())
    r.fail("scenario", nullptr, "missing: the scenario file this study runs (relative to the study)");
  const fs::path sp = fs::path(scenario).is_absolute() ? fs::path(scenario) : fs::path(origin).parent_path() / scenario;
  std::error_code ec;
  if (!fs::is_regular_file(sp, ec)) r.fail("scenario", root.get("scenario"), "no such scenario file: " + sp.string());
  s.scenario = fs::weakly_canonical(fs::absolute(sp)).string();

  if (const toml::node* n = root.get("episodes")) {
    const std::string expected = check_integer(*n, 1);
    if (!expected.empty()) r.fail("episodes", n, "expected " + expected + ", got " + shown(*n));
    s.episodes = static_cast<std::uint32_t>(n->as_integer()->get());
  }
  s.sets = r.strings(root, "set");
  const fs::path base = fs::absolute(fs::path(origin).parent_path());
  for (auto& set : s.sets) {
    const auto eq = set.find('=');
    if (eq == std::string::npos) r.fail("set", root.get("set"), "expected KEY=VALUE, got \"" + set + "\"");
    set = resolve_path_override(set.substr(0, eq), set.substr(eq + 1), base);
  }

  std::vector<std::string> metric_names;
  for (const MetricField& f : episode_metric_fields()) metric_names.emplace_back(f.name);
  s.metrics = r.strings(root, "metrics");
  for (const auto& m : s.metrics)
    if (std::find(metric_names.begin(), metric_names.end(), m) == metric_names.end())
      r.fail("metrics", root.get("metrics"),
             "unknown metric \"" + m + "\"" + did_you_mean(m, metric_names) +
                 " (marlsim's metrics: " + fmt::format("{}", fmt::join(metric_names, ", ")) + ")");

  std::map<std::string, const toml::node*> axis_nodes;  // where each axis is, for errors found later
  const toml::node* axes_node = root.get("axes");
  if (axes_node != nullptr && !axes_node->is_table()) r.fail("axes", axes_node, "expected a table");
  if (axes_node != nullptr) {
    const toml::table& axes = *axes_node->as_table();
    std::vector<std::string> known = study_axis_names();
    known.push_back("set");
    for (const auto& [k, v] : axes) {
      const std::string key(k.str());
      if (std::find(known.begin(), known.end(), key) == known.end())
        r.fail("axes." + key, &v,
               "unknown axis" + did_you_mean(key, known) +
                   "; expected one of ranks, threads, nodes, topology, coordination, sharing, policy, load, episodes, "
                   "seed, or a scenario key under [axes.set]");
    }
    for (const auto& name : study_axis_names())
      if (const toml::node* n = axes.get(name)) {
        s.axes.push_back(r.axis(name, *n, [&](const toml::node& e) { return check_axis_value(name, e); }));
        axis_nodes[name] = n;
      }
    if (const toml::node* set = axes.get("set")) {
      if (!set->is_table()) r.fail("axes.set", set, "expected a table of scenario keys, each with an array of values");
      for (const auto& [k, v] : *set->as_table()) {
        s.axes.push_back(r.axis("set." + std::string(k.str()), v, [](const toml::node&) { return std::string(); }));
        axis_nodes[std::string(k.str())] = &v;
      }
      for (auto& a : s.axes)
        if (a.name.starts_with("set.")) a.name = a.name.substr(4);
    }
  }

  // Two axes (or an axis and a fixed override) must not set the same scenario key.
  std::map<std::string, std::string> owner;
  for (const auto& set : s.sets) owner[set.substr(0, set.find('='))] = "set";
  if (s.episodes > 0) owner["run.episodes"] = "episodes";
  for (const auto& a : s.axes)
    for (const auto& key : keys_set_by(a.name)) {
      auto [it, fresh] = owner.emplace(key, "axes." + a.name);
      if (!fresh) r.fail("axes." + a.name, nullptr, "sets " + key + ", which " + it->second + " already sets");
    }

  s.zip = r.strings(root, "zip");
  std::size_t zip_len = 0;
  for (const auto& z : s.zip) {
    auto it = std::find_if(s.axes.begin(), s.axes.end(), [&](const StudyAxis& a) { return a.name == z; });
    if (it == s.axes.end()) r.fail("zip", root.get("zip"), "\"" + z + "\" is not an axis of this study");
    if (zip_len != 0 && it->values.size() != zip_len)
      r.fail("zip", root.get("zip"),
             fmt::format("zipped axes need equally many values; {} has {}, {} has {}", s.zip.front(), zip_len, z,
                         it->values.size()));
    zip_len = it->values.size();
  }
  if (s.zip.size() == 1) r.fail("zip", root.get("zip"), "expected at least two axes to advance together");

  // A value twice would run the same runs twice; zipped axes may repeat a value (episodes 4, 4, 2)
  // as long as no two positions repeat every zipped value.
  std::set<std::vector<std::string>> zipped_seen;
  for (std::size_t i = 0; i < zip_len; ++i) {
    std::vector<std::string> position;
    for (const auto& z : s.zip)
      position.push_back(
          std::find_if(s.axes.begin(), s.axes.end(), [&](const StudyAxis& a) { return a.name == z; })->values[i]);
    if (!zipped_seen.insert(position).second)
      r.fail("zip", root.get("zip"), fmt::format("the zipped values ({}) appear twice", fmt::join(position, ", ")));
  }
  for (const auto& a : s.axes) {
    if (std::find(s.zip.begin(), s.zip.end(), a.name) != s.zip.end()) continue;
    std::set<std::string> seen;
    for (const auto& v : a.values)
      if (!seen.insert(v).second) r.fail("axes." + a.name, axis_nodes[a.name], "the value " + v + " appears twice");
  }

  if (const toml::node* ex = root.get("exclude")) {
    const auto* list = ex->as_array();
    if (list == nullptr)
      r.fail("exclude", ex, "expected an array of tables like { coordination = \"none\", policy = \"best-fit\" }");
    std::vector<std::string> axis_names;
    for (const auto& a : s.axes) axis_names.push_back(a.name);
    for (const toml::node& e : *list) {
      const auto* t = e.as_table();
      if (t == nullptr || t->empty()) r.fail("exclude", &e, "expected a table of axis = value, got " + shown(e));
      std::vector<std::pair<std::string, std::string>> match;
      for (const auto& [k, v] : *t) {
        const std::string key(k.str());
        auto axis = std::find_if(s.axes.begin(), s.axes.end(), [&](const StudyAxis& a) { return a.name == key; });
        if (axis == s.axes.end())
          r.fail("exclude", &v, "\"" + key + "\" is not an axis of this study" + did_you_mean(key, axis_names));
        if (std::find(axis->values.begin(), axis->values.end(), literal(v)) == axis->values.end())
          r.fail("exclude", &v, shown(v) + " is not a value of axis " + key);
        match.emplace_back(key, unquoted(v));
      }
      s.exclude.push_back(std::move(match));
    }
  }
  return s;
}

Study load_study(const std::string& path) {
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (!in || fs::is_directory(path, ec))
    throw InputError::at(path, fs::exists(path, ec) ? "cannot read the study file" : "no such study file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_study(text.str(), path);
}

std::vector<StudyRun> expand_study(const Study& study) {
  // Groups of axes that vary together: each axis alone, the zipped ones as one group.
  std::vector<std::vector<const StudyAxis*>> groups;
  bool zip_placed = false;
  for (const auto& a : study.axes) {
    const bool zipped = std::find(study.zip.begin(), study.zip.end(), a.name) != study.zip.end();
    if (!zipped) {
      groups.push_back({&a});
    } else if (!zip_placed) {
      zip_placed = true;
      groups.emplace_back();
      for (const auto& b : study.axes)
        if (std::find(study.zip.begin(), study.zip.end(), b.name) != study.zip.end()) groups.back().push_back(&b);
    }
  }

  std::size_t total = 1;
  for (const auto& g : groups) total *= g.front()->values.size();
  std::vector<StudyRun> runs;
  std::vector<std::size_t> pos(groups.size(), 0);  // an odometer over the groups, last fastest
  auto advance = [&] {
    for (std::size_t g = groups.size(); g-- > 0;) {
      if (++pos[g] < groups[g].front()->values.size()) break;
      pos[g] = 0;
    }
  };
  for (std::size_t combination = 0; combination < total; ++combination, advance()) {
    StudyRun run;
    run.index = runs.size();
    run.dir = fmt::format("run-{:04d}", run.index);
    run.args = {"run", study.scenario, "--quiet", "--summary-json", "summary.json", "--out", "results.h5"};
    if (study.episodes > 0) run.args.insert(run.args.end(), {"--episodes", std::to_string(study.episodes)});
    std::vector<std::string> overrides;
    for (const auto& set : study.sets) overrides.push_back(set);
    for (std::size_t g = 0; g < groups.size(); ++g)
      for (const StudyAxis* a : groups[g]) {
        const std::string& v = a->values[pos[g]];
        const toml::table parsed = toml::parse("v = " + v);
        const std::string plain = unquoted(*parsed.get("v"));
        run.params.emplace_back(a->name, plain);
        if (a->name == "ranks") run.ranks = std::stoi(plain);
        else if (a->name == "threads") run.threads = std::stoi(plain);
        else if (a->name == "policy") run.args.insert(run.args.end(), {"--policy", plain});
        else if (a->name == "seed") run.args.insert(run.args.end(), {"--seed", plain});
        else if (a->name == "episodes") run.args.insert(run.args.end(), {"--episodes", plain});
        else if (a->name == "nodes") overrides.push_back("cluster.nodes=" + v);
        else if (a->name == "topology") overrides.push_back("scheduler.topology=" + v);
        else if (a->name == "sharing") overrides.push_back("scheduler.sharing=" + v);
        else if (a->name == "load") overrides.push_back("workload.target_utilization=" + v);
        else if (a->name == "coordination" && plain == "centralized") overrides.push_back("scheduler.topology=" + v);
        else if (a->name == "coordination") {
          overrides.push_back("scheduler.topology=\"decentralized\"");
          overrides.push_back("scheduler.sharing=" + v);
        } else {
          overrides.push_back(resolve_path_override(a->name, v, fs::absolute(fs::path(study.path).parent_path())));
        }
      }
    const bool excluded = std::any_of(study.exclude.begin(), study.exclude.end(), [&](const auto& match) {
      return std::all_of(match.begin(), match.end(), [&](const auto& kv) {
        return std::find(run.params.begin(), run.params.end(), kv) != run.params.end();
      });
    });
    if (excluded) continue;
    for (const auto& o : overrides) run.args.insert(run.args.end(), {"--set", o});

    std::vector<std::string> scenario_overrides = overrides;
    for (std::size_t i = 0; i + 1 < run.args.size(); ++i)
      if (run.args[i] == "--policy") {
        std::string list;  // "a,b" compares several policies in one run
        std::istringstream names(run.args[i + 1]);
        for (std::string p; std::getline(names, p, ',');) list += (list.empty() ? "\"" : ", \"") + p + "\"";
        scenario_overrides.push_back("scheduler.policy=[" + list + "]");
      }
    try {
      const Scenario scenario = load_scenario(study.scenario, scenario_overrides);
      for (const auto& policy : scenario.scheduler.policies) {
        check_policy_fits_topology(policy, scenario.scheduler);
        check_policy_settings(policy, scenario);
      }
    } catch (const InputError& e) {
      std::string params;
      for (const auto& [k, v] : run.params) params += (params.empty() ? "" : ", ") + k + "=" + v;
      throw InputError::at(study.path,
                           run.dir + " (" + params + "): " + e.what() +
                               " (a study leaves such combinations out with exclude = [{ axis = value, ... }])");
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace marlsim
