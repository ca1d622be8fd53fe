#include "engine/study/study_table.hpp"

#include <fmt/format.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "engine/cluster/metric_fields.hpp"
#include "engine/study/sweep_dir.hpp"
#include "engine/support/atomic_write.hpp"
#include "engine/support/input_error.hpp"

namespace marlsim {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Column {
  std::string name;
  std::string unit;  // "" when it has none
  bool text = false;
  std::vector<double> numbers;
  std::vector<std::string> strings;
};

class Table {
 public:
  Column& column(const std::string& name, bool text, const std::string& unit = "") {
    auto it = index_.find(name);
    if (it != index_.end()) return columns_[it->second];
    index_[name] = columns_.size();
    columns_.push_back({name, unit, text, {}, {}});
    return columns_.back();
  }
  void add(const std::string& name, double v) { column(name, false).numbers.push_back(v); }
  void add(const std::string& name, const std::string& v) { column(name, true).strings.push_back(v); }
  const std::vector<Column>& columns() const { return columns_; }
  std::size_t rows() const {
    return columns_.empty() ? 0 : columns_[0].text ? columns_[0].strings.size() : columns_[0].numbers.size();
  }

 private:
  std::vector<Column> columns_;
  std::map<std::string, std::size_t> index_;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string last_line(const fs::path& path) {
  std::istringstream in(read_text(path));
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

bool is_number(const std::string& s, double& out) {
  if (s.empty()) return false;
  std::size_t used = 0;
  try {
    out = std::stod(s, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == s.size();
}

std::string csv_cell(const Column& c, std::size_t row) {
  if (!c.text) {
    const double v = c.numbers[row];
    return std::isnan(v) ? "" : fmt::format("{}", v);
  }
  const std::string& s = c.strings[row];
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

std::string to_csv(const Table& t) {
  std::string out;
  for (std::size_t i = 0; i < t.columns().size(); ++i) {
    if (i > 0) out += ',';
    out += t.columns()[i].name;
  }
  out += '\n';
  for (std::size_t r = 0; r < t.rows(); ++r) {
    for (std::size_t i = 0; i < t.columns().size(); ++i) {
      if (i > 0) out += ',';
      out += csv_cell(t.columns()[i], r);
    }
    out += '\n';
  }
  return out;
}

// A handle that closes itself.
struct Hid {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Hid() {
    if (id >= 0) close(id);
  }
};

void check(bool ok, const std::string& path, const std::string& what) {
  if (!ok) throw std::runtime_error(path + ": HDF5: cannot " + what);
}

void write_string_attribute(hid_t object, const std::string& name, const std::string& value, const std::string& path) {
  Hid type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, H5T_VARIABLE);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  Hid space{H5Screate(H5S_SCALAR), H5Sclose};
  Hid attr{H5Acreate2(object, name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  const char* v = value.c_str();
  check(attr.id >= 0 && H5Awrite(attr.id, type.id, &v) >= 0, path, "write attribute " + name);
}

void write_hdf5(const Table& t, const std::string& path, const std::map<std::string, std::string>& attributes) {
  const std::string partial = path + ".partial";
  {
    Hid file{H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
    check(file.id >= 0, partial, "create the file");
    for (const auto& [k, v] : attributes) write_string_attribute(file.id, k, v, partial);
    Hid group{H5Gcreate2(file.id, "runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose};
    check(group.id >= 0, partial, "create /runs");
    const hsize_t rows = t.rows();
    for (const Column& c : t.columns()) {
      Hid space{H5Screate_simple(1, &rows, nullptr), H5Sclose};
      if (c.text) {
        Hid type{H5Tcopy(H5T_C_S1), H5Tclose};
        H5Tset_size(type.id, H5T_VARIABLE);
        H5Tset_cset(type.id, H5T_CSET_UTF8);
        Hid set{H5Dcreate2(group.id, c.name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                H5Dclose};
        std::vector<const char*> ptrs;
        for (const auto& s : c.strings) ptrs.push_back(s.c_str());
        check(set.id >= 0 && (rows == 0 || H5Dwrite(set.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) >= 0),
              partial, "write /runs/" + c.name);
      } else {
        Hid set{H5Dcreate2(group.id, c.name.c_str(), H5T_IEEE_F64LE, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                H5Dclose};
        check(set.id >= 0 && (rows == 0 || H5Dwrite(set.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                                    c.numbers.data()) >= 0),
              partial, "write /runs/" + c.name);
        if (!c.unit.empty()) write_string_attribute(set.id, "unit", c.unit, partial);
      }
    }
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) throw std::runtime_error(partial + ": cannot rename to " + path + ": " + ec.message());
}

}  // namespace

CollectedSweep collect_sweep(const std::string& dir, const std::string& h5_path, const std::string& csv_path) {
  const nlohmann::json manifest = read_sweep_manifest(dir);
  std::vector<std::string> metrics = manifest.value("metrics", std::vector<std::string>{});
  std::map<std::string, std::string> units;
  for (const MetricField& f : episode_metric_fields()) {
    units[std::string(f.name)] = std::string(f.unit);
    if (manifest.value("metrics", nlohmann::json::array()).empty()) metrics.emplace_back(f.name);
  }
  const auto axes = manifest.value("axes", std::vector<std::string>{});

  // Axis columns are numbers when every value of the axis is one.
  std::map<std::string, bool> numeric;
  for (const auto& a : axes) numeric[a] = true;
  std::vector<StudyRun> runs;
  for (const auto& j : manifest.at("runs")) {
    runs.push_back(run_from_json(j));
    for (const auto& [k, v] : runs.back().params) {
      double x = 0;
      if (!is_number(v, x)) numeric[k] = false;
    }
  }

  Table table;
  // Fix the column order: identity, parameters, then per-policy results.
  table.column("run", false);
  table.column("run_dir", true);
  table.column("status", true);
  table.column("exit_status", false);
  // ranks, threads, policy, nodes and episodes have their own columns (the run's or its summary's).
  auto own_column = [](const std::string& a) {
    return a == "ranks" || a == "threads" || a == "policy" || a == "nodes" || a == "episodes";
  };
  for (const auto& a : axes)
    if (!own_column(a)) table.column(a, !numeric[a]);
  table.column("ranks", false);
  table.column("threads", false);
  table.column("policy", true);
  table.column("nodes", false);
  table.column("episodes", false);
  table.column("run_wall_s", false, "s");
  for (const auto& m : metrics) {
    table.column(m, false, units[m]);
    table.column(m + "_ci95", false, units[m]);
  }
  table.column("wall_s_per_episode", false, "s");

  CollectedSweep result;
  result.runs = runs.size();
  for (const StudyRun& run : runs) {
    const fs::path run_dir = fs::path(dir) / run.dir;
    const auto exit_status = recorded_exit_status(run_dir.string());
    std::string status = !exit_status ? "missing" : *exit_status != 0 ? "failed" : "ok";
    nlohmann::json summary;
    if (status == "ok") {
      try {
        summary = nlohmann::json::parse(read_text(run_dir / "summary.json"));
      } catch (const nlohmann::json::exception&) {
        status = "no-results";
      }
    }
    if (status != "ok")
      result.problems.push_back({run.dir, status, exit_status.value_or(-1), last_line(run_dir / "stderr.txt")});

    // One row per policy of the run; one row with NaN metrics when it has no results.
    const nlohmann::json policies = status == "ok" ? summary.at("policies") : nlohmann::json::array({nullptr});
    for (const auto& p : policies) {
      table.add("run", static_cast<double>(run.index));
      table.add("run_dir", run.dir);
      table.add("status", status);
      table.add("exit_status", exit_status ? static_cast<double>(*exit_status) : kNaN);
      for (const auto& [k, v] : run.params) {
        if (own_column(k)) continue;
        double x = 0;
        if (numeric[k] && is_number(v, x)) table.add(k, x);
        else table.add(k, v);
      }
      table.add("ranks", static_cast<double>(run.ranks));
      table.add("threads", static_cast<double>(run.threads));
      auto number = [](const nlohmann::json& j, const std::string& key) {
        return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : kNaN;
      };
      // A run without results still shows what it was asked to run.
      auto param = [&](const std::string& name) {
        for (const auto& [k, v] : run.params)
          if (k == name) return v;
        return std::string();
      };
      auto param_number = [&](const std::string& name) {
        double x = kNaN;
        return is_number(param(name), x) ? x : kNaN;
      };
      table.add("policy", p.is_object() ? p.value("policy", "") : param("policy"));
      table.add("nodes", status == "ok" ? number(summary, "nodes") : param_number("nodes"));
      table.add("episodes", status == "ok" ? number(summary, "episodes") : param_number("episodes"));
      table.add("run_wall_s", number(summary, "wall_s"));
      for (const auto& m : metrics) {
        table.add(m, number(p, m));
        table.add(m + "_ci95", number(p, m + "_ci95"));
      }
      table.add("wall_s_per_episode", number(p, "wall_s_per_episode"));
      ++result.rows;
    }
  }

  write_hdf5(table, h5_path,
             {{"study", manifest.value("study", "")},
              {"study_file", manifest.value("study_file", "")},
              {"scenario", manifest.value("scenario", "")},
              {"sweep_dir", fs::absolute(dir).string()},
              {"version", MARLSIM_VERSION}});
  write_file_atomically(csv_path, to_csv(table));
  return result;
}

}  // namespace marlsim
