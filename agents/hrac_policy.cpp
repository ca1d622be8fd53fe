// The hrac policy: per decision its role, its own observation, its candidates' features and the
// role attention over its candidates' roles; then, per role, ONE forward pass of that role's
// network over the role's decisions of the batch, and per decision a softmax and a sample with
// the uniform it drew from the deciding LP's stream. Choices are committed to the views after
// the whole batch, as in decentralized-ac.
#include "agents/hrac_policy.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "agents/actor_critic_features.hpp"
#include "agents/hrac_attention.hpp"
#include "agents/nn/checkpoint.hpp"
#include "agents/nn/observation_layout.hpp"
#include "agents/policy_registry.hpp"
#include "engine/support/rng.hpp"

namespace marlsim {

namespace {

using Eigen::Index;

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ",") + n;
  return s;
}

// A role's streams are keyed by its name, so its initial weights do not depend on the other roles.
std::uint64_t role_seed(std::uint64_t seed, const std::string& role) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (unsigned char c : role) h = (h ^ c) * 0x100000001b3ull;
  return hash_combine(seed, h);
}

// One decision to evaluate (a DecisionRequest, or choose()'s arguments).
struct Pending {
  const TaskSpec* task;
  std::span<const NodeId> candidates;
  const ClusterView* view;
  const DispatchContext* ctx;
};

// The decisions of one role in a batch, in request order.
struct RoleBatch {
  nn::DecisionBatch batch;            // own rows are [own, attended]
  std::vector<std::size_t> requests;  // the request of each row
  nn::DecisionOutputs decided;
};

struct Evaluated {
  std::vector<std::uint8_t> roles;    // per request
  std::vector<std::size_t> row;       // per request: its row in its role's batch
  std::vector<float> weights;         // requests x roles: the attention weights
  std::vector<float> summaries;       // training only: requests x roles x own width, what attention read
  std::vector<std::uint8_t> present;  // training only: requests x roles
  std::vector<RoleBatch> per_role;

  const RoleBatch& of(std::size_t i) const { return per_role[roles[i]]; }
  Index action(std::size_t i) const { return of(i).decided.actions[row[i]]; }
};

class HracPolicy final : public SchedulingPolicy {
 public:
  HracPolicy(RoleMap map, std::shared_ptr<const HracNetworks> networks, std::span<DecisionLog> logs)
      : map_(std::move(map)), networks_(std::move(networks)), logs_(logs) {}

  std::string_view name() const override { return "hrac"; }

  // One decision alone (not recorded: the cluster model decides through decide()).
  NodeId choose(const TaskSpec& task, std::span<const NodeId> candidates, const ClusterView& view,
                DispatchContext& ctx) const override {
    const Pending one{&task, candidates, &view, &ctx};
    return candidates[static_cast<std::size_t>(evaluate({&one, 1}).action(0))];
  }

  void decide(std::span<DecisionRequest> requests) const override {
    if (requests.empty()) return;
    std::vector<Pending> pending;
    pending.reserve(requests.size());
    for (const DecisionRequest& r : requests) pending.push_back({r.task, r.candidates, r.view, &r.ctx});
    const Evaluated e = evaluate(pending);
    for (std::size_t i = 0; i < requests.size(); ++i)
      requests[i].chosen = requests[i].candidates[static_cast<std::size_t>(e.action(i))];
    if (!logs_.empty())
      for_each_episode(
          pending.size(), [&](std::size_t i) { return pending[i].ctx->episode; },
          [&](std::uint32_t episode, std::size_t first, std::size_t end) {
            record(logs_[episode], pending, first, end, e);
          });
    for (DecisionRequest& r : requests) r.view->commit(*r.task, r.chosen);
  }

 private:
  Evaluated evaluate(std::span<const Pending> requests) const;
  void record(DecisionLog& log, std::span<const Pending> requests, std::size_t first_request, std::size_t end_request,
              const Evaluated& e) const;

