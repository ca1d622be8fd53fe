// Bad trace input found by issue 9's catalogue and by fuzzing: each case is one line naming
// the file (and line and field where there is one) and what was expected.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <string>

#include "engine/support/input_error.hpp"
#include "workload_test_support.hpp"
#include "workloads/line_reader.hpp"
#include "workloads/trace_reader.hpp"

using namespace marlsim;
using Catch::Contains;

namespace {
// A valid 18-field SWF job line with field `index` (1-based) replaced by `value`.
std::string swf_line_with(int index, const std::string& value) {
  std::string fields[18] = {"1",       "10", "0", "100", "4",  "-1", "-1", "4",  "100",
                            "1048576", "1",  "1", "1",   "-1", "1",  "-1", "-1", "-1"};
  if (index >= 1) fields[index - 1] = value;
  std::string line;
  for (const auto& f : fields) line += f + " ";
  return line + "\n";
}

std::string read_error(std::string_view format, const TraceOptions& opt) {
  try {
    (void)read_trace(format, opt);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("swf: every one of the 18 fields is checked for type and range, with file:line", "[workloads]") {
  test::TempDir dir;
  TraceOptions opt;
  const std::string ok = swf_line_with(0, "");
  struct Case {
    int field;
    std::string value, expected;
  };
  const Case cases[] = {
      {1, "-1", "field 1 (job number): expected an integer from 0"},
      {2, "-5", "field 2 (submit time): expected a number from 0"},
      {3, "-2", "field 3 (wait time): expected a number (-1: unknown) or from 0"},
      {3, "soon", "field 3 (wait time): expected a number, got \"soon\""},
      {6, "-3", "field 6 (average CPU time used)"},
      {9, "x", "field 9 (requested time): expected a number"},
      {11, "7", "field 11 (status): expected an integer (-1: unknown) or from 0 to 5, got 7"},
      {12, "alice", "field 12 (user ID): expected an integer"},
      {13, "1.5", "field 13 (group ID): expected an integer"},
      {14, "-7", "field 14 (executable number)"},
      {16, "p1", "field 16 (partition number): expected an integer"},
      {18, "abc", "field 18 (think time from preceding job): expected a number"},
  };
  for (const Case& c : cases) {
    opt.path = dir.write("f.swf", ok + swf_line_with(c.field, c.value));
    const std::string msg = read_error("swf", opt);
    INFO(msg);
    CHECK_THAT(msg, Contains("f.swf:2: " + c.expected));
  }
  opt.path = dir.write("long.swf", ok + ok.substr(0, ok.size() - 1) + "42\n");
  CHECK_THAT(read_error("swf", opt), Contains("long.swf:2: expected 18 fields (an SWF job record), got 19"));
  opt.path = dir.write("good.swf", ok + swf_line_with(11, "-1") + swf_line_with(11, "5"));
  CHECK(read_trace("swf", opt).report.records_read == 3);
}

TEST_CASE("traces: a time beyond the simulator's clock names the trace file and line", "[workloads]") {
  test::TempDir dir;
  TraceOptions opt;
  opt.path = dir.write("far.swf", swf_line_with(0, "") + swf_line_with(2, "1e12"));
  CHECK_THAT(read_error("swf", opt),
             Contains("far.swf:2: field 2 (submit time): 1e+12 s is beyond the simulator's clock"));
  opt.path = dir.write("long.swf", swf_line_with(4, "2e9"));
  CHECK_THAT(read_error("swf", opt), Contains("long.swf:1: field 4 (run time): 2e+09 s is beyond"));
  opt.path = dir.write("batch_task.csv",
                       "task_create_time,end,job,task,n,status,cpu,mem\n"
                       "10,20,1,1,3,Terminated,50,0.01\n9e15,9e15,1,2,1,Terminated,50,0.01\n");
  CHECK_THAT(read_error("alibaba2017", opt), Contains("batch_task.csv:3: field 1 (create_ts): 9e+15 s is beyond"));
  opt.path = dir.write("dag.csv",
                       "task_name,instance_num,job_name,task_type,status,start_time,end_time,plan_cpu,plan_mem\n"
                       "M1,1,j_1,1,Terminated,10,1e300,100,0.2\n");
  CHECK_THAT(read_error("alibaba2018", opt), Contains("dag.csv:2: field 7 (end_time): 1e+300 s is beyond"));
}

TEST_CASE("alibaba2017: an empty machine list is blamed on server_event.csv", "[workloads]") {
  test::TempDir dir;
  TraceOptions opt;
  opt.path = dir.write("batch_task.csv", "h,h,h,h,h,h,h,h\n10,20,1,1,3,Terminated,50,0.01\n");
  opt.second_path = dir.write("server_event.csv", "");
  CHECK_THAT(read_error("alibaba2017", opt), Contains("server_event.csv: no 'add' events in 0 lines"));
  opt.second_path = dir.write("server_event.csv", "0,5,softerror,x,0,0,0\n");
  CHECK_THAT(read_error("alibaba2017", opt), Contains("server_event.csv: no 'add' events in 1 lines"));
}

TEST_CASE("LineReader: a folder, a device or a FIFO is not reported as a missing file", "[workloads]") {
  test::TempDir dir;
  CHECK_THROWS_WITH(LineReader(dir.path().string()), Contains("is a folder; expected a trace file"));
  CHECK_THROWS_WITH(LineReader("/dev/zero"), Contains("/dev/zero: is not a regular file"));
  const std::string fifo = (dir.path() / "fifo").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(LineReader(fifo), Contains("fifo: is not a regular file"));
  CHECK_THROWS_WITH(LineReader((dir.path() / "nope").string()), Contains("nope: cannot open: no such file"));
}

// Found by fuzz_google2011: converting 1e300 to int64 was undefined behaviour (UBSan).
TEST_CASE("integer fields too large for int64 are an error, not undefined behaviour", "[workloads]") {
  test::TempDir dir;
  LineReader reader(dir.write("big.csv", "1e300,9223372036854775808\n"));
  std::string_view line;
  REQUIRE(reader.next(line));
  LineFields f;
  f.split(line, ',');
  CHECK_THROWS_WITH(parse_int_field(reader, f, 0, "n"), Contains("big.csv:1: field 1 (n): expected an integer"));
  CHECK_THROWS_WITH(parse_int_field(reader, f, 1, "m"), Contains("big.csv:1: field 2 (m): expected an integer"));
}
