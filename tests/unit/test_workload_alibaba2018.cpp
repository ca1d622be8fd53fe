#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "engine/support/input_error.hpp"
#include "workload_test_support.hpp"
#include "workloads/trace_reader.hpp"

using namespace marlsim;

namespace {
const char* kDags = "alibaba_v2018_dag/selected_DAGs.csv.gz";
const char* kHeader = "task_name,instance_num,job_name,task_type,status,start_time,end_time,plan_cpu,plan_mem\n";
}  // namespace

TEST_CASE("alibaba2018: the selected DAGs parse with counts and DAG structure", "[workloads][traces]") {
  MARLSIM_REQUIRE_TRACE(kDags);
  TraceOptions opt;
  opt.path = test::shared_trace(kDags);
  const Workload w = read_trace("alibaba2018", opt);
  const auto& rep = w.report;
  CHECK(rep.records_read == 55874);
  CHECK(rep.censored.at("status Running (did not finish)") == 652);
  CHECK(rep.censored.at("status Waiting (did not finish)") == 192);
  CHECK(w.tasks.size() == 205548);  // sum over kept rows of min(instances, 16)
  CHECK(rep.instances_kept == 205548);
  CHECK(rep.instances_read == 3116837);  // the cap keeps 6.6 %
  CHECK_THAT(rep.summary(), Catch::Contains("instances kept 205548 of 3116837 (6.6 %)"));
  CHECK(w.machines.nodes.empty());
  CHECK(rep.tasks_with_incomplete_parents >= 310);  // at least the truncated names

  opt.max_instances_per_task = 1;
  const Workload one = read_trace("alibaba2018", opt);
  REQUIRE(one.tasks.size() == 55030);
  bool parents_first = true;
  for (const auto& t : one.tasks)
    for (const auto p : t.parents) parents_first = parents_first && p < t.id;
  CHECK(parents_first);

  // Job j_3: M3 -> R1_3 -> R2_1 -> J4_2_3 -> R5_4; M3 -> R6_3 -> R7_6 -> J8_3_7 -> R9_8.
  std::map<double, const TaskSpec*> by_work;  // distinct work except R5_4 and R9_8 (5 s each)
  int in_job = 0;
  for (const auto& t : one.tasks)
    if (t.job == 3) by_work[t.work_core_s] = &t, ++in_job;
  REQUIRE(in_job == 9);
  REQUIRE(by_work.size() == 8);
  // Work is one instance's: cores (1) x duration.
  const TaskSpec* m3 = by_work.at(82.0);
  const TaskSpec* r2 = by_work.at(6.0);
  const TaskSpec* j4 = by_work.at(47.0);
  const TaskSpec* j8 = by_work.at(45.0);
  const TaskSpec* r7 = by_work.at(4.0);
  CHECK(m3->parents.empty());
  CHECK(j4->parents == std::vector<std::uint64_t>{std::min(r2->id, m3->id), std::max(r2->id, m3->id)});
  CHECK(j8->parents == std::vector<std::uint64_t>{std::min(r7->id, m3->id), std::max(r7->id, m3->id)});
  // Every task of the job arrives with the job (its first start, 157213), M3 first.
  CHECK(m3->arrival_s == j8->arrival_s);
  CHECK(m3->id < j4->id);
  CHECK(m3->cores == 1.0);
  CHECK(j4->memory_gb == Approx(0.59 / 100 * 512));
}

