// The list of trace formats. Adding a format: one new file defining its reader function,
// plus one line below. An explicit list, because a static library drops object files that
// nothing references, and self-registering statics would silently vanish with them.
#include <cmath>
#include <string>

#include "engine/support/find_named.hpp"
#include "engine/support/input_error.hpp"
#include "workloads/trace_reader.hpp"

namespace marlsim {

const TraceReader& swf_trace_reader();          // workloads/swf_trace.cpp
const TraceReader& alibaba2018_trace_reader();  // workloads/alibaba2018_trace.cpp
const TraceReader& alibaba2017_trace_reader();  // workloads/alibaba2017_trace.cpp
const TraceReader& google2011_trace_reader();   // workloads/google2011_trace.cpp

namespace {
using ReaderFn = const TraceReader& (*)();
constexpr ReaderFn kReaders[] = {
    &swf_trace_reader,
    &alibaba2018_trace_reader,
    &alibaba2017_trace_reader,
    &google2011_trace_reader,
};

void require(bool ok, const char* option, const std::string& expected, double got) {
  if (!ok) throw InputError::at(option, "expected " + expected + ", got " + std::to_string(got));
}
}  // namespace

std::vector<std::string_view> trace_format_names() {
  std::vector<std::string_view> names;
  for (const auto fn : kReaders) names.push_back(fn().format());
  return names;
}

const TraceReader& find_trace_reader(std::string_view format) {
  return find_named(kReaders, format, "trace format", [](auto reader) { return reader().format(); })();
}

Workload read_trace(std::string_view format, const TraceOptions& options) {
  return find_trace_reader(format).read(options);
}

void TraceOptions::validate() const {
  if (path.empty()) throw InputError::at("trace.path", "expected a file name, got an empty string");
  require(window_start_s <= window_end_s && !std::isnan(window_start_s) && !std::isnan(window_end_s),
          "trace.window_start_s", "a value <= window_end_s", window_start_s);
  require(std::isfinite(compress) && compress > 0, "trace.compress", "a finite number > 0", compress);
  require(sample_jobs > 0 && sample_jobs <= 1, "trace.sample_jobs", "a fraction in (0, 1]", sample_jobs);
  require(std::isfinite(min_cores) && min_cores > 0, "trace.min_cores", "a number > 0", min_cores);
  require(std::isfinite(min_duration_s) && min_duration_s > 0, "trace.min_duration_s", "a number > 0", min_duration_s);
  require(alibaba2018_memory_gb_per_100 > 0, "trace.alibaba2018_memory_gb_per_100", "a number > 0",
          alibaba2018_memory_gb_per_100);
  require(alibaba2017_memory_gb_per_unit > 0, "trace.alibaba2017_memory_gb_per_unit", "a number > 0",
          alibaba2017_memory_gb_per_unit);
  require(google_cores_per_unit > 0, "trace.google_cores_per_unit", "a number > 0", google_cores_per_unit);
  require(google_memory_gb_per_unit > 0, "trace.google_memory_gb_per_unit", "a number > 0", google_memory_gb_per_unit);
  sla.validate();
}

}  // namespace marlsim
