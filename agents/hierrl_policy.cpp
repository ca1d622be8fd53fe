// The hierrl policy: the high level scores every candidate node of every request of a decide()
// batch in ONE forward pass (rows [task, node], whichever LP raised the request) and takes the
// argmax Q (or, with probability epsilon while training, a uniform candidate drawn from the
// deciding LP's stream); the low level, the nodes' queue discipline, scores a node's fitting
// queued tasks in one forward pass per pick. A row's Q value depends only on its own inputs
// (the dense kernel's rows are bit-identical for any batch and thread count), so decisions do
// not depend on the rank count or on what shares a batch.
#include "agents/hierrl_policy.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "agents/nn/checkpoint.hpp"
#include "agents/nn/mlp.hpp"
#include "agents/policy_registry.hpp"
#include "engine/support/input_error.hpp"

namespace marlsim {

namespace {

using Eigen::Index;

float squash_log(double x) { return static_cast<float>(std::log1p(std::max(0.0, x)) / 10.0); }

nn::ObservationLayout build_layout() {
  nn::ObservationLayout l;
  l.policy = "hierrl";
  l.own = {
      {"high.task.cores", "cores", "/ 8"},
      {"high.task.memory", "GB", "/ 32"},
      {"high.task.work", "core-s", "log1p(x) / 10"},
      {"low.node.free_cores", "cores", "/ node cores"},
      {"low.node.free_memory", "GB", "/ node memory"},
      {"low.node.queue_length", "tasks", "/ 10"},
      {"low.node.running", "tasks", "/ 10"},
  };
  l.candidate = {
      {"high.node.free_cores", "cores", "believed, / node cores"},
      {"high.node.free_memory", "GB", "believed, / node memory"},
      {"high.node.queue_length", "tasks", "believed, / 10"},
      {"high.node.running", "tasks", "believed tasks assigned and running, / 10"},
      {"high.node.backlog", "s", "believed queued work / (node cores x speed), log1p(x) / 10"},
      {"high.node.task_runtime", "s", "task work / (task cores x node speed), log1p(x) / 10"},
      {"high.node.fits_now", "0/1", "1 if the task fits the believed free cores and memory"},
      {"low.task.cores", "cores", "/ node cores"},
      {"low.task.memory", "GB", "/ node memory"},
      {"low.task.runtime", "s", "on this node, log1p(x) / 10"},
      {"low.task.wait", "s", "since it joined the node's queue, log1p(x) / 10"},
      {"low.task.priority", "class", "production 1, batch 0.5, best-effort 0"},
  };
  return l;
}

constexpr HierRlWidths kWidths{3, 7, 4, 5};

void write_high_task_features(const TaskSpec& task, std::span<float> out) {
  out[0] = static_cast<float>(task.cores / 8.0);
  out[1] = static_cast<float>(task.memory_gb / 32.0);
  out[2] = squash_log(task.work_core_s);
}

void write_high_node_features(const TaskSpec& task, const ClusterView& view, NodeId n, std::span<float> out) {
  const NodeSpec& spec = view.spec(n);
  const NodeView& s = view.state(n);
  out[0] = static_cast<float>(s.free_cores / spec.cores);
  out[1] = static_cast<float>(s.free_memory_gb / spec.memory_gb);
  out[2] = static_cast<float>(s.queue_length / 10.0);
  out[3] = static_cast<float>(s.running / 10.0);
  out[4] = squash_log(s.queued_work_core_s / (spec.cores * spec.speed));
  out[5] = squash_log(task.work_core_s / (task.cores * spec.speed));
  out[6] = task.cores <= s.free_cores && task.memory_gb <= s.free_memory_gb ? 1.0f : 0.0f;
}

std::string who(NodeId node) { return node == kNoNode ? "the scheduler" : "node " + std::to_string(node); }

// Index of the largest Q in [first, last) (the first one on ties), or a uniform one with
// probability epsilon (two draws from `rng`, only when epsilon > 0: a greedy run draws nothing).
Index act(const Eigen::VectorXf& q, Index first, Index last, double epsilon, RngStream& rng) {
  if (epsilon > 0 && rng.uniform() < epsilon)
    return first + static_cast<Index>(rng.below(static_cast<std::uint64_t>(last - first)));
  Index best = first;
  for (Index i = first + 1; i < last; ++i)
    if (q[i] > q[best]) best = i;
  return best;
}

void append_row(std::vector<float>& to, const float* row, Index width) { to.insert(to.end(), row, row + width); }

// The low-level agent: picks queued tasks one at a time among those that fit what is left.
class HierRlQueue final : public QueueDiscipline {
 public:
  explicit HierRlQueue(const HierRlLearner& learner) : learner_(learner) {}
  std::string_view name() const override { return "hierrl"; }

