#include "engine/cluster/node_lp.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>


namespace marlsim {

namespace {

using Clock = std::chrono::steady_clock;

SimTime sample_lifetime(RngStream& rng, LifetimeDistribution d, double mean_s, double shape) {
  double s = 0;
  if (d == LifetimeDistribution::Weibull)
    s = rng.weibull(shape, mean_s / std::tgamma(1.0 + 1.0 / shape));  // scale chosen so the mean is mean_s
  else
    s = rng.exponential(mean_s);
  return std::max<SimTime>(1, from_seconds(s));
}

ClusterView make_knowledge(const ModelSetup& setup) {
  if (setup.scheduler.topology == Topology::Decentralized && setup.scheduler.sharing == Sharing::Global)
    return ClusterView(*setup.cluster);
  return ClusterView(*setup.cluster, ClusterView::Sparse{});
}

std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

}  // namespace

NodeLp::NodeLp(NodeId id, const ModelSetup& setup)
    : id_(id),
      setup_(setup),
      spec_(setup.cluster->nodes[id]),
      discipline_(make_queue_discipline(setup.scheduler.queue)),
      decision_rng_(setup.seed, id, rng_stream(setup.episode, kRngDecisions)),
      failure_rng_(setup.seed, id, rng_stream(setup.episode, kRngFailures)),
      free_cores_(spec_.cores),
      free_memory_gb_(spec_.memory_gb),
      knowledge_(make_knowledge(setup)) {
  power_.push_back({0, 0.0, 0.0, power_w(), 0.0});
  if (setup.scheduler.topology == Topology::Centralized) return;
  knowledge_.track(id_);  // it decides for itself: its own state and the tasks it kept in flight
  if (setup.scheduler.topology != Topology::Decentralized) return;
  policy_state_ = setup.deciding_policy->make_state();
  // Ring neighbours, nearest first on alternating sides: id+1, id-1, id+2, ...
  const auto n = static_cast<std::int64_t>(setup.nodes());
  const auto k = std::min<std::int64_t>(setup.scheduler.neighbours, n - 1);
  for (std::int64_t step = 1; static_cast<std::int64_t>(neighbours_.size()) < k; ++step) {
    for (std::int64_t sign : {1, -1}) {
      const auto nb = static_cast<NodeId>(((static_cast<std::int64_t>(id) + sign * step) % n + n) % n);
      if (static_cast<std::int64_t>(neighbours_.size()) < k && nb != id &&
          std::find(neighbours_.begin(), neighbours_.end(), nb) == neighbours_.end())
        neighbours_.push_back(nb);
    }
  }
  for (NodeId nb : neighbours_) knowledge_.track(nb);
}

void NodeLp::init(LpContext& ctx) {
  schedule_failure(ctx);
  if (setup_.scheduler.topology == Topology::Decentralized) {
    // Ticks send periodic reports and retry parked tasks; a random phase spreads them out.
    const double period = setup_.scheduler.report_period_s > 0 ? setup_.scheduler.report_period_s : 1.0;
    RngStream phase(setup_.seed, id_, rng_stream(setup_.episode, kRngReports));
    ctx.send(id_, from_seconds(phase.uniform() * period), kReportTick);
  }
}

void NodeLp::schedule_failure(LpContext& ctx) {
  const FailureConfig& f = setup_.failures;
  if (f.distribution == LifetimeDistribution::None) return;
  ctx.send(id_, sample_lifetime(failure_rng_, f.distribution, f.mtbf_s, f.weibull_shape), kNodeFails);
}

void NodeLp::handle(const Event& ev, LpContext& ctx) {
  switch (ev.kind) {
    case kSubmit: submitted(ev.as<TaskMessage>(), ctx); break;
    case kAssign:
      if (up_) enqueue(ev.as<TaskMessage>(), ctx);
      else bounce(ev.as<TaskMessage>(), ctx);
      break;
    case kTaskEnds: task_ends(ev.as<TaskEndsMessage>(), ctx); break;
    case kNodeFails: fail(ctx); break;
    case kDecisionCycle:
      if (!requests_.empty()) setup_.batcher->raised(id_, *this);
      break;
    case kNodeRepaired: repair(ctx); break;
    case kNodeReport: {
      const auto r = ev.as<ReportMessage>();
      const auto from = static_cast<NodeId>(ev.source());
      if (knowledge_.tracks(from) && from != id_) {
        keeper_.reported(knowledge_, from, r.view);
        if (r.view.up && !parked_.empty()) retry_parked(ctx);
      }
      break;
    }
    case kReportTick: {
      const SchedulerConfig& s = setup_.scheduler;
      if (s.sharing != Sharing::None && s.report_period_s > 0) send_reports(ctx);
      retry_parked(ctx);
      ctx.send(id_, from_seconds(s.report_period_s > 0 ? s.report_period_s : 1.0), kReportTick);
      break;
    }
    default: throw std::logic_error("NodeLp: unexpected event kind " + std::to_string(ev.kind));
  }
  // Reports on every change: to the central scheduler, or to peers when no period is set.
  const SchedulerConfig& s = setup_.scheduler;
  const bool on_change = s.topology != Topology::Decentralized || (s.sharing != Sharing::None && s.report_period_s <= 0);
  if (dirty_ && on_change) send_reports(ctx);
  dirty_ = false;
}

// ---- execution ------------------------------------------------------------------------

void NodeLp::enqueue(const TaskMessage& m, LpContext& ctx) {
  const TaskSpec& t = (*setup_.tasks)[m.task];
  queue_.push_back({m.task, t.cores, t.memory_gb, t.work_core_s / (t.cores * spec_.speed), t.priority, ctx.now()});
  queue_msgs_.push_back(m);
  dirty_ = true;
  try_start(ctx);
}

void NodeLp::recount_free() {
  double cores = 0, memory = 0;
  for (const Running& r : running_) {
    cores += r.cores;
    memory += r.memory_gb;
  }
  free_cores_ = spec_.cores - cores;
  free_memory_gb_ = spec_.memory_gb - memory;
}

void NodeLp::try_start(LpContext& ctx) {
  if (!up_ || queue_.empty()) return;
  running_scratch_.clear();
  for (const Running& r : running_) running_scratch_.push_back({r.end, r.cores, r.memory_gb});
  start_scratch_.clear();
  discipline_->select(queue_, running_scratch_, free_cores_, free_memory_gb_, ctx.now(), start_scratch_);
  if (start_scratch_.empty()) return;
  for (std::size_t i : start_scratch_) {
    const QueuedTask& q = queue_[i];
    if (q.cores > free_cores_ + 1e-9 || q.memory_gb > free_memory_gb_ + 1e-9)
      throw std::logic_error("queue discipline " + std::string(discipline_->name()) + " over-committed node " +
                             std::to_string(id_));
    const SimTime run = std::max<SimTime>(1, from_seconds(q.runtime_s));
    running_.push_back({queue_msgs_[i], ++attempts_, ctx.now(), ctx.now() + run, q.cores, q.memory_gb});
    free_cores_ -= q.cores;
    free_memory_gb_ -= q.memory_gb;
    ctx.send(id_, run, kTaskEnds, TaskEndsMessage{q.task, attempts_});
  }
  std::sort(start_scratch_.begin(), start_scratch_.end());
  for (auto it = start_scratch_.rbegin(); it != start_scratch_.rend(); ++it) {
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(*it));
    queue_msgs_.erase(queue_msgs_.begin() + static_cast<std::ptrdiff_t>(*it));
  }
  recount_free();
  note_power(ctx.now());
  dirty_ = true;
}

