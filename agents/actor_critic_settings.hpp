#pragma once
// The actor-critic policy's settings (keys of [agents] in a scenario; AgentSettings embeds
// them). Shapes beyond the hidden layers come from the observation layout.
#include <cstdint>
#include <string>
#include <vector>

#include "agents/nn/activation.hpp"

namespace marlsim {

struct ActorCriticPolicySettings {                // [agents]
  std::vector<std::uint32_t> hidden_widths{128};  // hidden_widths: actor and value hidden layers (study 1: [128])
  // activations: one per hidden layer ("relu" | "tanh" | "identity"); one name applies to every layer
  std::vector<nn::Activation> hidden_activations{nn::Activation::Relu};
  std::string checkpoint;  // checkpoint: HDF5 weights ("": initialised from run.seed)
  // greedy: evaluate with the highest-probability candidate (ties: the first) instead of a
  // sample. Off by default: the policy is a stochastic one and study 1 samples. `marlsim
  // train` always samples (PPO needs the sampled actions' probabilities), whatever this says.
  bool greedy = false;
  // mask_unfit: candidates where the task does not fit now (candidate.fits_task = 0: the view's
  // believed free cores or memory too small, or a queue ahead) get probability 0 whenever at
  // least one candidate fits now (best-fit's first rule); if none fits, every candidate stays.
  // Applied alike in `marlsim run` and `marlsim train` (rollout and PPO update: the mask is
  // rebuilt from the logged candidate features, so the log-probabilities and ratios are exact).
  // Off by default: a checkpoint is evaluated as it was trained, and the shipped ones were
  // trained without it.
  bool mask_unfit = false;
};

}  // namespace marlsim
