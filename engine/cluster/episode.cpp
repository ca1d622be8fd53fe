#include "engine/cluster/episode.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "agents/actor_critic_features.hpp"
#include "agents/admission_policy.hpp"
#include "agents/nn/observation_layout.hpp"
#include "agents/policy_registry.hpp"
#include "engine/cluster/decision_batcher.hpp"
#include "engine/cluster/node_lp.hpp"
#include "engine/cluster/report_board.hpp"
#include "engine/cluster/scheduler_lp.hpp"
#include "engine/cluster/source_lp.hpp"
#include "engine/kernel/partition.hpp"
#include "engine/kernel/simulator.hpp"
#include "engine/support/input_error.hpp"
#include "engine/support/statistics.hpp"

namespace marlsim {

void check_policy_fits_topology(const std::string& policy, const SchedulerConfig& scheduler) {
  const PolicyRequirements needs = scheduling_policy_info(policy).requirements;
  const std::string where = "policy " + policy + " in topology " + std::string(topology_name(scheduler.topology));
  if (needs.local_node && scheduler.topology == Topology::Centralized)
    throw InputError::at(where,
                         "it prefers the deciding node, and a central scheduler has none; use topology "
                         "two-level or decentralized");
  if (needs.load_information && scheduler.topology == Topology::Decentralized && scheduler.sharing == Sharing::None)
    throw InputError::at(where,
                         "it needs other nodes' load, and with sharing = \"none\" a node knows only its "
                         "own; use sharing = \"limited\" or \"global\"");
}

void check_policy_settings(const std::string& policy, const ClusterModelSettings& settings) {
  if (settings.agents.actor_critic.greedy && (policy == "hrac" || policy == "hierrl"))
    throw InputError::at("agents.greedy", "only decentralized-ac evaluates greedily; " + policy +
                                              " would ignore it (set it to false, or run " + policy +
                                              " in a scenario of its own)");
  if (settings.agents.actor_critic.mask_unfit && (policy == "hrac" || policy == "hierrl"))
    throw InputError::at("agents.mask_unfit", "only decentralized-ac masks unfit candidates; " + policy +
                                                  " would ignore it (set it to false, or run " + policy +
                                                  " in a scenario of its own)");
  const std::string default_queue = SchedulerConfig{}.queue;
  if (policy == "hierrl" && settings.scheduler.queue != default_queue)
    throw InputError::at("scheduler.queue",
                         "hierrl's low-level agent orders every node's queue, which would replace \"" +
                             settings.scheduler.queue + "\"; leave it at \"" + default_queue + "\"");
}

namespace {

// The centralized critic's input per decision cycle: the true state of every node of the
// episode (the rank holds them all: run_episodes asks for one rank), summarised in the
// layout's global section.
void record_global_state(Simulator& sim, std::uint64_t episode, const ModelSetup& setup, DecisionLog& log) {
  std::vector<const NodeLp*> nodes;
  for (LpId global : sim.local_lps())
    if (sim.episode_of(global) == episode && sim.local_id(global) < setup.nodes())
      nodes.push_back(&static_cast<const NodeLp&>(sim.lp(global)));
  log.global_width = nn::decentralized_ac_observation_layout().global.size();
  log.global_state_source = [nodes, specs = std::span<const NodeSpec>(setup.cluster->nodes),
                             states = std::vector<NodeView>()](SimTime now, std::span<float> out) mutable {
    states.resize(nodes.size());
    for (std::size_t i = 0; i < nodes.size(); ++i) states[i] = nodes[i]->own_view(now);
    write_global_features(specs, states, out);
  };
}

ModelSetup make_setup(const EpisodeInput& in) {
  ModelSetup s;
  s.tasks = in.tasks;
  s.cluster = in.cluster;
  s.scheduler = in.settings->scheduler;
  s.failures = in.settings->cluster.failures;
  s.policy = in.policy;
  s.seed = in.settings->run.seed;
  s.episode = in.episode;
  s.network_latency = from_seconds(in.settings->cluster.network_latency_s);
  s.decision_latency = from_seconds(in.settings->scheduler.decision_latency_s);
  s.observation_loss = in.settings->agents.observation_loss;
  const ArrivalWindow window = arrival_window(in);
  s.window_begin = window.begin;
  s.window_end = window.end;
  return s;
}

// Busy core-seconds over capacity in %, plain and with each node weighted by its speed.
struct Utilization {
  double plain_pct, speed_weighted_pct;
};
Utilization utilization(const ClusterSpec& cluster, const std::vector<NodeRecord>& nodes,
                        double NodeRecord::*busy_core_s, double duration_s) {
  if (!(duration_s > 0)) return {std::nan(""), std::nan("")};
  double busy = 0, speed_busy = 0, cores = 0, speed_cores = 0;
  for (const NodeRecord& node : nodes) {
    const NodeSpec& spec = cluster.nodes[node.node];
    busy += node.*busy_core_s;
    speed_busy += spec.speed * node.*busy_core_s;
    cores += spec.cores;
    speed_cores += spec.speed * spec.cores;
  }
  return {100.0 * busy / (cores * duration_s), 100.0 * speed_busy / (speed_cores * duration_s)};
}

EpisodeMetrics summarize(const EpisodeInput& in, const EpisodeResult& r, const std::vector<DecisionStats>& deciders,
                         std::vector<double> staleness_s) {
  const auto& tasks = *in.tasks;
  EpisodeMetrics m;
  m.tasks = tasks.size();
  m.completed = r.tasks.size();
  std::vector<double> completion;
  completion.reserve(r.tasks.size());
  double wait = 0, slowdown = 0;
  std::uint64_t sla_met = 0;
  SimTime makespan = 0;
  const ArrivalWindow window = arrival_window(in);
  const SimTime window_middle = window.begin + (window.end - window.begin) / 2;
  double half_wait[2] = {0, 0}, half_count[2] = {0, 0};  // first and second half of the window
  for (const TaskRecord& t : r.tasks) {
    makespan = std::max(makespan, t.end);
    const TaskSpec& spec = tasks[t.task];
    if (from_seconds(spec.arrival_s) < window.begin) continue;  // arrived in the warm-up: not measured
    const TaskOutcome o = task_outcome(t, spec);
    completion.push_back(o.completion_s);
    wait += o.wait_s;
    const int half = from_seconds(spec.arrival_s) < window_middle ? 0 : 1;
    half_wait[half] += o.wait_s;
    half_count[half] += 1;
    slowdown += o.slowdown;
    if (o.sla_met) ++sla_met;
    m.reschedules += t.reschedules;
  }
  m.measured_tasks = completion.size();
  if (!completion.empty()) {
    const double n = static_cast<double>(completion.size());
    m.mean_completion_s = mean_of(completion);
    m.p50_completion_s = percentile_of(completion, 0.50);
    m.p95_completion_s = percentile_of(completion, 0.95);
    m.p99_completion_s = percentile_of(std::move(completion), 0.99);  // its last use
    m.mean_wait_s = wait / n;
    m.wait_drift_s = half_count[0] > 0 && half_count[1] > 0
                         ? half_wait[1] / half_count[1] - half_wait[0] / half_count[0]
                         : std::nan("");
    m.mean_slowdown = slowdown / n;
    m.sla_pct = 100.0 * static_cast<double>(sla_met) / n;
  }
  m.makespan_s = to_seconds(makespan);
  for (const NodeRecord& node : r.nodes) {
    m.energy_j += node.energy_j;
    m.failures += node.failures;
  }
  m.energy_kwh = m.energy_j / 3.6e6;
  if (m.makespan_s > 0) {
    const Utilization u = utilization(*in.cluster, r.nodes, &NodeRecord::busy_core_s, m.makespan_s);
    m.utilization_pct = u.plain_pct;
    m.speed_weighted_utilization_pct = u.speed_weighted_pct;
    m.throughput_per_s = static_cast<double>(r.tasks.size()) / m.makespan_s;
  }
  m.arrival_window_s = to_seconds(window.end - window.begin);
  const Utilization w = utilization(*in.cluster, r.nodes, &NodeRecord::window_busy_core_s, m.arrival_window_s);
  m.arrival_window_utilization_pct = w.plain_pct;
  m.arrival_window_speed_weighted_utilization_pct = w.speed_weighted_pct;
  double sim_latency = 0, wall = 0;
  std::uint64_t messages = 0, bytes = 0, candidates = 0, unreported = 0;
  for (const DecisionStats& d : deciders) {
    m.decisions += d.decisions;
    m.spills += d.spills;
    sim_latency += d.sim_latency_s;
    wall += d.wall_s;
    messages += d.messages;
    bytes += d.message_bytes;
    m.reports_lost += d.reports_lost;
    candidates += d.candidates_seen;
    unreported += d.candidates_unreported;
  }
  const auto agents = static_cast<double>(in.cluster->nodes.size());
  m.messages_per_agent = static_cast<double>(messages) / agents;
  m.bytes_per_agent = static_cast<double>(bytes) / agents;
  m.unreported_candidates_pct = candidates > 0
                                    ? 100.0 * static_cast<double>(unreported) / static_cast<double>(candidates)
                                    : std::nan("");
  // Sorted first: the same sum whichever rank held which decision.
  std::sort(staleness_s.begin(), staleness_s.end());
  m.mean_staleness_s = staleness_s.empty() ? std::nan("") : mean_of(staleness_s);
  m.p95_staleness_s = staleness_s.empty() ? std::nan("") : percentile_of(staleness_s, 0.95);
  if (m.decisions > 0) {
    m.decision_latency_sim_s = sim_latency / static_cast<double>(m.decisions);
    m.decision_latency_wall_us = 1e6 * wall / static_cast<double>(m.decisions);
  }
  return m;
}

}  // namespace

double default_time_limit_s(const EpisodeInput& in) {
  // Generous: every task could run one after another on the slowest node three times over,
  // plus the repairs. An episode that reaches it reports its unfinished tasks as incomplete.
  const TaskStreamFacts& facts = in.tasks->facts();
  double slowest = 1e300;
  for (const NodeSpec& n : in.cluster->nodes) slowest = std::min(slowest, n.speed);
  if (slowest != facts.slowest_speed)
    throw std::logic_error("default_time_limit_s: the task table's facts were recorded on another cluster");
  const double serial_s = facts.serial_run_s, last_arrival = facts.last_arrival_s;
  const FailureConfig& f = in.settings->cluster.failures;
  const double repairs = f.distribution == LifetimeDistribution::None ? 0.0 : 1000 * f.mttr_s;
  return std::min(2e9, last_arrival + 3 * serial_s + repairs + 3600);
}

ArrivalWindow arrival_window(const EpisodeInput& in) {
  const SimTime begin = from_seconds(in.settings->run.warmup_s);
  const SimTime last_arrival = from_seconds(in.tasks->facts().last_arrival_s);
  return {begin, std::max(begin, last_arrival)};
}

EpisodeResult run_episode(const Communicator& comm, const EpisodeInput& in, const LearnerLink* learner) {
  return std::move(run_episodes(comm, std::span(&in, 1), learner).front());
}

namespace {

// What run_episodes gathers of episode `e` (its LPs among the rank's), summarised on rank 0.
EpisodeResult gather_episode(const Communicator& comm, Simulator& sim, std::uint64_t e, const EpisodeInput& in,
                             const ModelSetup& setup) {
  const bool done = sim.episode_done(e);
  if (!done &&
      sim.next_time(e) == kTimeInfinity)  // nothing left to happen, yet tasks are neither done nor listed: a model bug
    throw std::logic_error("episode " + std::to_string(in.episode) + " of " + in.policy +
                           " stalled with unfinished tasks and no pending events");

  // Gather what the LPs recorded; rank 0 orders it by id so sums run in one fixed order.
  std::vector<TaskRecord> tasks;
  std::vector<DecisionStats> deciders;
  std::vector<LpId> decider_ids;  // parallel to deciders
  std::vector<double> staleness;  // per decision
  std::vector<std::uint64_t> unschedulable, blocked;
  SimTime local_makespan = 0;
  std::vector<LpId> mine;  // the rank's LPs of this episode, local ids
  for (LpId global : sim.local_lps())
    if (sim.episode_of(global) == e) mine.push_back(sim.local_id(global));
  const auto lp = [&](LpId id) -> const LogicalProcess& { return sim.lp(sim.global_id(e, id)); };
  // Sized once: growing by doubling would hold up to twice the records while it copies.
  std::size_t record_count = 0, staleness_count = 0;
  for (LpId id : mine) {
    if (id < setup.nodes()) {
      record_count += static_cast<const NodeLp&>(lp(id)).records().size();
      staleness_count += static_cast<const NodeLp&>(lp(id)).staleness().size();
    } else if (id == setup.scheduler_lp()) {
      staleness_count += static_cast<const SchedulerLp&>(lp(id)).staleness().size();
    }
  }
  tasks.reserve(record_count);
  staleness.reserve(staleness_count);
  for (LpId id : mine) {
    if (id < setup.nodes()) {
      const auto& node = static_cast<const NodeLp&>(lp(id));
      tasks.insert(tasks.end(), node.records().begin(), node.records().end());
      deciders.push_back(node.decisions(sim.episode_stop(e)));
      decider_ids.push_back(id);
      staleness.insert(staleness.end(), node.staleness().begin(), node.staleness().end());
      for (const TaskRecord& t : node.records()) local_makespan = std::max(local_makespan, t.end);
    } else if (id == setup.source_lp()) {
      const auto& source = static_cast<const SourceLp&>(lp(id));
      unschedulable = source.unschedulable();
      blocked = source.blocked();
    } else {
      const auto& scheduler = static_cast<const SchedulerLp&>(lp(id));
      deciders.push_back(scheduler.decisions());
      decider_ids.push_back(id);
      staleness.insert(staleness.end(), scheduler.staleness().begin(), scheduler.staleness().end());
    }
  }
  const SimTime makespan = comm.allreduce_max(local_makespan);
  std::vector<NodeRecord> nodes;
  for (LpId id : mine)
    if (id < setup.nodes()) nodes.push_back(static_cast<const NodeLp&>(lp(id)).node_record(makespan));

  EpisodeResult result;
  // One rank keeps its records as they are; with more, each rank frees its share once gathered
  // (a copy of every record would otherwise sit beside the gathered ones: 40 bytes per task).
  result.tasks = comm.size() == 1 ? std::move(tasks) : comm.gather_to_root(tasks);
  std::vector<TaskRecord>().swap(tasks);
  result.nodes = comm.gather_to_root(nodes);
  result.unschedulable = comm.gather_to_root(unschedulable);
  result.blocked = comm.gather_to_root(blocked);
  const auto gathered_deciders = comm.gather_to_root(deciders);
  const auto gathered_ids = comm.gather_to_root(decider_ids);
  std::vector<double> all_staleness = comm.size() == 1 ? std::move(staleness) : comm.gather_to_root(staleness);
  std::vector<double>().swap(staleness);
  std::vector<std::size_t> by_id(gathered_ids.size());
  for (std::size_t i = 0; i < by_id.size(); ++i) by_id[i] = i;
  std::sort(by_id.begin(), by_id.end(),
            [&](std::size_t a, std::size_t b) { return gathered_ids[a] < gathered_ids[b]; });
  std::vector<DecisionStats> all_deciders;
  for (std::size_t i : by_id) all_deciders.push_back(gathered_deciders[i]);
  std::sort(result.tasks.begin(), result.tasks.end(), [](auto& a, auto& b) { return a.task < b.task; });
  std::sort(result.nodes.begin(), result.nodes.end(), [](auto& a, auto& b) { return a.node < b.node; });
  std::sort(result.unschedulable.begin(), result.unschedulable.end());
  std::sort(result.blocked.begin(), result.blocked.end());
  // The episode's LPs only, each under its episode-local id: the same digest as alone.
  std::uint64_t hash = 0;
  for (LpId id : mine) hash += mix64(hash_combine(id, lp(id).state_hash()));
  result.checksum = comm.allreduce_sum(hash);

  if (comm.is_root()) {
    result.metrics = summarize(in, result, all_deciders, std::move(all_staleness));
    result.metrics.unschedulable = result.unschedulable.size();
    result.metrics.blocked = result.blocked.size();
    result.metrics.incomplete = result.metrics.tasks - result.metrics.completed - result.metrics.unschedulable -
                                result.metrics.blocked;
  }
  comm.broadcast(result.metrics);
  return result;
}

// The decide() calls of a run, over every rank: count, requests, 95th percentile of the size.
struct BatchFigures {
  std::uint64_t batches = 0, requests = 0;
  double p95 = 0;
};
BatchFigures batch_figures(const Communicator& comm, const DecisionBatcher* batcher,
                           const std::vector<DecisionStats>& at_once) {
  std::vector<std::uint32_t> sizes;
  BatchFigures f;
  if (batcher) {
    f.batches = batcher->stats().batches;
    f.requests = batcher->stats().requests;
    sizes = batcher->stats().sizes;
  } else {
    for (const DecisionStats& d : at_once) {
      f.batches += d.batches;
      f.requests += d.batched_requests;
    }
  }
  f.batches = comm.allreduce_sum(f.batches);
  f.requests = comm.allreduce_sum(f.requests);
  if (batcher) {
    std::vector<double> all;
    for (std::uint32_t n : comm.gather_to_root(sizes)) all.push_back(n);
    std::sort(all.begin(), all.end());
    f.p95 = all.empty() ? 0.0 : percentile_of(all, 0.95);
    comm.broadcast(f.p95);
  } else {
    f.p95 = 0;  // at once: each decider's calls are counted, not their sizes (0: not recorded)
  }
  return f;
}

}  // namespace

std::vector<EpisodeResult> run_episodes(const Communicator& comm, std::span<const EpisodeInput> inputs,
                                        const LearnerLink* learner) {
  if (inputs.empty()) return {};
  const EpisodeInput& first = inputs.front();
  const SchedulerConfig& sc = first.settings->scheduler;
  check_policy_fits_topology(first.policy, sc);
  check_policy_settings(first.policy, *first.settings);
  const SimTime cycle = from_seconds(first.settings->agents.decision_period_s);
  const bool windowed_decisions = sc.decide == DecideWhen::WindowEnd || cycle > 0;
  if (inputs.size() > 1) {
    for (const EpisodeInput& in : inputs)
      if (in.settings != first.settings || in.policy != first.policy || in.cluster != first.cluster)
        throw std::invalid_argument("run_episodes: batched episodes share settings, policy and cluster");
    if (sc.decide == DecideWhen::WindowEnd && cycle <= 0)
      throw InputError::at("run.batch_episodes",
                           "batched episodes decide at once or in decision cycles: window-end decisions depend "
                           "on where windows end, which the other episodes change; set agents.decision_period_s > 0");
    if (inputs.size() > Simulator::kMaxEpisodes)
      throw InputError::at("run.batch_episodes", "at most " + std::to_string(Simulator::kMaxEpisodes) +
                                                     " episodes in one kernel, got " + std::to_string(inputs.size()));
  }
  // The rank's policies, built once and shared by its LPs (which keep only per-LP state).
  const std::span<DecisionLog> logs = learner != nullptr ? learner->logs : std::span<DecisionLog>();
  if (!logs.empty() && (comm.size() != 1 || logs.size() != inputs.size()))
    throw std::invalid_argument(
        "run_episodes: decision logs need a one-rank communicator (the global state is read "
        "from the rank's own nodes) and one log per episode");
  const std::unique_ptr<SchedulingPolicy> policy = make_scheduling_policy(
      first.policy, {sc.topology == Topology::Decentralized ? "node-agent" : "central", first.settings->run.seed,
                     &first.settings->agents, learner, first.cluster});
  const std::unique_ptr<AdmissionPolicy> admission = make_admission_policy(
      sc.admission, {.spill_queue_length = sc.spill_queue_length});
  std::vector<std::unique_ptr<ModelSetup>> setups;  // one per episode; LPs keep references
  std::vector<std::unique_ptr<ReportBoard>> boards;
  for (const EpisodeInput& in : inputs) {
    setups.push_back(std::make_unique<ModelSetup>(make_setup(in)));
    setups.back()->deciding_policy = policy.get();
    setups.back()->admission = admission.get();
    setups.back()->local_queue = policy->local_queue();
    if (reports_on_board(*setups.back(), windowed_decisions)) {
      boards.push_back(std::make_unique<ReportBoard>(setups.back()->nodes()));
      setups.back()->report_board = boards.back().get();
    }
  }
  const ModelSetup& shape = *setups.front();
  Simulator sim(comm, inputs.size(), shape.lp_count(), shape.lookahead(),
                parse_partition_kind(first.settings->run.partition),
                [&](LpId global) -> std::unique_ptr<LogicalProcess> {
                  const ModelSetup& setup = *setups[global / shape.lp_count()];
                  const LpId id = static_cast<LpId>(global % shape.lp_count());
                  if (id < setup.nodes()) return std::make_unique<NodeLp>(static_cast<NodeId>(id), setup);
                  if (id == setup.source_lp()) return std::make_unique<SourceLp>(setup);
                  return std::make_unique<SchedulerLp>(setup);
                });
  for (std::size_t e = 0; e < logs.size(); ++e) record_global_state(sim, e, *setups[e], logs[e]);
  std::unique_ptr<DecisionBatcher> batcher;
  if (windowed_decisions) {
    batcher = std::make_unique<DecisionBatcher>(sim, *policy, cycle);
    for (auto& setup : setups) setup->batcher = batcher.get();
  }

  // The source raises the done flag when every task is done; the episode stops at the next
  // multiple of its stop grid (a sixteenth of the arrival span, at least 1 s), so the final
  // state of every LP is the same for any rank count.
  for (std::size_t e = 0; e < inputs.size(); ++e) {
    const EpisodeInput& in = inputs[e];
    const double last_arrival = in.tasks->facts().last_arrival_s;
    sim.set_stop_grid(e, std::max<SimTime>(kNanosPerSecond, from_seconds(last_arrival / 16)));
    sim.set_time_limit(
        e, from_seconds(in.settings->run.max_time_s > 0 ? in.settings->run.max_time_s : default_time_limit_s(in)));
  }
  const RunStats stats = sim.run(kTimeInfinity);

  std::vector<EpisodeResult> results;
  std::vector<DecisionStats> at_once;  // without a batcher: the rank's deciders' own calls
  for (std::size_t e = 0; e < inputs.size(); ++e) {
    results.push_back(gather_episode(comm, sim, e, inputs[e], *setups[e]));
    if (!batcher)
      for (LpId global : sim.local_lps())
        if (sim.episode_of(global) == e) {
          const LpId id = sim.local_id(global);
          if (id < shape.nodes())
            at_once.push_back(static_cast<const NodeLp&>(sim.lp(global)).decisions(sim.episode_stop(e)));
          else if (id == shape.scheduler_lp())
            at_once.push_back(static_cast<const SchedulerLp&>(sim.lp(global)).decisions());
        }
  }
  const BatchFigures batches = batch_figures(comm, batcher.get(), at_once);
  const RunStats global = stats.reduced(comm);
  const std::vector<std::uint64_t> kernel_events = comm.allreduce_sum(sim.episode_events());
  // Copies read from a board and ticks run off the kernel stand for their events.
  std::vector<std::uint64_t> board_events(setups.size(), 0);
  for (std::size_t e = 0; e < setups.size(); ++e)
    if (setups[e]->report_board != nullptr)
      board_events[e] = setups[e]->report_board->copies_arrived_before(sim.episode_stop(e));
  for (LpId lp : sim.local_lps()) {
    const std::uint64_t e = sim.episode_of(lp);
    if (setups[e]->report_board != nullptr && sim.local_id(lp) < shape.nodes())
      board_events[e] += static_cast<const NodeLp&>(sim.lp(lp)).unsimulated_events(sim.episode_stop(e));
  }
  board_events = comm.allreduce_sum(board_events);
  for (std::size_t e = 0; e < results.size(); ++e) {
    EpisodeMetrics& m = results[e].metrics;
    results[e].kernel_events = kernel_events[e];
    m.events = kernel_events[e] + board_events[e];
    m.remote_events = global.remote_events;
    m.windows = global.windows;
    m.wall_s = global.wall_s;
    m.decision_batches = batches.batches;
    m.mean_decision_batch = batches.batches > 0
                                ? static_cast<double>(batches.requests) / static_cast<double>(batches.batches)
                                : 0.0;
    m.p95_decision_batch = batches.p95;
    m.batched_episodes = inputs.size();
  }
  return results;
}

}  // namespace marlsim
