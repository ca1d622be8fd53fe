#include "engine/phold/phold.hpp"

#include <fmt/format.h>

#include <string>

#include "engine/kernel/simulator.hpp"
#include "engine/support/input_error.hpp"
#include "engine/support/memory_budget.hpp"
#include "engine/support/rng.hpp"

namespace marlsim {

namespace {

constexpr std::uint32_t kPholdEvent = 1;

class PholdLp final : public LogicalProcess {
 public:
  PholdLp(LpId id, const PholdConfig& config)
      : rng_(config.seed, id, /*stream=*/0),
        num_lps_(config.lps),
        population_(config.population),
        remote_fraction_(config.remote_fraction),
        lookahead_(from_seconds(config.lookahead_s)),
        extra_mean_s_(config.mean_delay_s - config.lookahead_s) {}

  void init(LpContext& ctx) override {
    for (std::uint32_t i = 0; i < population_; ++i) ctx.send(ctx.self(), next_delay(), kPholdEvent);
  }

  void handle(const Event& ev, LpContext& ctx) override {
    ++processed_;
    history_ = hash_combine(history_, static_cast<std::uint64_t>(ev.time) ^ ev.order);
    const bool remote = rng_.uniform() < remote_fraction_;
    const LpId dst = remote ? static_cast<LpId>(rng_.below(num_lps_)) : ctx.self();
    ctx.send(dst, next_delay(), kPholdEvent);
  }

  std::uint64_t state_hash() const override { return hash_combine(hash_combine(processed_, history_), rng_.draws()); }

 private:
  SimTime next_delay() { return lookahead_ + from_seconds(rng_.exponential(extra_mean_s_)); }

  RngStream rng_;
  std::uint64_t num_lps_;
  std::uint32_t population_;
  double remote_fraction_;
  SimTime lookahead_;
  double extra_mean_s_;
  std::uint64_t processed_ = 0;
  std::uint64_t history_ = 0;  // order-sensitive digest of the events this LP processed
};

}  // namespace

void PholdConfig::validate() const {
  auto fail = [](const std::string& option, const std::string& what) { throw InputError::at(option, what); };
  if (lps == 0) fail("--lps", "expected a positive number of logical processes");
  if (lps > kMaxLps) fail("--lps", "expected at most " + std::to_string(kMaxLps));
  if (population == 0) fail("--population", "expected a positive number of events per LP");
  if (!(remote_fraction >= 0.0 && remote_fraction <= 1.0)) fail("--remote", "expected a fraction in [0, 1]");
  if (!(mean_delay_s > 0.0)) fail("--mean", "expected a positive mean delay in seconds");
  if (!(lookahead_s > 0.0)) fail("--lookahead", "expected a positive lookahead in seconds");
  if (from_seconds(lookahead_s) < 1)  // the clock counts nanoseconds: less rounds to 0
    fail("--lookahead", fmt::format("expected at least 1e-09 s (1 ns, the clock's resolution), got {:g}", lookahead_s));
  if (lookahead_s > mean_delay_s)
    fail("--lookahead", "expected at most the mean delay (--mean " + std::to_string(mean_delay_s) + "), got " +
                            std::to_string(lookahead_s));
  if (!(end_time_s > 0.0) || end_time_s > 9.0e9) fail("--end", "expected a positive end time in seconds");
  // Every LP holds `population` events at all times (an event and its queue key).
  require_memory("--population", fmt::format("{} LPs x {} events", lps, population),
                 static_cast<double>(lps) * static_cast<double>(population) * (sizeof(Event) + 24.0));
}

PholdResult run_phold(const Communicator& comm, const PholdConfig& config) {
  config.validate();
  Simulator sim(comm, config.lps, from_seconds(config.lookahead_s), config.partition,
                [&](LpId id) { return std::make_unique<PholdLp>(id, config); });
  const RunStats local = sim.run(from_seconds(config.end_time_s));
  PholdResult result;
  result.stats = local.reduced(comm);
  result.checksum = sim.global_state_hash();
  return result;
}

}  // namespace marlsim
