#include "engine/cluster/node_placement.hpp"

#include "engine/cluster/forwarding_placement.hpp"

namespace marlsim {

std::unique_ptr<NodePlacement> make_two_level_placement(NodeLp& node,
                                                        const ModelSetup& setup);  // two_level_placement.cpp
std::unique_ptr<NodePlacement> make_decentralized_agent(NodeLp& node,
                                                        const ModelSetup& setup);  // decentralized_agent.cpp

std::unique_ptr<NodePlacement> make_node_placement(NodeLp& node, const ModelSetup& setup) {
  switch (setup.scheduler.topology) {
    case Topology::Centralized: return std::make_unique<ForwardingPlacement>(node, setup);
    case Topology::TwoLevel: return make_two_level_placement(node, setup);
    case Topology::Decentralized: return make_decentralized_agent(node, setup);
  }
  return nullptr;
}

}  // namespace marlsim
