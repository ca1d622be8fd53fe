// The classic "hold" benchmark for pending-event sets (Jones, CACM 1986): fill the queue with
// N keys, then repeatedly pop the minimum and push it back at its time plus a random
// increment. N stays constant, so each hold is one pop and one push at a steady size.
//
// Queues: QuadHeap (the simulator's default), a binary heap (std::priority_queue with a
// comparator), d-ary heaps with branchy child selection (arity 4 and 8) and the
// CalendarQueue in engine/kernel/calendar_queue.hpp. Increments: exponential and uniform, both with
// mean 1 s in integer nanoseconds, as PHOLD's delays. Sizes 1e3 ... 1e6.
//
//   build-bench/bin/bench_event_queue --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernel/calendar_queue.hpp"
#include "engine/kernel/event.hpp"
#include "engine/kernel/quad_heap.hpp"
#include "engine/support/rng.hpp"

using namespace marlsim;

namespace {

// std::priority_queue is a max-heap: "a comes after b" makes the earliest key the top.
struct KeyAfter {
  bool operator()(const EventKey& a, const EventKey& b) const { return key_before(b, a); }
};

class BinaryHeap {
 public:
  bool empty() const { return q_.empty(); }
  std::size_t size() const { return q_.size(); }
  const EventKey& top() const { return q_.top(); }
  void push(const EventKey& k) { q_.push(k); }
  void pop() { q_.pop(); }
  void reserve(std::size_t) {}

 private:
  std::priority_queue<EventKey, std::vector<EventKey>, KeyAfter> q_;
};

// A d-ary heap with plain branches in the child selection: D = 4 is QuadHeap as it was before
// its branch-free pop (the "before" of that change), D = 8 checks the choice of arity.
template <std::size_t D>
class DaryHeap {
 public:
  bool empty() const { return keys_.empty(); }
  std::size_t size() const { return keys_.size(); }
  const EventKey& top() const { return keys_.front(); }
  void reserve(std::size_t n) { keys_.reserve(n); }
  void push(const EventKey& key) {
    std::size_t i = keys_.size();
    keys_.push_back(key);
    while (i > 0) {
      const std::size_t parent = (i - 1) / D;
      if (!key_before(key, keys_[parent])) break;
      keys_[i] = keys_[parent];
      i = parent;
    }
    keys_[i] = key;
  }
  void pop() {
    const EventKey last = keys_.back();
    keys_.pop_back();
    const std::size_t n = keys_.size();
    if (n == 0) return;
    std::size_t i = 0;
    for (;;) {
      const std::size_t first = D * i + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t end = first + D < n ? first + D : n;
      for (std::size_t c = first + 1; c < end; ++c)
        if (key_before(keys_[c], keys_[best])) best = c;
      if (!key_before(keys_[best], last)) break;
      keys_[i] = keys_[best];
      i = best;
    }
    keys_[i] = last;
  }

 private:
  std::vector<EventKey> keys_;
};

enum class Increment { Exponential, Uniform };

constexpr double kMeanIncrementNs = 1e9;  // 1 s, PHOLD's mean delay
constexpr std::size_t kTableSize = std::size_t{1} << 16;

// Increments are drawn once into a table so the benchmark times the queue, not the RNG.
std::vector<SimTime> increment_table(Increment kind) {
  RngStream rng(2024, 0);
  std::vector<SimTime> table(kTableSize);
  for (auto& v : table) {
    const double x = kind == Increment::Exponential ? rng.exponential(kMeanIncrementNs)
                                                    : rng.uniform(0.0, 2.0 * kMeanIncrementNs);
    v = static_cast<SimTime>(std::llround(x));
  }
  return table;
}

template <class Queue>
void BM_hold(benchmark::State& state, Increment kind) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<SimTime> inc = increment_table(kind);
  std::size_t next = 0;
  auto draw = [&] { return inc[next++ & (kTableSize - 1)]; };
  std::uint64_t order = 0;

  Queue q;
  q.reserve(n);
  for (std::size_t i = 0; i < n; ++i) q.push({draw(), order++, static_cast<std::uint32_t>(i)});
  auto hold = [&] {
    EventKey k = q.top();
    q.pop();
    k.time += draw();
    k.order = order++;
    q.push(k);
  };
  // Warm up to the steady-state distribution of pending times (the initial fill is denser).
  for (std::size_t i = 0; i < 2 * n; ++i) hold();

  for (auto _ : state) {
    hold();
    benchmark::DoNotOptimize(q.top());
  }
  if (q.size() != n) state.SkipWithError("queue size changed during hold");
  state.counters["holds/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["size"] = static_cast<double>(n);
}

void sizes(benchmark::internal::Benchmark* b) {
  for (std::int64_t n : {1'000, 10'000, 100'000, 1'000'000}) b->Arg(n);
}

}  // namespace

template <class Queue>
void register_queue(const char* name) {
  for (const auto& [label, kind] : {std::pair{"exp", Increment::Exponential}, std::pair{"uniform", Increment::Uniform}})
    benchmark::RegisterBenchmark((std::string("BM_hold/") + name + "/" + label).c_str(), BM_hold<Queue>, kind)
        ->Apply(sizes);
}

int main(int argc, char** argv) {
  register_queue<QuadHeap>("QuadHeap");
  register_queue<DaryHeap<4>>("Branchy4Heap");
  register_queue<BinaryHeap>("BinaryHeap");
  register_queue<DaryHeap<8>>("Branchy8Heap");
  register_queue<CalendarQueue>("CalendarQueue");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