  RoleMap map_;
  std::shared_ptr<const HracNetworks> networks_;  // shared by every LP of the rank; never written
  std::span<DecisionLog> logs_;                   // training: where each episode's decisions go (empty: nowhere)
};

Evaluated HracPolicy::evaluate(std::span<const Pending> requests) const {
  const nn::ObservationLayout& layout = nn::decentralized_ac_observation_layout();
  const std::size_t own_w = layout.own.size(), cand_w = layout.candidate.size(), roles = map_.size(),
                    n = requests.size();
  Evaluated e;
  e.roles.resize(n);
  e.row.resize(n);
  e.weights.assign(n * roles, 0.0f);
  e.per_role.resize(roles);
  // Size each role's batch.
  std::vector<Index> rows(roles, 0), candidate_rows(roles, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t r = map_.role_of_decider(*requests[i].view, requests[i].ctx->local_node);
    e.roles[i] = r;
    e.row[i] = static_cast<std::size_t>(rows[r]++);
    candidate_rows[r] += static_cast<Index>(requests[i].candidates.size());
  }
  for (std::size_t r = 0; r < roles; ++r) {
    nn::DecisionBatch& b = e.per_role[r].batch;
    b.own.resize(rows[r], static_cast<Index>(2 * own_w));
    b.candidates.resize(candidate_rows[r], static_cast<Index>(cand_w));
    b.offsets.assign(1, 0);
  }
  // Fill them, request by request: features, summaries of the roles among its candidates,
  // attention, and its uniform (from its LP's stream, in request order).
  std::vector<float> summaries(roles * own_w), node_own(own_w);
  std::vector<std::uint32_t> counts(roles);
  std::vector<std::uint8_t> present(roles);
  for (std::size_t i = 0; i < n; ++i) {
    const Pending& p = requests[i];
    RoleBatch& rb = e.per_role[e.roles[i]];
    float* own = rb.batch.own.row(static_cast<Index>(e.row[i])).data();
    write_own_features(*p.view, p.ctx->local_node, *p.task, p.ctx->now, {own, own_w});
    const Index first = rb.batch.offsets.back();
    rb.batch.offsets.push_back(first + static_cast<Index>(p.candidates.size()));
    std::fill(summaries.begin(), summaries.end(), 0.0f);
    std::fill(counts.begin(), counts.end(), 0u);
    for (std::size_t k = 0; k < p.candidates.size(); ++k) {
      const NodeId c = p.candidates[k];
      write_candidate_features(*p.view, p.ctx->local_node, *p.task, c, p.ctx->now,
                               {rb.batch.candidates.row(first + static_cast<Index>(k)).data(), cand_w});
      const std::uint8_t q = map_.role_of_node(*p.view, c);
      write_own_features(*p.view, c, *p.task, p.ctx->now, node_own);
      for (std::size_t f = 0; f < own_w; ++f) summaries[q * own_w + f] += node_own[f];
      ++counts[q];
    }
    for (std::size_t q = 0; q < roles; ++q) {
      present[q] = counts[q] > 0 ? 1 : 0;
      for (std::size_t f = 0; present[q] != 0 && f < own_w; ++f)
        summaries[q * own_w + f] /= static_cast<float>(counts[q]);
    }
    attend_roles(networks_->attention, e.roles[i], {own, own_w}, summaries, present,
                 std::span(e.weights).subspan(i * roles, roles), {own + own_w, own_w});
    if (!logs_.empty()) {
      e.summaries.insert(e.summaries.end(), summaries.begin(), summaries.end());
      e.present.insert(e.present.end(), present.begin(), present.end());
    }
    rb.batch.uniforms.push_back(p.ctx->rng->uniform());
    rb.requests.push_back(i);
  }
  // One forward per role network over the role's decisions.
  for (std::size_t r = 0; r < roles; ++r) {
    RoleBatch& rb = e.per_role[r];
    if (rb.requests.empty()) continue;
    try {
      rb.decided = networks_->networks[r].forward(rb.batch);
    } catch (const nn::NonFiniteError& err) {
      const DispatchContext& ctx = *requests[rb.requests.front()].ctx;
      const std::string who = ctx.local_node == kNoNode ? "the scheduler" : "node " + std::to_string(ctx.local_node);
      throw nn::NonFiniteError("hrac role " + map_.names()[r] + " (its batch's first decider: " + who +
                               ", t = " + std::to_string(to_seconds(ctx.now)) + " s): " + err.what());
    }
  }
  return e;
}

