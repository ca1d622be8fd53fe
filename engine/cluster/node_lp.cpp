#include "engine/cluster/node_lp.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace marlsim {

namespace {

SimTime sample_lifetime(RngStream& rng, LifetimeDistribution d, double mean_s, double shape) {
  double s = 0;
  if (d == LifetimeDistribution::Weibull)
    s = rng.weibull(shape, mean_s / std::tgamma(1.0 + 1.0 / shape));  // scale chosen so the mean is mean_s
  else s = rng.exponential(mean_s);
  return std::max<SimTime>(1, from_seconds(s));
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
      own_discipline_(setup.local_queue != nullptr ? nullptr : make_queue_discipline(setup.scheduler.queue)),
      discipline_(setup.local_queue != nullptr ? setup.local_queue : own_discipline_.get()),
      free_cores_(spec_.cores),
      free_memory_gb_(spec_.memory_gb),
      decision_rng_(setup.seed, id, rng_stream(setup.episode, kRngDecisions)),
      failure_rng_(setup.seed, id, rng_stream(setup.episode, kRngFailures)) {
  power_.push_back({0, 0.0, 0.0, power_w(), 0.0});
  placement_ = make_node_placement(*this, setup);
}

void NodeLp::init(LpContext& ctx) {
  schedule_failure(ctx);
  placement_->init(ctx);
}

void NodeLp::schedule_failure(LpContext& ctx) {
  const FailureConfig& f = setup_.failures;
  if (f.distribution == LifetimeDistribution::None) return;
  placement_->before_own_event(ctx);
  ctx.send(id_, sample_lifetime(failure_rng_, f.distribution, f.mtbf_s, f.weibull_shape), kNodeFails);
}

void NodeLp::handle(const Event& ev, LpContext& ctx) {
  placement_->before_event(ev, ctx);
  switch (ev.kind) {
    case kSubmit: placement_->submitted(ev.as<TaskMessage>(), ctx); break;
    case kAssign:
      if (up_) enqueue(ev.as<TaskMessage>(), ctx);
      else placement_->bounce(ev.as<TaskMessage>(), ctx);
      break;
    case kTaskEnds: task_ends(ev.as<TaskEndsMessage>(), ctx); break;
    case kNodeFails: fail(ctx); break;
    case kNodeRepaired: repair(ctx); break;
    default:
      if (!placement_->handle(ev, ctx))
        throw std::logic_error("NodeLp: unexpected event kind " + std::to_string(ev.kind));
  }
  if (dirty_) placement_->state_changed(ctx);
  dirty_ = false;
  placement_->after_event(ctx);
}

void NodeLp::hot_state(std::vector<HotRange>& out) const {
  out.push_back({this, sizeof(*this)});
  placement_->hot_state(out);
}

DecisionStats NodeLp::decisions(SimTime stop) const {
  DecisionStats d = decisions_;
  placement_->count_until(stop, d);
  return d;
}

// ---- execution ------------------------------------------------------------------------

void NodeLp::enqueue(const TaskMessage& m, LpContext& ctx) {
  const TaskSpec& t = (*setup_.tasks)[m.task];
  queue_.push_back({m.task, t.cores, t.memory_gb, t.work_core_s / (t.cores * spec_.speed), t.priority, ctx.now()});
  queue_msgs_.push_back(m);
  add_to_totals(queue_.back());
  dirty_ = true;
  try_start(ctx);
}

void NodeLp::add_to_totals(const QueuedTask& q) {
  queued_.work_core_s += q.runtime_s * q.cores * spec_.speed;
  queued_.cores += q.cores;
  queued_.memory_gb += q.memory_gb;
}

void NodeLp::recount_queue() {
  queued_ = {};
  for (const QueuedTask& q : queue_) add_to_totals(q);
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
  discipline_->select_on(id_, spec_, decision_rng_, queue_, running_scratch_, free_cores_, free_memory_gb_, ctx.now(),
                         start_scratch_);
  if (start_scratch_.empty()) return;
  placement_->before_own_event(ctx);
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
  recount_queue();
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
  power_.erase(power_.begin(), power_.end() - 1);  // the makespan is at or after this end
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
  placement_->evacuate(evacuate);
  running_.clear();
  queue_.clear();
  queue_msgs_.clear();
  recount_queue();
  recount_free();
  note_power(ctx.now());
  dirty_ = true;
  for (TaskMessage& m : evacuate) placement_->bounce(m, ctx);
  const FailureConfig& f = setup_.failures;
  placement_->before_own_event(ctx);
  ctx.send(id_, sample_lifetime(failure_rng_, f.repair_distribution, f.mttr_s, f.weibull_shape), kNodeRepaired);
}

void NodeLp::repair(LpContext& ctx) {
  up_ = true;
  note_power(ctx.now());
  dirty_ = true;
  schedule_failure(ctx);
  placement_->repaired(ctx);
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
  if (next.t == last.t) {
    power_.back() = next;
    return;
  }
  // `last` is final now: keep it if it is the last point at or before an end of the window.
  if (last.t <= setup_.window_begin && setup_.window_begin < next.t) at_window_begin_ = last;
  if (last.t <= setup_.window_end && setup_.window_end < next.t) at_window_end_ = last;
  power_.push_back(next);
}

NodeLp::PowerPoint NodeLp::integrated_to(SimTime t) const {
  // The last point at or before t, then constant power and busy cores up to it.
  PowerPoint p;
  if (t == setup_.window_begin && at_window_begin_) {
    p = *at_window_begin_;
  } else if (t == setup_.window_end && at_window_end_) {
    p = *at_window_end_;
  } else {
    if (t < power_.front().t && power_.front().t > 0)
      throw std::logic_error("NodeLp " + std::to_string(id_) + ": power integral asked before the kept history");
    auto it = std::upper_bound(power_.begin(), power_.end(), t, [](SimTime x, const PowerPoint& q) { return x < q.t; });
    p = *(it == power_.begin() ? it : it - 1);
  }
  const double dt = to_seconds(std::max<SimTime>(0, t - p.t));
  p.energy_j += p.power_w * dt;
  p.busy_core_s += p.busy_cores * dt;
  p.t = t;
  return p;
}

NodeRecord NodeLp::node_record(SimTime makespan) const {
  const PowerPoint end = integrated_to(makespan);
  NodeRecord r;
  r.node = id_;
  r.failures = static_cast<std::uint32_t>(std::upper_bound(failure_times_.begin(), failure_times_.end(), makespan) -
                                          failure_times_.begin());
  r.energy_j = end.energy_j;
  r.busy_core_s = end.busy_core_s;
  r.window_busy_core_s = integrated_to(setup_.window_end).busy_core_s - integrated_to(setup_.window_begin).busy_core_s;
  r.tasks_run = records_.size();
  return r;
}

// ---- reports --------------------------------------------------------------------------

NodeView NodeLp::own_view(SimTime now) const {
  NodeView v;
  v.free_cores = free_cores_;
  v.free_memory_gb = free_memory_gb_;
  v.queued_work_core_s = queued_.work_core_s;
  v.queued_cores = queued_.cores;
  v.queued_memory_gb = queued_.memory_gb;
  for (const Running& r : running_) v.running_work_core_s += to_seconds(r.end - now) * r.cores * spec_.speed;
  v.queue_length = static_cast<std::uint32_t>(queue_.size());
  v.running = static_cast<std::uint32_t>(running_.size());
  v.up = up_;
  v.as_of = now;
  return v;
}

std::uint64_t NodeLp::state_hash() const {
  std::uint64_t h = hash_combine(id_, failure_times_.size());
  for (const TaskRecord& r : records_)
    h = hash_combine(hash_combine(h, r.task),
                     static_cast<std::uint64_t>(r.end) ^ (static_cast<std::uint64_t>(r.start) << 1));
  const PowerPoint& p = power_.back();
  h = hash_combine(h, bits(p.energy_j));
  h = hash_combine(h, bits(p.busy_core_s));
  return hash_combine(h, queue_.size() + 1000 * placement_->held());
}

}  // namespace marlsim
