#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "agents/queue_discipline.hpp"
#include "engine/support/input_error.hpp"
#include "engine/support/rng.hpp"

using namespace marlsim;

namespace {
constexpr SimTime kNow = 1000 * kNanosPerSecond;

QueuedTask q(std::uint64_t id, double cores, double memory_gb, double runtime_s,
             PriorityClass p = PriorityClass::Batch) {
  return QueuedTask{id, cores, memory_gb, runtime_s, p, kNow - static_cast<SimTime>(100 - id) * kNanosPerSecond};
}

RunningTask r(double ends_in_s, double cores, double memory_gb) {
  return RunningTask{kNow + from_seconds(ends_in_s), cores, memory_gb};
}

std::vector<std::size_t> select(std::string_view discipline, const std::vector<QueuedTask>& queue,
                                const std::vector<RunningTask>& running, double free_cores, double free_memory_gb) {
  std::vector<std::size_t> start = {999};  // select() appends: what was there stays
  make_queue_discipline(discipline)->select(queue, running, free_cores, free_memory_gb, kNow, start);
  REQUIRE(start.front() == 999);
  start.erase(start.begin());
  return start;
}

using Idx = std::vector<std::size_t>;
}  // namespace

TEST_CASE("Queue discipline registry: every name constructs, unknown names list the valid ones", "[policies]") {
  const std::vector<std::string> expected = {"fcfs", "priority", "sjf", "easy-backfill"};
  std::vector<std::string> names;
  for (const QueueDisciplineInfo& info : queue_disciplines()) {
    names.emplace_back(info.name);
    CHECK_FALSE(info.description.empty());
    const auto d = make_queue_discipline(info.name);
    REQUIRE(d != nullptr);
    CHECK(d->name() == info.name);
  }
  CHECK(names == expected);
  try {
    make_queue_discipline("lifo");
    FAIL("no InputError for an unknown discipline");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("\"lifo\"") != std::string::npos);
    for (const std::string& n : expected) CHECK(what.find(n) != std::string::npos);
  }
}

TEST_CASE("fcfs: from the head while tasks fit, stopping at head-of-line blocking", "[policies]") {
  const std::vector<QueuedTask> queue = {q(0, 2, 4, 10), q(1, 8, 4, 10), q(2, 1, 1, 10)};
  CHECK(select("fcfs", queue, {}, 4, 32) == Idx{0});  // task 2 would fit but may not overtake task 1
  CHECK(select("fcfs", queue, {}, 11, 32) == Idx{0, 1, 2});
  CHECK(select("fcfs", queue, {}, 11, 8) == Idx{0, 1});  // memory blocks too
  CHECK(select("fcfs", queue, {}, 1, 32).empty());
  CHECK(select("fcfs", {}, {}, 8, 32).empty());
}

TEST_CASE("priority: Production, Batch, Best-effort, FCFS within a class, strict", "[policies]") {
  const std::vector<QueuedTask> queue = {
      q(0, 1, 1, 10, PriorityClass::BestEffort), q(1, 1, 1, 10, PriorityClass::Batch),
      q(2, 1, 1, 10, PriorityClass::Production), q(3, 1, 1, 10, PriorityClass::Batch)};
  CHECK(select("priority", queue, {}, 1, 32) == Idx{2});
  CHECK(select("priority", queue, {}, 2, 32) == Idx{1, 2});     // Production, then the older Batch task
  CHECK(select("priority", queue, {}, 3, 32) == Idx{1, 2, 3});  // best-effort still waits
  CHECK(select("priority", queue, {}, 4, 32) == Idx{0, 1, 2, 3});
  // Strict: a Production task that does not fit holds back every lower class.
  const std::vector<QueuedTask> wide = {q(0, 1, 1, 10, PriorityClass::Batch),
                                        q(1, 4, 1, 10, PriorityClass::Production)};
  CHECK(select("priority", wide, {}, 2, 32).empty());
}

