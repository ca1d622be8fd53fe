#pragma once
// The per-episode metrics by name and unit: one table that the HDF5 writer, the printed
// summary and the JSON summary all read, so a new metric is added in one place.
#include <string_view>
#include <vector>

#include "engine/cluster/episode.hpp"

namespace marlsim {

struct MetricField {
  std::string_view name;  // also the JSON key and the HDF5 dataset name
  std::string_view unit;
  std::string_view description;  // one line: what is measured over which tasks or time
  double (*get)(const EpisodeMetrics&);
};

const std::vector<MetricField>& episode_metric_fields();

}  // namespace marlsim