// Appends one episode's requests [first, end) of a decided batch to its training log, in
// request order: one global state and one attention record (a decision cycle), then per
// decision its inputs, action, log-probability and role.
void HracPolicy::record(DecisionLog& log, std::span<const Pending> requests, std::size_t first_request,
                        std::size_t end_request, const Evaluated& e) const {
  const auto cycle = static_cast<std::uint32_t>(log.cycles());
  const SimTime now = requests[first_request].ctx->now;
  if (log.global_width > 0) {
    log.global_states.resize(log.global_states.size() + log.global_width);
    log.global_state_source(now, std::span(log.global_states).last(log.global_width));
  }
  const std::size_t roles = map_.size();
  std::vector<float> attention(roles * roles, 0.0f);
  std::vector<std::uint32_t> deciding(roles, 0);
  for (std::size_t i = first_request; i < end_request; ++i) {
    const RoleBatch& rb = e.of(i);
    const auto j = static_cast<Index>(e.row[i]);
    log.own.insert(log.own.end(), rb.batch.own.row(j).data(), rb.batch.own.row(j).data() + rb.batch.own.cols());
    const Index first = rb.batch.offsets[e.row[i]], last = rb.batch.offsets[e.row[i] + 1];
    log.candidates.insert(log.candidates.end(), rb.batch.candidates.row(first).data(),
                          rb.batch.candidates.row(first).data() + (last - first) * rb.batch.candidates.cols());
    log.candidate_begin.push_back(log.candidate_begin.back() + static_cast<std::uint64_t>(last - first));
    log.actions.push_back(static_cast<std::int32_t>(e.action(i)));
    log.log_probs.push_back(rb.decided.log_probs[j]);
    log.tasks.push_back(requests[i].task->id);
    log.agents.push_back(requests[i].ctx->local_node);
    log.time_s.push_back(to_seconds(requests[i].ctx->now));
    log.global_state.push_back(cycle);
    log.roles.push_back(e.roles[i]);
    log.role_summaries.insert(log.role_summaries.end(),
                              e.summaries.begin() + static_cast<std::ptrdiff_t>(i * roles * (log.own_width / 2)),
                              e.summaries.begin() + static_cast<std::ptrdiff_t>((i + 1) * roles * (log.own_width / 2)));
    log.role_present.insert(log.role_present.end(), e.present.begin() + static_cast<std::ptrdiff_t>(i * roles),
                            e.present.begin() + static_cast<std::ptrdiff_t>((i + 1) * roles));
    ++deciding[e.roles[i]];
    for (std::size_t b = 0; b < roles; ++b) attention[e.roles[i] * roles + b] += e.weights[i * roles + b];
  }
  for (std::size_t a = 0; a < roles; ++a)
    for (std::size_t b = 0; b < roles && deciding[a] > 0; ++b)
      attention[a * roles + b] /= static_cast<float>(deciding[a]);
  log.role_attention.insert(log.role_attention.end(), attention.begin(), attention.end());
}

}  // namespace

RoleMap hrac_role_map(const AgentSettings& settings, const ClusterSpec& cluster, bool has_scheduler) {
  return RoleMap(settings.hrac.roles, cluster.tier_names, has_scheduler);
}