TEST_CASE("alibaba2018: DAG names, truncation, absent parents and instances", "[workloads]") {
  test::TempDir dir;
  const std::string trunc = "J9_1_2_3_4_5_6_7_8_10_11_12_13_14_15_16_17_18_19_2";  // 50 chars, cut inside "20"
  REQUIRE(trunc.size() == 50);
  const std::string text = std::string(kHeader) +
                           "M1,4.0,j_7,1,Terminated,100,110,50.0,0.5\n"
                           "R2_1,1.0,j_7,1,Terminated,110,120,100.0,0.5\n"
                           "R3_2_77,1.0,j_7,1,Failed,120,120,100.0,0.5\n"  // 77 is absent; zero duration
                           "M4,1.0,j_7,1,Waiting,0,0,,\n"
                           "R5_4,1.0,j_7,1,Terminated,130,140,100.0,0.5\n"    // parent censored
                           "task_abc,2.0,j_8,1,Terminated,90,95,0.0,0.1\n" +  // no DAG; 0 cpu -> floor
                           trunc +
                           ",1.0,j_7,1,Terminated,150,160,100.0,0.5\n";
  TraceOptions opt;
  opt.path = dir.write("dag.csv", text);
  opt.max_instances_per_task = 2;
  const Workload w = read_trace("alibaba2018", opt);
  const auto& rep = w.report;
  CHECK(rep.censored_total() == 1);
  // Rows: task_abc x2, M1 x2 (4 instances, cap 2), R2, R3, R5, J9.
  REQUIRE(w.tasks.size() == 8);
  // j_8 starts at 90, j_7 at 100: every task arrives with its job.
  CHECK(w.tasks[0].job == 8);
  CHECK(w.tasks[1].job == 8);
  CHECK(w.tasks[0].cores == Approx(0.01));
  for (std::size_t i = 2; i < 8; ++i) CHECK(w.tasks[i].arrival_s == 10.0);
  // M1 keeps 2 of its 4 instances (the cap), each 0.5 cores x 10 s as in the trace.
  CHECK(w.tasks[2].work_core_s == Approx(5.0));
  CHECK(w.tasks[3].work_core_s == Approx(5.0));
  CHECK(w.tasks[2].cores == 0.5);
  // Order within the job is by DAG depth, then file order: M1 x2, R5 (its parent was
  // censored: depth 0), R2 (depth 1), R3 (2), J9 (3).
  CHECK(w.tasks[4].parents.empty());
  CHECK(w.tasks[4].work_core_s == Approx(10.0));
  // R2_1 depends on M1's instance group (both copies): one edge, to the group's first task.
  CHECK(w.tasks[3].instance == 1);
  CHECK(w.tasks[3].group() == 2);
  const TaskSpec& r2 = w.tasks[5];
  CHECK(r2.parents == std::vector<std::uint64_t>{2});
  // R3_2_77 keeps R2 and loses 77; its zero duration becomes 1 s.
  const auto r3 = std::find_if(w.tasks.begin(), w.tasks.end(),
                               [](const TaskSpec& t) { return t.parents == std::vector<std::uint64_t>{5}; });
  REQUIRE(r3 != w.tasks.end());
  CHECK(r3->work_core_s == Approx(1.0));
  // J9: the truncated "..._2" is dropped, parents 1..8 and 10..19 that exist: M1 (a group), R2, R3, R5.
  const TaskSpec& j9 = w.tasks.back();
  CHECK(j9.parents.size() == 4);
  // Incomplete: R3 (77), R5 (censored M4), J9 (truncated + absent numbers).
  CHECK(rep.tasks_with_incomplete_parents == 3);
  CHECK(rep.parents_dropped >= 2 + 14);
}

TEST_CASE("alibaba2018: bad lines name the file, line and field", "[workloads]") {
  test::TempDir dir;
  const std::string text = std::string(kHeader) + "M1,1.0,j_7,1,Terminated,100,110,50.0,0.5\n" +
                           "M2,1.0,j_7,1,Terminated,100,1x0,50.0,0.5\n" + "M3,1.0,job7,1,Terminated,100,110,50.0,0.5\n";
  TraceOptions opt;
  opt.path = dir.write_gz("bad_dag.csv.gz", text);
  CHECK_THROWS_WITH(read_trace("alibaba2018", opt),
                    Catch::Contains("bad_dag.csv.gz:3: field 7 (end_time): expected a number, got \"1x0\""));
  opt.skip_bad_lines = true;
  const Workload w = read_trace("alibaba2018", opt);
  CHECK(w.tasks.size() == 1);
  CHECK(w.report.bad_lines_skipped == 2);
  CHECK_THAT(w.report.bad_line_messages.at(1), Catch::Contains(":4: field 3 (job_name)"));
}
