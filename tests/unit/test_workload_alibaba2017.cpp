#include <catch2/catch.hpp>

#include "engine/support/input_error.hpp"
#include "workload_test_support.hpp"
#include "workloads/trace_reader.hpp"

using namespace marlsim;

namespace {
const char* kTasks = "alibaba_v2017/batch_task.csv.gz";
const char* kHeader = "task_create_time, task_end_time, job_id, task_id,number_of_instances, status, cpus, mem\n";
}  // namespace

TEST_CASE("alibaba2017: batch tasks and the 1,313 x 64-core machine list", "[workloads][traces]") {
  MARLSIM_REQUIRE_TRACE(kTasks);
  TraceOptions opt;
  opt.path = test::shared_trace(kTasks);
  const Workload w = read_trace("alibaba2017", opt);
  const auto& rep = w.report;
  CHECK(rep.records_read == 80553);
  CHECK(rep.censored.at("status Waiting (did not finish)") == 8847);
  CHECK(rep.censored.at("status Running (did not finish)") == 3567);
  CHECK(rep.censored.at("plan_cpu empty") == 11);
  CHECK(w.tasks.size() == 483597);  // 68,128 rows, each min(instances, 16) TaskSpecs

  // First rows by create time: job 9741, created at -1078 (before the trace's origin).
  CHECK(rep.time_shift_s == -1078.0);
  const TaskSpec& t0 = w.tasks[0];
  CHECK(t0.arrival_s == 0.0);
  CHECK(t0.job == 9741);
  CHECK(t0.cores == 1.0);
  CHECK(t0.work_core_s == Approx(1.0 * (2891 + 1078)));  // one instance: cores x duration
  CHECK(t0.memory_gb == Approx(0.016007041 * 256));
  CHECK(t0.priority == PriorityClass::Batch);
  CHECK(w.tasks[16].work_core_s == Approx(1.0 * (2738 + 1078)));

  REQUIRE(w.machines.nodes.size() == 1313);
  int typical = 0;  // 1,300 machines have normalized memory 0.69; 12 have ~1.0, one 0.575
  for (const auto& n : w.machines.nodes) {
    REQUIRE(n.cores == 64);
    REQUIRE(n.memory_gb >= 0.57 * 256);
    REQUIRE(n.memory_gb <= 256.0);
    typical += n.memory_gb == Approx(0.69 * 256).epsilon(0.001) ? 1 : 0;
  }
  CHECK(typical == 1300);
  CHECK(w.machines.total_cores() == 1313.0 * 64);
  bool softerror_noted = false;
  for (const auto& n : rep.notes) softerror_noted = softerror_noted || n.find("39 softerror") != std::string::npos;
  CHECK(softerror_noted);

  opt.max_instances_per_task = 1;
  opt.window_start_s = 0;
  opt.window_end_s = 3600;
  const Workload hour = read_trace("alibaba2017", opt);
  CHECK(hour.report.outside_window + hour.tasks.size() == 68128);
  CHECK(hour.tasks.back().arrival_s < 3600);
}

TEST_CASE("alibaba2017: the instance cap's kept share is reported, and cap 0 keeps every instance",
          "[workloads][traces]") {
  MARLSIM_REQUIRE_TRACE(kTasks);
  TraceOptions opt;
  opt.path = test::shared_trace(kTasks);
  const Workload capped = read_trace("alibaba2017", opt);
  CHECK(capped.report.instances_read == 10609540);  // instances of the 68,128 finished rows
  CHECK(capped.report.instances_kept == 483597);    // sum of min(instances, 16)
  CHECK(capped.report.instances_kept_pct() == Approx(4.558).epsilon(0.001));
  CHECK_THAT(capped.report.summary(), Catch::Contains("instances kept 483597 of 10609540 (4.6 %)"));

  opt.max_instances_per_task = 0;  // every instance, in the first hour (the whole trace is 10.6 M)
  opt.window_start_s = 0;
  opt.window_end_s = 3600;
  const Workload all = read_trace("alibaba2017", opt);
  CHECK(all.report.instances_kept == all.report.instances_read);
  CHECK(all.report.instances_kept_pct() == 100.0);
  CHECK(all.tasks.size() == 650035);  // the instances of the 4,145 rows created in [0, 3600)
}

TEST_CASE("alibaba2017: machine list path, bad rows and policies", "[workloads]") {
  test::TempDir dir;
  const auto tasks = dir.write("batch_task.csv", std::string(kHeader) +
                                                     "10,20,1,1,3,Terminated,50,0.01\n"
                                                     "12,12,1,2,1,Failed,0,0.02\n"  // zero time, zero cpu
                                                     "13,40,2,3,5,Running,50,0.01\n"
                                                     "14,40,2,4,5,Waiting,,\n");
  TraceOptions opt;
  opt.path = tasks;
  Workload w = read_trace("alibaba2017", opt);
  REQUIRE(w.tasks.size() == 4);                       // 3 copies + 1
  CHECK(w.tasks[0].work_core_s == Approx(0.5 * 10));  // 3 instances / 3 copies
  CHECK(w.tasks[3].cores == Approx(0.01));
  CHECK(w.tasks[3].work_core_s == Approx(0.01 * 1.0));
  CHECK(w.report.censored_total() == 2);
  CHECK(w.machines.nodes.empty());  // no server_event.csv next to it: noted, not an error

  dir.write("server_event.csv", "0,5,add,,64,0.5,1\n0,2,add,,32,0.25,1\n100,5,softerror,agent_check,0,0,0\n");
  w = read_trace("alibaba2017", opt);
  REQUIRE(w.machines.nodes.size() == 2);
  CHECK(w.machines.nodes[0].cores == 32);  // ordered by machine id
  CHECK(w.machines.nodes[1].memory_gb == Approx(128));

  opt.second_path = (dir.path() / "missing_server_event.csv").string();
  CHECK_THROWS_WITH(read_trace("alibaba2017", opt), Catch::Contains("missing_server_event.csv"));

  opt.second_path = dir.write("bad_event.csv", "0,5,add,,64,0.5,1\n0,x,add,,32,0.25,1\n");
  CHECK_THROWS_WITH(read_trace("alibaba2017", opt),
                    Catch::Contains("bad_event.csv:2: field 2 (machine_id): expected an integer, got \"x\""));

  opt.second_path.clear();
  opt.path = dir.write("bad_task.csv",
                       std::string(kHeader) + "10,20,1,1,3,Terminated,50,0.01\n10,20,1,1,three,Terminated,50,0.01\n");
  CHECK_THROWS_WITH(read_trace("alibaba2017", opt),
                    Catch::Contains("bad_task.csv:3: field 5 (instance_num): expected an integer"));
}