TEST_CASE("sjf: shortest run time first, ties in queue order, strict", "[policies]") {
  const std::vector<QueuedTask> queue = {q(0, 1, 1, 30), q(1, 1, 1, 10), q(2, 1, 1, 20), q(3, 1, 1, 5)};
  CHECK(select("sjf", queue, {}, 1, 32) == Idx{3});
  CHECK(select("sjf", queue, {}, 2, 32) == Idx{1, 3});
  CHECK(select("sjf", queue, {}, 3, 32) == Idx{1, 2, 3});
  const std::vector<QueuedTask> ties = {q(0, 1, 1, 10), q(1, 1, 1, 10), q(2, 1, 1, 10)};
  CHECK(select("sjf", ties, {}, 2, 32) == Idx{0, 1});
  // Strict: the shortest task is too wide, so nothing overtakes it.
  const std::vector<QueuedTask> wide = {q(0, 1, 1, 10), q(1, 4, 1, 5)};
  CHECK(select("sjf", wide, {}, 2, 32).empty());
}

TEST_CASE("easy-backfill: backfills only what cannot delay the head's reservation", "[policies]") {
  // An 8-core, 32 GB node: 4 cores and 20 GB run until now + 100 s; 4 cores and 12 GB free.
  const std::vector<RunningTask> running = {r(100, 4, 20)};
  // The head needs 6 cores and 26 GB: it waits; its shadow time is now + 100 s, when 8 cores and
  // 32 GB are free: 2 cores and 6 GB extra.
  const QueuedTask head = q(0, 6, 26, 50);
  SECTION("a short task that ends before the reservation is backfilled") {
    const std::vector<QueuedTask> queue = {head, q(1, 3, 4, 99)};
    CHECK(select("easy-backfill", queue, running, 4, 12) == Idx{1});
    CHECK(select("fcfs", queue, running, 4, 12).empty());
  }
  SECTION("ending exactly at the shadow time is allowed, a nanosecond later is not") {
    CHECK(select("easy-backfill", {head, q(1, 3, 4, 100)}, running, 4, 12) == Idx{1});
    CHECK(select("easy-backfill", {head, q(1, 3, 4, 100.000000001)}, running, 4, 12).empty());
  }
  SECTION("a long task wider than the extra cores would delay the head: refused") {
    CHECK(select("easy-backfill", {head, q(1, 3, 4, 500)}, running, 4, 12).empty());
  }
  SECTION("a long task within the extra cores and memory cannot delay the head: started") {
    CHECK(select("easy-backfill", {head, q(1, 2, 6, 500)}, running, 4, 12) == Idx{1});
    // Memory is reserved too: 7 GB > 6 GB extra.
    CHECK(select("easy-backfill", {head, q(1, 2, 7, 500)}, running, 4, 12).empty());
    // The extra is consumed: of two long 1-core tasks plus a third, only two fit the 2 extra cores.
    CHECK(select("easy-backfill", {head, q(1, 1, 1, 500), q(2, 1, 1, 500), q(3, 1, 1, 500)}, running, 4, 12) ==
          Idx{1, 2});
  }
  SECTION("tasks started from the head count in the shadow time") {
    // Idle node: A (4 cores, 100 s) starts; B (6 cores) is blocked until A ends at now + 100 s,
    // extra 2 cores; C ends in 50 s (backfilled); D (2 cores, 500 s) uses the extra cores.
    const std::vector<QueuedTask> queue = {q(0, 4, 4, 100), q(1, 6, 6, 10), q(2, 2, 2, 50), q(3, 2, 2, 500)};
    CHECK(select("easy-backfill", queue, {}, 8, 32) == Idx{0, 2, 3});
    // With D 3 cores wide it no longer fits now (2 cores left after C).
    const std::vector<QueuedTask> queue2 = {q(0, 4, 4, 100), q(1, 6, 6, 10), q(2, 2, 2, 50), q(3, 3, 2, 500)};
    CHECK(select("easy-backfill", queue2, {}, 8, 32) == Idx{0, 2});
  }
  SECTION("tasks ending together all count for the extra at the shadow time") {
    // Two 2-core tasks end at now + 100 s: 4 free + 4 = 8, head needs 6 -> extra 2 (not 0).
    const std::vector<RunningTask> two = {r(100, 2, 2), r(100, 2, 2)};
    CHECK(select("easy-backfill", {q(0, 6, 6, 50), q(1, 2, 2, 500)}, two, 4, 28) == Idx{1});
  }
}