  // Called without a node (tests and benchmarks of disciplines): no node stream to explore with, so greedy.
  void select(std::span<const QueuedTask> queue, std::span<const RunningTask> running, double free_cores,
              double free_memory_gb, SimTime now, std::vector<std::size_t>& start) const override {
    static const NodeSpec kUnknown{};
    RngStream none(0, 0, 0);
    pick(kNoNode, kUnknown, none, 0.0, queue, running, free_cores, free_memory_gb, now, start);
  }

  void select_on(std::uint32_t node, const NodeSpec& spec, RngStream& rng, std::span<const QueuedTask> queue,
                 std::span<const RunningTask> running, double free_cores, double free_memory_gb, SimTime now,
                 std::vector<std::size_t>& start) const override {
    pick(node, spec, rng, learner_.epsilon, queue, running, free_cores, free_memory_gb, now, start);
  }

 private:
  void pick(NodeId node, const NodeSpec& spec, RngStream& rng, double epsilon, std::span<const QueuedTask> queue,
            std::span<const RunningTask> running, double free_cores, double free_memory_gb, SimTime now,
            std::vector<std::size_t>& start) const {
    const std::size_t first_started = start.size();
    std::vector<std::uint8_t> taken(queue.size(), 0);
    std::vector<std::size_t> fitting;
    nn::RowMatrixF own(1, static_cast<Index>(kWidths.low_own));
    nn::RowMatrixF tasks;
    const Index offsets[2] = {0, 0};
    std::size_t started = 0;
    for (;;) {
      fitting.clear();
      for (std::size_t i = 0; i < queue.size(); ++i)
        if (taken[i] == 0 && queue[i].cores <= free_cores + 1e-9 && queue[i].memory_gb <= free_memory_gb + 1e-9)
          fitting.push_back(i);
      if (fitting.empty()) break;
      write_low_own_features(spec, free_cores, free_memory_gb, queue.size() - started, running.size() + started,
                             {own.row(0).data(), kWidths.low_own});
      tasks.resize(static_cast<Index>(fitting.size()), static_cast<Index>(kWidths.low_candidate));
      for (std::size_t k = 0; k < fitting.size(); ++k)
        write_low_task_features(spec, queue[fitting[k]], now,
                                {tasks.row(static_cast<Index>(k)).data(), kWidths.low_candidate});
      const Index bounds[2] = {offsets[0], static_cast<Index>(fitting.size())};
      Eigen::VectorXf q;
      try {
        q = hierrl_q_values(learner_.networks->low, own, tasks, bounds);
      } catch (const nn::NonFiniteError& e) {
        throw nn::NonFiniteError("hierrl low level deciding at " + who(node) +
                                 ", t = " + std::to_string(to_seconds(now)) + " s: " + e.what());
      }
      const Index a = act(q, 0, bounds[1], epsilon, rng);
      const std::size_t chosen = fitting[static_cast<std::size_t>(a)];
      if (DecisionLog* log = learner_.low_log; log != nullptr) {
        append_row(log->own, own.row(0).data(), own.cols());
        append_row(log->candidates, tasks.data(), tasks.size());
        log->candidate_begin.push_back(log->candidate_begin.back() + fitting.size());
        log->actions.push_back(static_cast<std::int32_t>(a));
        log->log_probs.push_back(q[a]);  // Q-learning: the chosen Q value
        log->tasks.push_back(queue[chosen].task);
        log->agents.push_back(node);
        log->time_s.push_back(to_seconds(now));
        log->global_state.push_back(0);
        log->roles.push_back(1);
      }
      taken[chosen] = 1;
      start.push_back(chosen);
      free_cores -= queue[chosen].cores;
      free_memory_gb -= queue[chosen].memory_gb;
      ++started;
    }
    std::sort(start.begin() + static_cast<std::ptrdiff_t>(first_started), start.end());
  }

