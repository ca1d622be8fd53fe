#pragma once
// HDF5 checkpoints of actor-critic networks (layout in docs/checkpoints.md): weights plus
// network shapes, role names, observation layout and a format version, all checked on load.
// Serial (rank 0 writes); written to "<path>.tmp" and renamed, so a crash never leaves a half
// checkpoint under the real name.
#include <string>
#include <vector>

#include "agents/nn/actor_critic_network.hpp"
#include "agents/nn/observation_layout.hpp"

namespace marlsim::nn {

inline constexpr int kCheckpointFormatVersion = 1;

struct CheckpointRole {
  std::string name;             // e.g. "node" or an HRAC role name
  ActorCriticNetwork* network;  // saved from / loaded into
  // The role's attention layers (hrac: query and key), stored as "<name>/attention" beside
  // "<name>/actor" and "<name>/value"; nullptr: the role has none.
  std::vector<DenseLayer>* attention = nullptr;
};

// Training state kept beside the weights so that a resumed run continues exactly (the
// trainer's critic, optimizer moments, value normalisation, iteration): named flat arrays
// in the group "trainer". `marlsim run` reads only the roles' networks.
struct CheckpointArray {
  std::string name;
  std::vector<double> values;  // doubles hold floats and the value normalisation's doubles exactly
};

void save_checkpoint(const std::string& path, const std::vector<CheckpointRole>& roles, const ObservationLayout& layout,
                     const std::vector<CheckpointArray>& trainer_state = {});

// The arrays save_checkpoint stored under "trainer", in name order (empty if none).
std::vector<CheckpointArray> read_trainer_state(const std::string& path);

// Loads into networks already built with the scenario's shapes. Refuses (InputError, one line
// naming both sides) a checkpoint whose version, role names, observation layout or any layer's
// shape or activation differs; the networks are untouched when it refuses.
void load_checkpoint(const std::string& path, const std::vector<CheckpointRole>& roles,
                     const ObservationLayout& layout);

}  // namespace marlsim::nn