std::shared_ptr<HracNetworks> make_hrac_networks(const AgentSettings& settings, const std::vector<std::string>& roles,
                                                 std::uint64_t seed) {
  const nn::ObservationLayout& layout = nn::hrac_observation_layout();
  const ActorCriticPolicySettings& ac = settings.actor_critic;
  nn::ActorCriticSettings shapes;
  shapes.own_features = static_cast<Index>(layout.own.size());
  shapes.candidate_features = static_cast<Index>(layout.candidate.size());
  for (std::size_t l = 0; l < ac.hidden_widths.size(); ++l) {
    shapes.hidden_widths.push_back(ac.hidden_widths[l]);
    shapes.hidden_activations.push_back(ac.hidden_activations.size() == 1 ? ac.hidden_activations[0]
                                                                          : ac.hidden_activations.at(l));
  }
  auto networks = std::make_shared<HracNetworks>();
  networks->roles = roles;
  const auto own_w = static_cast<Index>(nn::decentralized_ac_observation_layout().own.size());
  for (const std::string& role : roles) {
    networks->networks.emplace_back(shapes, role_seed(seed, role));
    networks->attention.push_back(make_role_attention(own_w, role_seed(seed, role)));
  }
  if (!ac.checkpoint.empty()) load_hrac_checkpoint(ac.checkpoint, *networks);
  return networks;
}

namespace {
std::vector<nn::CheckpointRole> checkpoint_roles(HracNetworks& networks) {
  std::vector<nn::CheckpointRole> roles;
  for (std::size_t r = 0; r < networks.roles.size(); ++r)
    roles.push_back({networks.roles[r], &networks.networks[r], &networks.attention[r]});
  return roles;
}
}  // namespace

void save_hrac_checkpoint(const std::string& path, HracNetworks& networks,
                          const std::vector<nn::CheckpointArray>& trainer_state) {
  nn::save_checkpoint(path, checkpoint_roles(networks), nn::hrac_observation_layout(), trainer_state);
}

void load_hrac_checkpoint(const std::string& path, HracNetworks& networks) {
  nn::load_checkpoint(path, checkpoint_roles(networks), nn::hrac_observation_layout());
}

std::unique_ptr<SchedulingPolicy> make_hrac_policy(const PolicyContext& context) {
  // Every role's network per rank, shared by its deciding LPs: weights from the run's seed, or
  // agents.checkpoint, or the learner's.
  static const AgentSettings kDefaults;
  const AgentSettings& agents = context.agents != nullptr ? *context.agents : kDefaults;
  if (context.cluster == nullptr) throw std::invalid_argument("hrac: needs the cluster (its tiers name the roles)");
  RoleMap map = hrac_role_map(agents, *context.cluster, context.role == "central");
  const LearnerLink none;
  const LearnerLink& learner = context.learner != nullptr ? *context.learner : none;
  std::shared_ptr<const HracNetworks> networks = learner.hrac ? learner.hrac
                                                              : make_hrac_networks(agents, map.names(), context.seed);
  if (networks->roles != map.names())
    throw std::invalid_argument("hrac: the learner's roles are [" + joined(networks->roles) + "], the run's [" +
                                joined(map.names()) + "]");
  for (DecisionLog& log : learner.logs) {
    const nn::ObservationLayout& layout = nn::hrac_observation_layout();
    if (log.own_width != layout.own.size() || log.candidate_width != layout.candidate.size())
      throw std::invalid_argument("hrac: the decision log's widths do not match the hrac observation layout");
    if (log.role_names.empty()) log.role_names = map.names();
    if (log.role_names != map.names())
      throw std::invalid_argument("hrac: the decision log's roles are [" + joined(log.role_names) + "], the run's [" +
                                  joined(map.names()) + "]");
  }
  return std::make_unique<HracPolicy>(std::move(map), std::move(networks), learner.logs);
}

}  // namespace marlsim