void NodeLp::task_ends(const TaskEndsMessage& m, LpContext& ctx) {
  const auto it = std::find_if(running_.begin(), running_.end(),
                               [&](const Running& r) { return r.msg.task == m.task && r.attempt == m.attempt; });
  if (it == running_.end()) return;  // killed by a failure; it was re-queued elsewhere
  records_.push_back({m.task, id_, it->msg.reschedules, it->msg.ready, it->start, ctx.now()});
  running_.erase(it);
  recount_free();
  note_power(ctx.now());
  ctx.send(setup_.source_lp(), setup_.network_latency, kTaskDone, TaskDoneMessage{m.task});
  dirty_ = true;
  try_start(ctx);
}

void NodeLp::fail(LpContext& ctx) {
  up_ = false;
  failure_times_.push_back(ctx.now());
  // Everything here is lost or stranded: running tasks restart elsewhere from scratch.
  std::vector<TaskMessage> evacuate;
  for (const Running& r : running_) evacuate.push_back(r.msg);
  for (const TaskMessage& m : queue_msgs_) evacuate.push_back(m);
  for (const TaskMessage& m : parked_) evacuate.push_back(m);
  running_.clear();
  queue_.clear();
  queue_msgs_.clear();
  parked_.clear();
  recount_free();
  note_power(ctx.now());
  dirty_ = true;
  for (TaskMessage& m : evacuate) bounce(m, ctx);
  const FailureConfig& f = setup_.failures;
  ctx.send(id_, sample_lifetime(failure_rng_, f.repair_distribution, f.mttr_s, f.weibull_shape), kNodeRepaired);
}

