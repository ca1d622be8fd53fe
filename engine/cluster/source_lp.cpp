#include "engine/cluster/source_lp.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace marlsim {

SourceLp::SourceLp(const ModelSetup& setup)
    : setup_(setup),
      entry_rng_(setup.seed, setup.source_lp(), rng_stream(setup.episode, kRngEntry)),
      dag_(setup.tasks->has_dag()) {
  // Without DAG edges every task is submitted on arrival (if it fits): no per-task state.
  if (dag_) {
    const auto& tasks = *setup.tasks;
    waiting_parents_.assign(tasks.size(), 0);
    group_size_.assign(tasks.size(), 0);
    for (std::uint64_t id = 0; id < tasks.size(); ++id) {
      const TaskSpec& t = tasks[id];
      if (t.instance == 0) waiting_parents_[t.id] = static_cast<std::uint32_t>(t.parents.size());
      ++group_size_[t.group()];
    }
    unfinished_ = group_size_;
    group_blocked_.assign(tasks.size(), 0);
    arrived_.assign(tasks.size(), 0);
    blocked_flag_.assign(tasks.size(), 0);
  }

  std::vector<std::pair<double, double>> nodes;
  for (const NodeSpec& n : setup.cluster->nodes) nodes.emplace_back(n.cores, n.memory_gb);
  std::sort(nodes.begin(), nodes.end(), [](auto a, auto b) { return a.first > b.first; });
  double best = 0;
  for (auto [cores, memory] : nodes) {
    best = std::max(best, memory);
    cores_desc_.push_back(cores);
    max_memory_prefix_.push_back(best);
  }
}

bool SourceLp::fits_some_node(const TaskSpec& task) const {
  // Nodes with at least task.cores cores are a prefix of cores_desc_.
  const auto prefix = std::upper_bound(cores_desc_.begin(), cores_desc_.end(), task.cores,
                                       [](double c, double node) { return c > node; }) -
                      cores_desc_.begin();
  return prefix > 0 && max_memory_prefix_[static_cast<std::size_t>(prefix - 1)] >= task.memory_gb;
}

void SourceLp::init(LpContext& ctx) {
  if (!setup_.tasks->empty()) ctx.send(ctx.self(), from_seconds((*setup_.tasks)[0].arrival_s), kTaskArrives);
  if (all_done()) ctx.raise_window_flag(kWindowDone);
}

void SourceLp::handle(const Event& ev, LpContext& ctx) {
  handle_task_event(ev, ctx);
  // Every task is done, unschedulable or blocked: the episode ends (on every rank, at the
  // next point of the stop grid: engine/cluster/episode.cpp).
  if (all_done()) ctx.raise_window_flag(kWindowDone);
}

void SourceLp::handle_task_event(const Event& ev, LpContext& ctx) {
  const auto& tasks = *setup_.tasks;
  if (ev.kind == kTaskArrives) {
    // Every task arriving at this instant, then one event for the next arrival time.
    while (next_ < tasks.size() && from_seconds(tasks[next_].arrival_s) <= ctx.now()) {
      const std::uint64_t t = next_++;
      if (!dag_) {
        if (fits_some_node(tasks[t])) submit(t, ctx);
        else unschedulable_.push_back(t);
        continue;
      }
      arrived_[t] = 1;
      if (blocked_flag_[t]) continue;
      if (!fits_some_node(tasks[t])) {
        unschedulable_.push_back(t);
        blocked_flag_[t] = 1;  // never submitted, and never listed again as a descendant
        block_descendants(tasks[t].group());
      } else if (waiting_parents_[tasks[t].group()] == 0) {
        submit(t, ctx);
      }
    }
    if (next_ < tasks.size())
      ctx.send(ctx.self(), std::max<SimTime>(0, from_seconds(tasks[next_].arrival_s) - ctx.now()), kTaskArrives);
  } else if (ev.kind == kTaskDone) {
    ++done_;
    if (!dag_) return;
    const std::uint64_t group = tasks[ev.as<TaskDoneMessage>().task].group();
    if (--unfinished_[group] > 0) return;
    for (const auto& edge : setup_.tasks->children(group)) {
      const std::uint64_t c = edge.second;
      if (--waiting_parents_[c] > 0) continue;
      for (std::uint64_t t = c; t < c + group_size_[c]; ++t)
        if (arrived_[t] && !blocked_flag_[t]) submit(t, ctx);
    }
  } else {
    throw std::logic_error("SourceLp: unexpected event kind " + std::to_string(ev.kind));
  }
}

void SourceLp::block_descendants(std::uint64_t group) {
  std::vector<std::uint64_t> stack;
  for (const auto& edge : setup_.tasks->children(group)) stack.push_back(edge.second);
  while (!stack.empty()) {
    const std::uint64_t c = stack.back();
    stack.pop_back();
    if (group_blocked_[c]) continue;
    group_blocked_[c] = 1;
    for (std::uint64_t t = c; t < c + group_size_[c]; ++t) {
      if (blocked_flag_[t]) continue;  // already listed as unschedulable
      blocked_flag_[t] = 1;
      blocked_.push_back(t);
    }
    for (const auto& edge : setup_.tasks->children(c)) stack.push_back(edge.second);
  }
}

void SourceLp::submit(std::uint64_t task, LpContext& ctx) {
  TaskMessage m;
  m.task = task;
  m.ready = ctx.now();
  m.raised = ctx.now();
  m.from = ctx.self();
  const LpId entry = setup_.scheduler.topology == Topology::Centralized
                         ? setup_.scheduler_lp()
                         : static_cast<LpId>(entry_rng_.below(setup_.nodes()));
  ctx.send(entry, setup_.network_latency, kSubmit, m);
}

std::uint64_t SourceLp::state_hash() const {
  std::uint64_t h = hash_combine(next_, done_);
  for (auto t : unschedulable_) h = hash_combine(h, t);
  return hash_combine(h, blocked_.size());
}

}  // namespace marlsim
