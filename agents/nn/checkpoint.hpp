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
};

void save_checkpoint(const std::string& path, const std::vector<CheckpointRole>& roles,
                     const ObservationLayout& layout);

// Loads into networks already built with the scenario's shapes. Refuses (InputError, one line
// naming both sides) a checkpoint whose version, role names, observation layout or any layer's
// shape or activation differs; the networks are untouched when it refuses.
void load_checkpoint(const std::string& path, const std::vector<CheckpointRole>& roles,
                     const ObservationLayout& layout);

}  // namespace marlsim::nn