  const HierRlLearner& learner_;
};

class HierRlPolicy final : public SchedulingPolicy {
 public:
  explicit HierRlPolicy(HierRlLearner learner) : learner_(std::move(learner)), queue_(learner_) {}

  std::string_view name() const override { return "hierrl"; }
  const QueueDiscipline* local_queue() const override { return &queue_; }

  NodeId choose(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext& ctx) const override {
    DecisionRequest r{&task, {candidates.begin(), candidates.end()}, nullptr, ctx};
    return decide_batch({&r, 1}, view);
  }

  // One forward pass over every candidate of every request; choices committed after the batch.
  void decide(std::span<DecisionRequest> requests) const override {
    if (requests.empty()) return;
    decide_batch(requests, *requests.front().view);
    for (DecisionRequest& r : requests) r.view->commit(*r.task, r.chosen);
  }

 private:
  // `fallback_view` serves requests without a view (choose()).
  NodeId decide_batch(std::span<DecisionRequest> requests, const ClusterView& fallback_view) const {
    const auto n = static_cast<Index>(requests.size());
    nn::RowMatrixF own(n, static_cast<Index>(kWidths.high_own));
    std::vector<Index> offsets{0};
    for (const DecisionRequest& r : requests)
      offsets.push_back(offsets.back() + static_cast<Index>(r.candidates.size()));
    nn::RowMatrixF nodes(offsets.back(), static_cast<Index>(kWidths.high_candidate));
    for (Index i = 0; i < n; ++i) {
      const DecisionRequest& r = requests[static_cast<std::size_t>(i)];
      const ClusterView& view = r.view != nullptr ? *r.view : fallback_view;
      write_high_task_features(*r.task, {own.row(i).data(), kWidths.high_own});
      for (std::size_t k = 0; k < r.candidates.size(); ++k)
        write_high_node_features(
            *r.task, view, r.candidates[k],
            {nodes.row(offsets[static_cast<std::size_t>(i)] + static_cast<Index>(k)).data(), kWidths.high_candidate});
    }
    Eigen::VectorXf q;
    try {
      q = hierrl_q_values(learner_.networks->high, own, nodes, offsets);
    } catch (const nn::NonFiniteError& e) {
      const DispatchContext& ctx = requests.front().ctx;
      throw nn::NonFiniteError("hierrl high level deciding at " + who(ctx.local_node) +
                               ", t = " + std::to_string(to_seconds(ctx.now)) + " s: " + e.what());
    }
    for (std::size_t i = 0; i < requests.size(); ++i) {
      DecisionRequest& r = requests[i];
      const Index first = offsets[i], last = offsets[i + 1];
      const Index a = act(q, first, last, learner_.epsilon, *r.ctx.rng) - first;
      r.chosen = r.candidates[static_cast<std::size_t>(a)];
      if (DecisionLog* log = learner_.high_log; log != nullptr) {
        append_row(log->own, own.row(static_cast<Index>(i)).data(), own.cols());
        append_row(log->candidates, nodes.row(first).data(), (last - first) * nodes.cols());
        log->candidate_begin.push_back(log->candidate_begin.back() + static_cast<std::uint64_t>(last - first));
        log->actions.push_back(static_cast<std::int32_t>(a));
        log->log_probs.push_back(q[first + a]);
        log->tasks.push_back(r.task->id);
        log->agents.push_back(r.ctx.local_node);
        log->time_s.push_back(to_seconds(r.ctx.now));
        log->global_state.push_back(0);
        log->roles.push_back(0);
      }
    }
    return requests.front().chosen;
  }

