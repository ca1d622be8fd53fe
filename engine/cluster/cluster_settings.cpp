#include "engine/cluster/cluster_settings.hpp"

namespace marlsim {

std::string_view topology_name(Topology t) {
  switch (t) {
    case Topology::Centralized: return "centralized";
    case Topology::TwoLevel: return "two-level";
    case Topology::Decentralized: return "decentralized";
  }
  return "?";
}

std::string_view sharing_name(Sharing s) {
  switch (s) {
    case Sharing::None: return "none";
    case Sharing::Limited: return "limited";
    case Sharing::Global: return "global";
  }
  return "?";
}

std::string_view decide_when_name(DecideWhen d) { return d == DecideWhen::AtOnce ? "at-once" : "window-end"; }

std::string_view report_mode_name(ReportMode r) { return r == ReportMode::Periodic ? "periodic" : "on-change"; }

}  // namespace marlsim