void NodeLp::repair(LpContext& ctx) {
  up_ = true;
  note_power(ctx.now());
  dirty_ = true;
  schedule_failure(ctx);
  retry_parked(ctx);
}

double NodeLp::power_w() const {
  if (!up_) return 0.0;
  return spec_.idle_power_w + spec_.dynamic_power_w * (spec_.cores - free_cores_) / spec_.cores;
}

void NodeLp::note_power(SimTime now) {
  const PowerPoint& last = power_.back();
  const double dt = to_seconds(now - last.t);
  PowerPoint next{now, last.energy_j + last.power_w * dt, last.busy_core_s + last.busy_cores * dt, power_w(),
                  spec_.cores - free_cores_};
  if (next.t == last.t) power_.back() = next;
  else power_.push_back(next);
}

NodeLp::PowerPoint NodeLp::integrated_to(SimTime t) const {
  // The last point at or before t, then constant power and busy cores up to it.
  auto it = std::upper_bound(power_.begin(), power_.end(), t, [](SimTime x, const PowerPoint& p) { return x < p.t; });
  PowerPoint p = *(it == power_.begin() ? it : it - 1);
  const double dt = to_seconds(std::max<SimTime>(0, t - p.t));
  p.energy_j += p.power_w * dt;
  p.busy_core_s += p.busy_cores * dt;
  p.t = t;
  return p;
}

NodeRecord NodeLp::node_record(SimTime makespan, SimTime window_begin, SimTime window_end) const {
  const PowerPoint end = integrated_to(makespan);
  NodeRecord r;
  r.node = id_;
  r.failures = static_cast<std::uint32_t>(
      std::upper_bound(failure_times_.begin(), failure_times_.end(), makespan) - failure_times_.begin());
  r.energy_j = end.energy_j;
  r.busy_core_s = end.busy_core_s;
  r.window_busy_core_s = integrated_to(window_end).busy_core_s - integrated_to(window_begin).busy_core_s;
  r.tasks_run = records_.size();
  return r;
}

// ---- placement ------------------------------------------------------------------------

void NodeLp::submitted(TaskMessage m, LpContext& ctx) {
  const SchedulerConfig& s = setup_.scheduler;
  if (s.topology == Topology::Decentralized) {
    if (m.rejected && m.from != id_ && m.from < setup_.nodes() && knowledge_.tracks(m.from)) {
      knowledge_.state(m.from).up = false;  // it sent the task back because it is down
      knowledge_.state(m.from).as_of = ctx.now();
    }
    if (up_) place_decentralized(m, ctx);
    else bounce(m, ctx);
    return;
  }
  if (s.topology == Topology::TwoLevel && up_) {
    // Bottom-up: the admission policy keeps it here or spills it to the global scheduler.
    DispatchContext dctx{ctx.now(), id_, &decision_rng_, nullptr};
    if (setup_.admission->keep((*setup_.tasks)[m.task], spec_, believed_self(ctx.now()), dctx)) {
      ++decisions_.decisions;
      keep(m, ctx);
      return;
    }
    ++decisions_.spills;
  }
  m.origin = id_;
  m.from = id_;
  ctx.send(setup_.scheduler_lp(), setup_.network_latency, kSubmit, m);
}