  HierRlLearner learner_;  // networks shared by every LP of the rank; never written
  HierRlQueue queue_;
};

}  // namespace

const nn::ObservationLayout& hierrl_observation_layout() {
  static const nn::ObservationLayout kLayout = build_layout();
  return kLayout;
}

HierRlWidths hierrl_widths() { return kWidths; }

void write_low_own_features(const NodeSpec& node, double free_cores, double free_memory_gb, std::size_t queued,
                            std::size_t running, std::span<float> out) {
  out[0] = static_cast<float>(free_cores / node.cores);
  out[1] = static_cast<float>(free_memory_gb / node.memory_gb);
  out[2] = static_cast<float>(static_cast<double>(queued) / 10.0);
  out[3] = static_cast<float>(static_cast<double>(running) / 10.0);
}

void write_low_task_features(const NodeSpec& node, const QueuedTask& task, SimTime now, std::span<float> out) {
  out[0] = static_cast<float>(task.cores / node.cores);
  out[1] = static_cast<float>(task.memory_gb / node.memory_gb);
  out[2] = squash_log(task.runtime_s);
  out[3] = squash_log(to_seconds(now - task.enqueued));
  out[4] = task.priority == PriorityClass::Production ? 1.0f : task.priority == PriorityClass::Batch ? 0.5f : 0.0f;
}

Eigen::VectorXf hierrl_q_values(const nn::ActorCriticNetwork& level, const nn::RowMatrixF& own,
                                const nn::RowMatrixF& candidates, std::span<const Index> offsets) {
  const Index own_w = own.cols(), cand_w = candidates.cols();
  if (own_w != level.settings().own_features || cand_w != level.settings().candidate_features ||
      offsets.size() != static_cast<std::size_t>(own.rows()) + 1 || offsets.back() != candidates.rows())
    throw std::invalid_argument("hierrl: Q batch shapes do not match the network");
  nn::RowMatrixF joined(candidates.rows(), own_w + cand_w);
  for (Index r = 0; r < own.rows(); ++r)
    for (Index i = offsets[static_cast<std::size_t>(r)]; i < offsets[static_cast<std::size_t>(r) + 1]; ++i) {
      joined.row(i).head(own_w) = own.row(r);
      joined.row(i).tail(cand_w) = candidates.row(i);
    }
  if (!joined.allFinite()) throw nn::NonFiniteError("hierrl: NaN or Inf in the observation");
  const nn::RowMatrixF q = nn::mlp_output(level.actor_layers(), std::move(joined));
  if (!q.allFinite()) throw nn::NonFiniteError("hierrl: NaN or Inf in the Q values");
  return q.col(0);
}

std::shared_ptr<HierRlNetworks> make_hierrl_networks(const ActorCriticPolicySettings& settings, std::uint64_t seed) {
  const auto shapes = [&](std::size_t own, std::size_t cand) {
    nn::ActorCriticSettings s;
    s.own_features = static_cast<Index>(own);
    s.candidate_features = static_cast<Index>(cand);
    for (std::size_t l = 0; l < settings.hidden_widths.size(); ++l) {
      s.hidden_widths.push_back(settings.hidden_widths[l]);
      s.hidden_activations.push_back(settings.hidden_activations.size() == 1 ? settings.hidden_activations[0]
                                                                             : settings.hidden_activations.at(l));
    }
    return s;
  };
  auto networks = std::make_shared<HierRlNetworks>(
      HierRlNetworks{nn::ActorCriticNetwork(shapes(kWidths.high_own, kWidths.high_candidate), seed),
                     nn::ActorCriticNetwork(shapes(kWidths.low_own, kWidths.low_candidate), seed + 1)});
  if (!settings.checkpoint.empty())
    nn::load_checkpoint(settings.checkpoint, {{"high", &networks->high}, {"low", &networks->low}},
                        hierrl_observation_layout());
  return networks;
}

void save_hierrl_checkpoint(const std::string& path, HierRlNetworks& networks,
                            const std::vector<nn::CheckpointArray>& trainer_state) {
  nn::save_checkpoint(path, {{"high", &networks.high}, {"low", &networks.low}}, hierrl_observation_layout(),
                      trainer_state);
}

std::unique_ptr<SchedulingPolicy> make_hierrl_policy(const PolicyContext& context) {
  if (context.role == "node-agent")
    throw InputError::at("policy hierrl",
                         "its high level is a global scheduler's and the decentralized topology has none; use "
                         "topology two-level (or centralized)");
  static const AgentSettings kDefaults;
  const AgentSettings& agents = context.agents != nullptr ? *context.agents : kDefaults;
  if (context.learner != nullptr && context.learner->hierrl != nullptr)
    return std::make_unique<HierRlPolicy>(*context.learner->hierrl);
  HierRlLearner learner;
  learner.networks = make_hierrl_networks(agents.actor_critic, context.seed);
  return std::make_unique<HierRlPolicy>(std::move(learner));
}

}  // namespace marlsim
