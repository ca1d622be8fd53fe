#pragma once
// The agents' settings ([agents] in a scenario): how deciding agents batch their decisions,
// and the learned policies' networks.
#include "agents/actor_critic_settings.hpp"
#include "agents/hrac_settings.hpp"

namespace marlsim {

struct AgentSettings {  // [agents]
  // decision_period_s: agents collect what arrives and decide at the next multiple of this
  // period, all of a rank's requests of one cycle as one batch, as production schedulers'
  // scheduling cycles do (0: no cycles; scheduler.decide says when).
  double decision_period_s = 0;
  // observation_loss: partial observability, the share of load reports a decentralized agent
  // never sees (each report it is sent is lost with this probability, drawn from the agent's
  // own stream); 0: it sees every report.
  double observation_loss = 0;
  ActorCriticPolicySettings actor_critic;  // hidden_widths, activations, checkpoint
  HracSettings hrac;                       // roles
};

}  // namespace marlsim