void NodeLp::place_decentralized(TaskMessage m, LpContext& ctx) {
  const TaskSpec& task = (*setup_.tasks)[m.task];
  const SchedulerConfig& s = setup_.scheduler;
  // Candidates: itself, its neighbours, and a few sampled nodes it may know nothing about.
  std::vector<NodeId> pool{id_};
  pool.insert(pool.end(), neighbours_.begin(), neighbours_.end());
  std::vector<NodeId> sampled;
  const auto n = setup_.nodes();
  for (std::uint32_t i = 0; i < s.sampled && pool.size() < n; ++i) {
    const auto c = static_cast<NodeId>(decision_rng_.below(n));
    if (std::find(pool.begin(), pool.end(), c) != pool.end()) continue;
    pool.push_back(c);
    if (!knowledge_.tracks(c)) {
      knowledge_.track(c);
      sampled.push_back(c);
    }
  }
  // None of them is big enough: add the nearest node down the ring whose machine is (every
  // agent knows the static specs), so a large task is never stranded on small nodes.
  if (std::none_of(pool.begin(), pool.end(), [&](NodeId c) { return knowledge_.fits_statically(task, c); })) {
    for (std::uint64_t step = 1; step < n; ++step) {
      const auto c = static_cast<NodeId>((id_ + step) % n);
      if (!knowledge_.fits_statically(task, c)) continue;
      pool.push_back(c);
      if (!knowledge_.tracks(c)) {
        knowledge_.track(c);
        sampled.push_back(c);
      }
      break;
    }
  }
  believed_self(ctx.now());
  assume_typical_load(sampled);
  if (s.sharing == Sharing::None) {
    // No report will ever say a node is back: a node that bounced a task is believed down
    // for one mean repair time, then tried again.
    const SimTime repair = from_seconds(setup_.failures.mttr_s);
    for (NodeId c : pool) {
      NodeView& v = knowledge_.state(c);
      if (!v.up && ctx.now() - v.as_of >= repair) v.up = true;
    }
  }
  DecisionRequest r;
  for (NodeId c : pool)
    if (knowledge_.fits_statically(task, c) && knowledge_.state(c).up) r.candidates.push_back(c);
  sampled_.insert(sampled_.end(), sampled.begin(), sampled.end());
  if (r.candidates.empty()) {
    parked_.push_back(m);
    if (requests_.empty()) forget_sampled();
    return;
  }
  r.task = &task;
  r.view = &knowledge_;
  r.ctx = {ctx.now(), id_, &decision_rng_, policy_state_.get()};
  const bool first = requests_.empty();
  requests_.push_back(std::move(r));
  requested_.push_back(m);
  if (setup_.batcher) {
    if (first) setup_.batcher->first_request(id_, *this, ctx);
    return;
  }
  std::vector<DecisionRequest> decided;
  collect_requests(decided);
  ++decisions_.batches;
  decisions_.batched_requests += decided.size();
  const auto t0 = Clock::now();
  setup_.deciding_policy->decide(decided);
  dispatch_decisions(decided, std::chrono::duration<double>(Clock::now() - t0).count(), ctx);
}

void NodeLp::collect_requests(std::vector<DecisionRequest>& out) {
  for (DecisionRequest& r : requests_) out.push_back(std::move(r));
  requests_.clear();
  dispatching_.swap(requested_);
  requested_.clear();
}

void NodeLp::dispatch_decisions(std::span<DecisionRequest> decided, double wall_s, LpContext& ctx) {
  const SchedulerConfig& s = setup_.scheduler;
  decisions_.wall_s += wall_s;
  std::vector<TaskMessage> tasks;
  tasks.swap(dispatching_);
  for (std::size_t i = 0; i < decided.size(); ++i) {
    TaskMessage m = tasks[i];
    const NodeId chosen = decided[i].chosen;
    ++decisions_.decisions;
    if (!up_) {  // it failed while the decision waited for the window end
      bounce(m, ctx);
    } else if (chosen == id_) {
      keep(m, ctx);
    } else {
      decisions_.sim_latency_s += to_seconds(ctx.now() - m.raised + setup_.decision_latency);
      m.from = id_;
      ctx.send(chosen, setup_.decision_latency, kAssign, m);
      if (s.sharing != Sharing::None)  // reports will reconcile it; without them nothing would
        keeper_.dispatched(chosen, ctx.now() + setup_.decision_latency, *decided[i].task);
    }
  }
  forget_sampled();
}

void NodeLp::forget_sampled() {
  for (NodeId c : sampled_) {
    knowledge_.untrack(c);
    keeper_.forget(c);
  }
  sampled_.clear();
}

void NodeLp::keep(TaskMessage m, LpContext& ctx) {
  // Deciding to keep a task costs the decision latency like any other decision.
  decisions_.sim_latency_s += to_seconds(ctx.now() - m.raised + setup_.decision_latency);
  m.from = id_;
  ctx.send(id_, setup_.decision_latency, kAssign, m);
  keeper_.dispatched(id_, ctx.now() + setup_.decision_latency, (*setup_.tasks)[m.task]);
}

const NodeView& NodeLp::believed_self(SimTime now) {
  keeper_.reported(knowledge_, id_, own_view(now));  // first hand, plus the kept tasks in flight
  return knowledge_.state(id_);
}