TEST_CASE("easy-backfill: on random queues, what starts fits and never delays the reservation", "[policies]") {
  RngStream rng(2024, 1);
  const auto easy = make_queue_discipline("easy-backfill");
  int backfilled = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const double cap_cores = 16, cap_mem = 64;
    std::vector<RunningTask> running;
    double used_c = 0, used_m = 0;
    while (true) {
      const RunningTask t = r(rng.uniform(1, 200), 1 + static_cast<double>(rng.below(6)), rng.uniform(1, 16));
      if (used_c + t.cores > cap_cores || used_m + t.memory_gb > cap_mem) break;
      running.push_back(t);
      used_c += t.cores;
      used_m += t.memory_gb;
    }
    std::vector<QueuedTask> queue;
    const auto n = 1 + rng.below(12);
    for (std::uint64_t i = 0; i < n; ++i)
      queue.push_back(q(i, 1 + static_cast<double>(rng.below(12)), rng.uniform(1, 24), rng.uniform(1, 300)));
    const double free_c = cap_cores - used_c, free_m = cap_mem - used_m;

    std::vector<std::size_t> start;
    easy->select(queue, running, free_c, free_m, kNow, start);
    const std::vector<std::size_t> fcfs = select("fcfs", queue, running, free_c, free_m);
    REQUIRE(std::is_sorted(start.begin(), start.end()));
    REQUIRE(std::adjacent_find(start.begin(), start.end()) == start.end());
    // The FCFS prefix always starts.
    REQUIRE(std::equal(fcfs.begin(), fcfs.end(), start.begin()));
    double sc = 0, sm = 0;
    for (const auto i : start) sc += queue[i].cores, sm += queue[i].memory_gb;
    REQUIRE(sc <= free_c + 1e-9);
    REQUIRE(sm <= free_m + 1e-9);
    if (fcfs.size() == queue.size()) continue;
    backfilled += static_cast<int>(start.size() - fcfs.size());

    // The head's earliest start with only the FCFS prefix started, and with everything started.
    const QueuedTask& head = queue[fcfs.size()];
    auto earliest = [&](const std::vector<std::size_t>& started) {
      std::vector<RunningTask> all = running;
      for (const auto i : started)
        all.push_back({kNow + from_seconds(queue[i].runtime_s), queue[i].cores, queue[i].memory_gb});
      std::vector<SimTime> times = {kNow};
      for (const auto& t : all) times.push_back(t.end);
      std::sort(times.begin(), times.end());
      for (const SimTime at : times) {
        double c = 0, m = 0;
        for (const auto& t : all)
          if (t.end > at) c += t.cores, m += t.memory_gb;
        if (head.cores <= cap_cores - c && head.memory_gb <= cap_mem - m) return at;
      }
      return kTimeInfinity;
    };
    REQUIRE(earliest(start) == earliest(fcfs));
  }
  CHECK(backfilled > 100);  // the property was exercised, not vacuous
}

TEST_CASE("Every discipline: what starts fits, indices ascending and distinct", "[policies]") {
  RngStream rng(77, 1);
  for (const QueueDisciplineInfo& info : queue_disciplines()) {
    const auto d = info.make();
    for (int trial = 0; trial < 300; ++trial) {
      std::vector<QueuedTask> queue;
      const auto n = rng.below(20);
      for (std::uint64_t i = 0; i < n; ++i)
        queue.push_back(q(i, rng.uniform(0.1, 8), rng.uniform(0.5, 30), rng.uniform(1, 300),
                          static_cast<PriorityClass>(rng.below(3))));
      const std::vector<RunningTask> running = {r(rng.uniform(1, 100), 4, 8), r(rng.uniform(1, 100), 2, 16)};
      const double free_c = rng.uniform(0, 16), free_m = rng.uniform(0, 64);
      std::vector<std::size_t> start;
      d->select(queue, running, free_c, free_m, kNow, start);
      INFO(info.name << " trial " << trial);
      REQUIRE(std::is_sorted(start.begin(), start.end()));
      REQUIRE(std::adjacent_find(start.begin(), start.end()) == start.end());
      double sc = 0, sm = 0;
      for (const auto i : start) {
        REQUIRE(i < queue.size());
        sc += queue[i].cores;
        sm += queue[i].memory_gb;
      }
      REQUIRE(sc <= free_c + 1e-9);
      REQUIRE(sm <= free_m + 1e-9);
    }
  }
}
