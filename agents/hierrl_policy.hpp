#pragma once
// The hierarchical Q-learning policy (`hierrl`; source study 3, HierRL for Ray's two-level
// scheduler). Two value-based agents:
//   * the high level, at the global scheduler, assigns a task from the global queue to one of
//     its candidate nodes: Q(task, node) for every candidate, scored by ONE shared network on
//     [task features, node features] (free resources, queue length, tasks assigned), so the
//     parameters do not grow with the cluster;
//   * the low level, on each node, picks which queued task starts next: Q(node, task) for
//     every queued task, scored by one shared network on [node features, task features]
//     (demands, run time, wait since submission). It is the local queue discipline the policy
//     brings (SchedulingPolicy::local_queue): picks one task at a time among those that fit
//     the free resources until none fits.
// Actions are greedy in the Q values, or epsilon-greedy while training (the deciding LP's own
// stream: the scheduler's for the high level, the node's decision stream for the low level).
//
// Each level's scorer is stored as the "actor" of an nn::ActorCriticNetwork (own = the first
// feature group, candidate = the second; its actor output is the Q value, no softmax), so the
// checkpoint code (shapes, roles "high" and "low", observation layout, version) is reused; the
// value head is not used by Q-learning and stays at its initial weights.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agents/actor_critic_settings.hpp"
#include "agents/decision_log.hpp"
#include "agents/nn/actor_critic_network.hpp"
#include "agents/nn/checkpoint.hpp"
#include "agents/nn/observation_layout.hpp"
#include "agents/queue_discipline.hpp"

namespace marlsim {

struct HierRlNetworks {
  nn::ActorCriticNetwork high;  // own: the task; candidate: a node
  nn::ActorCriticNetwork low;   // own: the node; candidate: a queued task
};

// The hierrl layout: own = high.task.* then low.node.*; candidate = high.node.* then
// low.task.* (each level's network reads its own part). No global section.
const nn::ObservationLayout& hierrl_observation_layout();
// Widths of each level's two feature groups.
struct HierRlWidths {
  std::size_t high_own, high_candidate, low_own, low_candidate;
};
HierRlWidths hierrl_widths();

// Shapes from settings.hidden_widths / hidden_activations; weights from settings.checkpoint
// (roles "high" and "low"; refused with InputError on any mismatch) or Glorot-uniform from seed
// (the low level from seed + 1, so the two levels do not start alike).
std::shared_ptr<HierRlNetworks> make_hierrl_networks(const ActorCriticPolicySettings& settings, std::uint64_t seed);
void save_hierrl_checkpoint(const std::string& path, HierRlNetworks& networks,
                            const std::vector<nn::CheckpointArray>& trainer_state = {});

// Q values of every candidate row: the actor scorer on [own row of the request, candidate row]
// (offsets as nn::DecisionBatch). Throws nn::NonFiniteError on NaN or Inf.
Eigen::VectorXf hierrl_q_values(const nn::ActorCriticNetwork& level, const nn::RowMatrixF& own,
                                const nn::RowMatrixF& candidates, std::span<const Eigen::Index> offsets);

// Training: the learner's networks, the exploration rate and where the decisions go.
struct HierRlLearner {
  std::shared_ptr<const HierRlNetworks> networks;
  double epsilon = 0;               // share of random actions (0: greedy)
  DecisionLog* high_log = nullptr;  // high-level decisions (nullptr: not recorded)
  DecisionLog* low_log = nullptr;   // low-level decisions
};

// The low-level agent's features (exposed for the tests and the trainer): the node's own row
// and one row per queued task.
void write_low_own_features(const NodeSpec& node, double free_cores, double free_memory_gb, std::size_t queued,
                            std::size_t running, std::span<float> out);
void write_low_task_features(const NodeSpec& node, const QueuedTask& task, SimTime now, std::span<float> out);

}  // namespace marlsim