void NodeLp::assume_typical_load(const std::vector<NodeId>& unknown) {
  if (unknown.empty()) return;
  // What the agent knows first hand (itself) or from reports, per unit of capacity.
  double busy = 0, memory_busy = 0, queued_per_core = 0, queued_memory = 0, queued_s = 0, running_s = 0, queue = 0;
  int known = 0;
  auto add = [&](NodeId k) {
    const NodeSpec& sp = knowledge_.spec(k);
    const NodeView& v = knowledge_.state(k);
    busy += 1.0 - v.free_cores / sp.cores;
    memory_busy += 1.0 - v.free_memory_gb / sp.memory_gb;
    queued_per_core += v.queued_cores / sp.cores;
    queued_memory += v.queued_memory_gb / sp.memory_gb;
    queued_s += v.queued_work_core_s / (sp.cores * sp.speed);
    running_s += v.running_work_core_s / (sp.cores * sp.speed);
    queue += v.queue_length;
    ++known;
  };
  add(id_);
  for (NodeId nb : neighbours_)
    if (knowledge_.state(nb).as_of >= 0) add(nb);
  // A node never heard from is believed as loaded as a typical known one, scaled to its
  // size: believing it idle would send every load-aware decision to the unknown.
  for (NodeId c : unknown) {
    const NodeSpec& sp = knowledge_.spec(c);
    NodeView& v = knowledge_.state(c);
    v.free_cores = sp.cores * (1.0 - busy / known);
    v.free_memory_gb = sp.memory_gb * (1.0 - memory_busy / known);
    v.queued_cores = sp.cores * queued_per_core / known;
    v.queued_memory_gb = sp.memory_gb * queued_memory / known;
    v.queued_work_core_s = sp.cores * sp.speed * queued_s / known;
    v.running_work_core_s = sp.cores * sp.speed * running_s / known;
    v.queue_length = static_cast<std::uint32_t>(std::lround(queue / known));
    v.up = true;
    v.as_of = -1;
  }
}

void NodeLp::bounce(TaskMessage m, LpContext& ctx) {
  ++m.reschedules;
  m.raised = ctx.now();
  m.rejected = 1;
  const LpId sender = m.from;
  m.from = id_;
  if (setup_.scheduler.topology != Topology::Decentralized) {
    ctx.send(setup_.scheduler_lp(), setup_.network_latency, kSubmit, m);
    return;
  }
  if (m.reschedules > setup_.nodes() + 8) {  // every node seems down: wait here for the repair
    parked_.push_back(m);
    return;
  }
  // Back to the agent that sent it (it learns this node is down and decides again), else
  // (a task fresh from the source) on around the ring.
  const bool to_sender = sender < setup_.nodes() && sender != id_;
  const LpId target = to_sender ? sender : static_cast<LpId>((id_ + 1) % setup_.nodes());
  ctx.send(target, setup_.network_latency, kSubmit, m);
}

void NodeLp::retry_parked(LpContext& ctx) {
  if (parked_.empty() || !up_) return;
  std::vector<TaskMessage> retry;
  retry.swap(parked_);
  for (TaskMessage& m : retry) place_decentralized(m, ctx);
}

// ---- reports --------------------------------------------------------------------------

NodeView NodeLp::own_view(SimTime now) const {
  NodeView v;
  v.free_cores = free_cores_;
  v.free_memory_gb = free_memory_gb_;
  for (const QueuedTask& q : queue_) {
    v.queued_work_core_s += q.runtime_s * q.cores * spec_.speed;
    v.queued_cores += q.cores;
    v.queued_memory_gb += q.memory_gb;
  }
  for (const Running& r : running_) v.running_work_core_s += to_seconds(r.end - now) * r.cores * spec_.speed;
  v.queue_length = static_cast<std::uint32_t>(queue_.size());
  v.running = static_cast<std::uint32_t>(running_.size());
  v.up = up_;
  v.as_of = now;
  return v;
}

void NodeLp::send_reports(LpContext& ctx) {
  const ReportMessage report{own_view(ctx.now())};
  const SchedulerConfig& s = setup_.scheduler;
  if (s.topology != Topology::Decentralized) {
    ctx.send(setup_.scheduler_lp(), setup_.network_latency, kNodeReport, report);
  } else if (s.sharing == Sharing::Global) {
    for (NodeId n = 0; n < setup_.nodes(); ++n)
      if (n != id_) ctx.send(n, setup_.network_latency, kNodeReport, report);
  } else {
    for (NodeId nb : neighbours_) ctx.send(nb, setup_.network_latency, kNodeReport, report);
  }
}

std::uint64_t NodeLp::state_hash() const {
  std::uint64_t h = hash_combine(id_, failure_times_.size());
  for (const TaskRecord& r : records_)
    h = hash_combine(hash_combine(h, r.task), static_cast<std::uint64_t>(r.end) ^ (static_cast<std::uint64_t>(r.start) << 1));
  const PowerPoint& p = power_.back();
  h = hash_combine(h, bits(p.energy_j));
  h = hash_combine(h, bits(p.busy_core_s));
  return hash_combine(h, queue_.size() + 1000 * parked_.size());
}

}  // namespace marlsim
