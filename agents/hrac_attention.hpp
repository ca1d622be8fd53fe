#pragma once
// The hrac policy's role attention (source study 2: how much each role's state informs
// another's), per decision, over the deciding agent's own view only.
//
// What is attended. A role's summary state, as decision i sees it: the mean, over i's candidate
// nodes of that role, of the own observation that node would have (write_own_features of the
// node under i's view, with i's task), in the own layout's units. The summaries depend only on
// i's view, candidates and task, never on what else shares the batch (which differs between 1
// and 4 ranks), so a decision attends the same whatever the partition. A role without a
// candidate in i (always the scheduler, which is no node) is absent.
//
// The weights. Each role rho has two learned projections of width kRoleAttentionWidth (d): a
// query Q_rho (own -> d) and a key K_rho (own -> d), each one identity DenseLayer. Decision i of
// role rho scores every other present role r by s_r = (own_i Q_rho) . (summary_r K_r) / sqrt(d),
// and the weights are a softmax over those roles (r != rho): they sum to 1, or are all 0 when no
// other role is present. The attended summary sum_r w_r summary_r (zeros with no other role) is
// joined to the own observation: the role network's own input is [own, attended], twice the
// own width (hrac_observation_layout()).
//
// Bits: scalar loops in a fixed order (candidates, features, roles ascending), per decision.
#include <cstdint>
#include <span>
#include <vector>

#include "agents/nn/dense_layer.hpp"
#include "agents/nn/mlp.hpp"

namespace marlsim {

inline constexpr Eigen::Index kRoleAttentionWidth = 8;

// One role's attention parameters: layers[0] the query, layers[1] the key (own x d, identity).
// Glorot-scaled uniform from `seed` (make_mlp, entities 2 * 2^16 and 3 * 2^16: distinct from the
// role network's actor and value streams).
std::vector<nn::DenseLayer> make_role_attention(Eigen::Index own_width, std::uint64_t seed);

// For one decision of role `own_role`: `summaries` holds roles x own_width floats (row r: role
// r's summary, ignored unless present[r]), `attention` each role's parameters. Writes the
// roles weights and the own_width attended floats.
void attend_roles(std::span<const std::vector<nn::DenseLayer>> attention, std::size_t own_role,
                  std::span<const float> own, std::span<const float> summaries, std::span<const std::uint8_t> present,
                  std::span<float> weights, std::span<float> attended);

// The gradient of attend_roles with respect to the attention parameters, for one decision:
// given dL/d(attended) (own_width floats), ADDS dL/dW and dL/db of role own_role's query and of
// every present other role's key into `grads` (per role [query, key], shaped as `attention`;
// see nn::zero_gradients). With w = softmax(s), s_r = c q . k_r (c = 1 / sqrt(d)):
//   dw_r = d_attended . summary_r     ds_r = w_r (dw_r - sum_p w_p dw_p)
//   dq = c sum_r ds_r k_r             dk_r = c ds_r q
// then dW += input^T d(out), db += d(out) for q = own Q + b_q and k_r = summary_r K_r + b_k.
// Checked against finite differences in tests/unit/test_hrac_policy.cpp; training reaches it
// through agents/hrac_attention_trainer.hpp (checked end to end against the PPO loss in
// tests/unit/test_hrac_attention_training.cpp).
void attend_roles_backward(std::span<const std::vector<nn::DenseLayer>> attention, std::size_t own_role,
                           std::span<const float> own, std::span<const float> summaries,
                           std::span<const std::uint8_t> present, std::span<const float> d_attended,
                           std::span<std::vector<nn::LayerGradients>> grads);

}  // namespace marlsim
