#pragma once
// What each input of a learned policy means, written down once as data: feature name, unit and
// normalisation, in input order. `marlsim list` can print it and every checkpoint stores it, so
// a checkpoint trained on one layout is never silently run on another.
#include <string>
#include <vector>

namespace marlsim::nn {

struct ObservationFeature {
  std::string name;           // e.g. "own.cpu_free"
  std::string unit;           // the raw quantity's unit, e.g. "cores", "s", "tasks"
  std::string normalisation;  // how the raw value becomes the network input, e.g. "/ node cpu capacity"
  friend bool operator==(const ObservationFeature&, const ObservationFeature&) = default;
};

struct ObservationLayout {
  std::string policy;                         // the policy this layout feeds, e.g. "decentralized-ac"
  std::vector<ObservationFeature> own;        // the deciding agent's own observation (once per request)
  std::vector<ObservationFeature> candidate;  // per candidate node (K rows per request)
  // The centralized critic's view of the whole system, once per decision cycle (training only:
  // the actors never see it). The critic's input is [global, own].
  std::vector<ObservationFeature> global;

  // One line per feature: "<section> <index> <name> [<unit>] <normalisation>".
  std::string to_text() const;
  friend bool operator==(const ObservationLayout&, const ObservationLayout&) = default;
};

// The decentralized actor-critic (issue 11, source study 1): its own state, the task, queue
// statistics, and per candidate the candidate's last report with its age.
const ObservationLayout& decentralized_ac_observation_layout();

// The hrac policy (source study 2): decentralized-ac's layout with the own section doubled:
// own.* ... task.* as there, then attended.<same names>, the role attention's weighted mean of
// the other roles' summaries in the same units (agents/hrac_attention.hpp). Candidate and
// global sections as decentralized-ac's.
const ObservationLayout& hrac_observation_layout();

}  // namespace marlsim::nn
