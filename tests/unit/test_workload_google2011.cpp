#include <catch2/catch.hpp>

#include <array>

#include "engine/support/input_error.hpp"
#include "workload_test_support.hpp"
#include "workloads/trace_reader.hpp"

using namespace marlsim;

namespace {
const char* kFolder = "google2011_part0";
const char* kPart = "google2011_part0/task_events/part-00000-of-00500.csv.gz";

// timestamp,missing,job,index,machine,event,user,class,priority,cpu,mem,disk,constraint
std::string ev(long ts, long job, int index, int event, const std::string& prio = "2",
               const std::string& cpu = "0.0625", const std::string& mem = "0.03125") {
  return std::to_string(ts) + ",," + std::to_string(job) + "," + std::to_string(index) + ",1," + std::to_string(event) +
         ",u,1," + prio + "," + cpu + "," + mem + ",0,0\n";
}
}  // namespace

TEST_CASE("google2011: shard 0 with its censoring counts", "[workloads][traces]") {
  MARLSIM_REQUIRE_TRACE(kPart);
  TraceOptions opt;
  opt.path = test::shared_trace(kFolder);  // the folder: the reader finds task_events/
  const Workload w = read_trace("google2011", opt);
  const auto& rep = w.report;
  CHECK(rep.records_read == 450146);
  CHECK(rep.censored.at("submitted before the trace window (timestamp 0)") == 144339);
  CHECK(rep.censored.at("last event KILL (did not complete)") == 4432);
  CHECK(rep.censored.at("last event FAIL (did not complete)") == 10);
  CHECK(rep.censored.at("still pending or running when the files end") == 3928 + 166);
  CHECK(rep.censored_total() == 190926 - 38051);
  REQUIRE(w.tasks.size() == 38051);
  CHECK(w.machines.nodes.empty());

  CHECK(rep.time_shift_s == Approx(604.046280));
  const TaskSpec& t0 = w.tasks[0];
  CHECK(t0.job == 6251639646ull);
  CHECK(t0.arrival_s == 0.0);
  CHECK(t0.cores == 2.0);  // 0.0625 x 32
  CHECK(t0.work_core_s == Approx(2.0 * 69.682690));
  CHECK(t0.memory_gb == Approx(0.0159 * 64));
  CHECK(t0.priority == PriorityClass::Production);  // priority 9
  CHECK(t0.deadline_s == Approx(1.5 * 69.682690));
  const TaskSpec& t1 = w.tasks[1];
  CHECK(t1.job == 6251668759ull);
  CHECK(t1.arrival_s == Approx(8.095374));
  CHECK(t1.priority == PriorityClass::BestEffort);  // priority 0

  std::array<int, 3> classes{};
  for (const auto& t : w.tasks) ++classes[static_cast<int>(t.priority)];
  CHECK(classes[0] == 74);           // priority 9
  CHECK(classes[1] == 35854 + 127);  // 2-8
  CHECK(classes[2] == 1815 + 181);   // 0-1

  opt.path = test::shared_trace(kPart);  // the part file directly gives the same stream
  const Workload same = read_trace("google2011", opt);
  CHECK(same.tasks.size() == w.tasks.size());
}

TEST_CASE("google2011: durations, requests, censoring and bad lines on a small file", "[workloads]") {
  test::TempDir dir;
  std::string text;
  text += ev(0, 1, 0, 0);                          // before the window
  text += ev(1000000, 2, 0, 0);                    // submit 1 s
  text += ev(2000000, 2, 0, 1);                    // schedule 2 s
  text += ev(3000000, 2, 0, 2);                    // evicted 3 s
  text += ev(4000000, 2, 0, 1, "", "", "");        // rescheduled 4 s, empty fields keep old values
  text += ev(9000000, 2, 0, 4, "", "", "");        // finish 9 s -> 5 s run
  text += ev(1500000, 3, 0, 0, "10", "0", "0.1");  // zero CPU request
  text += ev(1600000, 3, 0, 1, "10", "0", "0.1");
  text += ev(1700000, 3, 0, 4, "10", "0", "0.1");  // 0.1 s run -> 1 s
  text += ev(2500000, 4, 0, 0);
  text += ev(2600000, 4, 0, 1);
  text += ev(2700000, 4, 0, 5);  // killed
  text += ev(2800000, 5, 7, 0);  // pending at the end
  text += ev(2900000, 6, 0, 2);  // evicted: it began before the files read...
  text += ev(3000000, 6, 0, 0);  // ...so this SUBMIT is a resubmission, not its arrival
  text += ev(3100000, 6, 0, 1);
  text += ev(3200000, 6, 0, 4);
  const auto path = dir.write("part-00000-of-00500.csv", text);
  TraceOptions opt;
  opt.path = path;
  const Workload w = read_trace("google2011", opt);
  REQUIRE(w.tasks.size() == 2);
  CHECK(w.report.time_shift_s == 1.0);
  CHECK(w.tasks[0].job == 2);
  CHECK(w.tasks[0].work_core_s == Approx(2.0 * 5.0));
  CHECK(w.tasks[1].job == 3);
  CHECK(w.tasks[1].arrival_s == Approx(0.5));
  CHECK(w.tasks[1].cores == Approx(0.01));
  CHECK(w.tasks[1].work_core_s == Approx(0.01 * 1.0));
  CHECK(w.tasks[1].memory_gb == Approx(6.4));
  CHECK(w.tasks[1].priority == PriorityClass::Production);
  CHECK(w.report.censored_total() == 4);
  CHECK(w.report.censored.at("first event not SUBMIT (resubmission of a task begun before the files read)") == 1);

  opt.google_cores_per_unit = 16;
  CHECK(read_trace("google2011", opt).tasks[0].cores == 1.0);

  const auto bad = dir.write("bad.csv", text + "99,,7,0,1,x,u,1,2,0.1,0.1,0,0\n");
  opt.path = bad;
  CHECK_THROWS_WITH(read_trace("google2011", opt),
                    Catch::Contains("bad.csv:18: field 6 (event type): expected an integer, got \"x\""));
  opt.skip_bad_lines = true;
  CHECK(read_trace("google2011", opt).report.bad_lines_skipped == 1);

  opt.path = dir.path().string();  // a folder without task_events parts inside... but with one at top level
  CHECK(read_trace("google2011", opt).tasks.size() == 2);
  test::TempDir empty;
  opt.path = empty.path().string();
  CHECK_THROWS_WITH(read_trace("google2011", opt), Catch::Contains("expected task_events/part-"));
}
