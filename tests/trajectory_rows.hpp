#pragma once
// A synthetic trajectory whose every value is a formula of (episode, agent, sequence), shared by
// the unit test, the MPI test and tests/trajectories/write_example.cpp; the Python loader test
// (tests/trajectories/test_loader.py) computes the same formulas. Values are small integers plus
// multiples of 1/64, exact in float32, so files compare bit for bit.
//
// 8 agents (role = agent % 2), 3 episodes; agent a makes n(e, a) decisions in episode e. Agents
// 2c and 2c+1 form cell c, which has one decision cycle per sequence number (its global state).
// Ranks own contiguous blocks of cells (8 agents split evenly over 1, 2 or 4 ranks).
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpi/hdf5/trajectory_file.hpp"

namespace marlsim::test {

constexpr std::uint64_t kAgents = 8, kEpisodes = 3;
constexpr std::size_t kObs = 6, kCandidates = 4, kFeatures = 3, kGlobal = 5;

inline std::uint64_t decisions(std::uint64_t e, std::uint64_t a) { return 1 + (a * 3 + e) % 5; }
inline std::uint64_t cycles(std::uint64_t e, std::uint64_t cell) {
  return std::max(decisions(e, 2 * cell), decisions(e, 2 * cell + 1));
}
inline double base(std::uint64_t e, std::uint64_t a, std::uint64_t s) {
  return static_cast<double>(e * 1000 + a * 10 + s);
}

inline TrajectorySettings example_settings() {
  TrajectorySettings s;
  s.observation_dim = kObs;
  s.max_candidates = kCandidates;
  s.candidate_feature_dim = kFeatures;
  s.global_state_dim = kGlobal;
  s.role_names = {"worker", "scheduler"};
  s.role_attention = true;
  s.mask_unfit = true;
  s.scenario = "synthetic";
  s.seed = 42;
  s.policy = "test-policy";
  s.policy_version = 7;
  s.observation_layout = "own 0 x [1] none";
  s.reward_assignment = "formula of (episode, agent, sequence), set after the episode";
  s.chunk_rows = 16;
  return s;
}

struct ExampleDecision {
  std::vector<float> observation, features;
  TrajectoryDecision decision;
  float reward;
  bool terminal, timeout;
};

inline ExampleDecision example_decision(std::uint64_t e, std::uint64_t a, std::uint64_t s) {
  ExampleDecision x;
  const double b = base(e, a, s);
  for (std::size_t j = 0; j < kObs; ++j) x.observation.push_back(static_cast<float>(b + j / 64.0));
  const auto count = static_cast<std::uint32_t>(1 + (a + s) % kCandidates);
  for (std::uint32_t k = 0; k < count; ++k)
    for (std::size_t f = 0; f < kFeatures; ++f) x.features.push_back(static_cast<float>(b + k / 8.0 + f / 64.0));
  TrajectoryDecision& d = x.decision;
  d.episode = e;
  d.agent = a;
  d.time_s = static_cast<double>(e) * 100.0 + static_cast<double>(s) * 0.5 + static_cast<double>(a) * 0.125;
  d.role = static_cast<std::uint8_t>(a % 2);
  d.candidate_count = count;
  d.action = static_cast<std::int32_t>((s + e) % count);
  d.log_prob = -static_cast<float>(s + 1) / 8.0f;
  d.value = static_cast<float>(a) + static_cast<float>(s) / 4.0f;
  d.policy_version = static_cast<std::uint32_t>(e);
  x.reward = static_cast<float>(static_cast<double>(e) + a / 2.0 + s / 16.0);
  const bool last = s + 1 == decisions(e, a);
  x.terminal = last && a % 3 == 0;
  x.timeout = last && a % 3 != 0;
  return x;
}

// The cycle's role attention, roles x roles (2 x 2).
inline std::vector<float> example_role_attention(std::uint64_t e, std::uint64_t cell, std::uint64_t cycle) {
  std::vector<float> w;
  for (std::size_t ab = 0; ab < 4; ++ab)
    w.push_back(static_cast<float>(static_cast<double>(e * 100 + cell * 10 + cycle) + static_cast<double>(ab) / 4.0));
  return w;
}

inline std::vector<float> example_global_state(std::uint64_t e, std::uint64_t cell, std::uint64_t cycle) {
  std::vector<float> g;
  for (std::size_t j = 0; j < kGlobal; ++j)
    g.push_back(static_cast<float>(static_cast<double>(e * 100 + cell * 10 + cycle) + j / 32.0));
  return g;
}

// Writes this rank's share (cells in a contiguous block), one flush per episode. Decisions are
// appended in simulated-time order (agents interleaved) and their outcomes set afterwards in
// reverse, as a simulation would.
inline void write_example(TrajectoryWriter& out, int rank, int ranks) {
  const std::uint64_t cells = kAgents / 2;
  const std::uint64_t first = cells * static_cast<std::uint64_t>(rank) / static_cast<std::uint64_t>(ranks);
  const std::uint64_t last = cells * static_cast<std::uint64_t>(rank + 1) / static_cast<std::uint64_t>(ranks);
  for (std::uint64_t e = 0; e < kEpisodes; ++e) {
    std::vector<std::vector<TrajectoryWriter::GlobalStateId>> state(cells);
    for (std::uint64_t c = first; c < last; ++c)
      for (std::uint64_t s = 0; s < cycles(e, c); ++s) {
        const std::vector<float> g = example_global_state(e, c, s), w = example_role_attention(e, c, s);
        state[c].push_back(
            out.append_global_state(e, static_cast<double>(e) * 100.0 + static_cast<double>(s) * 0.5, g, w));
      }
    std::vector<std::pair<TrajectoryWriter::RowId, ExampleDecision>> rows;
    for (std::uint64_t s = 0; s < 5; ++s)
      for (std::uint64_t a = 2 * first; a < 2 * last; ++a) {
        if (s >= decisions(e, a)) continue;
        ExampleDecision x = example_decision(e, a, s);
        x.decision.observation = x.observation;
        x.decision.candidate_features = x.features;
        x.decision.global_state = state[a / 2][s];
        const auto id = out.append(x.decision);
        rows.emplace_back(id, std::move(x));
      }
    for (auto it = rows.rbegin(); it != rows.rend(); ++it)
      out.set_outcome(it->first, it->second.reward, it->second.terminal, it->second.timeout);
    out.flush();
  }
}

// A whole dataset, flat (row-major), read serially; `dims` gets its shape.
template <class T>
std::vector<T> read_dataset(const std::string& path, const std::string& name, hid_t type,
                            std::vector<hsize_t>* dims = nullptr) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) throw std::runtime_error("cannot open " + path);
  const hid_t ds = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
  const hid_t space = H5Dget_space(ds);
  std::vector<hsize_t> shape(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, shape.data(), nullptr);
  std::size_t n = 1;
  for (hsize_t d : shape) n *= d;
  std::vector<T> out(n);
  if (n > 0) H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(file);
  if (dims != nullptr) *dims = shape;
  return out;
}

// The full expected file contents in (episode, agent, sequence) order: the rows and their
// global-state file index.
struct ExpectedRow {
  std::uint64_t e, a, s;
  std::int64_t global_state_row;
};
inline std::vector<ExpectedRow> expected_rows() {
  std::vector<ExpectedRow> rows;
  std::int64_t states_before = 0;  // global states of earlier episodes and cells
  for (std::uint64_t e = 0; e < kEpisodes; ++e)
    for (std::uint64_t c = 0; c < kAgents / 2; ++c) {
      for (std::uint64_t a = 2 * c; a < 2 * c + 2; ++a)
        for (std::uint64_t s = 0; s < decisions(e, a); ++s)
          rows.push_back({e, a, s, states_before + static_cast<std::int64_t>(s)});
      states_before += static_cast<std::int64_t>(cycles(e, c));
    }
  return rows;
}

// "" when the file at `path` holds exactly expected_rows() and the global states, else the first
// difference ("rewards row 12: ...").
inline std::string verify_example_file(const std::string& path) {
  const std::vector<ExpectedRow> rows = expected_rows();
  std::vector<hsize_t> dims;
  const auto obs = read_dataset<float>(path, "observations", H5T_NATIVE_FLOAT, &dims);
  if (dims != std::vector<hsize_t>{rows.size(), kObs}) return "observations has the wrong shape";
  const auto feat = read_dataset<float>(path, "candidate_features", H5T_NATIVE_FLOAT, &dims);
  if (dims != std::vector<hsize_t>{rows.size(), kCandidates, kFeatures})
    return "candidate_features has the wrong shape";
  const auto mask = read_dataset<std::uint8_t>(path, "candidate_mask", H5T_NATIVE_UINT8);
  const auto count = read_dataset<std::uint32_t>(path, "candidate_count", H5T_NATIVE_UINT32);
  const auto actions = read_dataset<std::int32_t>(path, "actions", H5T_NATIVE_INT32);
  const auto rewards = read_dataset<float>(path, "rewards", H5T_NATIVE_FLOAT);
  const auto terminals = read_dataset<std::uint8_t>(path, "terminals", H5T_NATIVE_UINT8);
  const auto timeouts = read_dataset<std::uint8_t>(path, "timeouts", H5T_NATIVE_UINT8);
  const auto episode = read_dataset<std::uint64_t>(path, "episode", H5T_NATIVE_UINT64);
  const auto agent = read_dataset<std::uint64_t>(path, "agent", H5T_NATIVE_UINT64);
  const auto role = read_dataset<std::uint8_t>(path, "role", H5T_NATIVE_UINT8);
  const auto time_s = read_dataset<double>(path, "time_s", H5T_NATIVE_DOUBLE);
  const auto log_prob = read_dataset<float>(path, "log_prob", H5T_NATIVE_FLOAT);
  const auto value = read_dataset<float>(path, "value", H5T_NATIVE_FLOAT);
  const auto gsi = read_dataset<std::int64_t>(path, "global_state_index", H5T_NATIVE_INT64);
  const auto version = read_dataset<std::uint32_t>(path, "policy_version", H5T_NATIVE_UINT32);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ExpectedRow& r = rows[i];
    const ExampleDecision x = example_decision(r.e, r.a, r.s);
    const TrajectoryDecision& d = x.decision;
    const std::string at = " row " + std::to_string(i);
    for (std::size_t j = 0; j < kObs; ++j)
      if (obs[i * kObs + j] != x.observation[j]) return "observations" + at;
    for (std::size_t k = 0; k < kCandidates; ++k) {
      if (mask[i * kCandidates + k] != (k < d.candidate_count ? 1 : 0)) return "candidate_mask" + at;
      for (std::size_t f = 0; f < kFeatures; ++f) {
        const float want = k < d.candidate_count ? x.features[k * kFeatures + f] : 0.0f;
        if (feat[(i * kCandidates + k) * kFeatures + f] != want) return "candidate_features" + at;
      }
    }
    if (count[i] != d.candidate_count) return "candidate_count" + at;
    if (actions[i] != d.action) return "actions" + at;
    if (rewards[i] != x.reward) return "rewards" + at;
    if (terminals[i] != (x.terminal ? 1 : 0)) return "terminals" + at;
    if (timeouts[i] != (x.timeout ? 1 : 0)) return "timeouts" + at;
    if (episode[i] != r.e || agent[i] != r.a || role[i] != d.role) return "episode/agent/role" + at;
    if (time_s[i] != d.time_s) return "time_s" + at;
    if (log_prob[i] != d.log_prob || value[i] != d.value) return "log_prob/value" + at;
    if (gsi[i] != r.global_state_row) return "global_state_index" + at;
    if (version[i] != d.policy_version) return "policy_version" + at;
  }
  if (actions.size() != rows.size()) return "actions has the wrong length";
  const auto states = read_dataset<float>(path, "global_states", H5T_NATIVE_FLOAT, &dims);
  const auto state_episode = read_dataset<std::uint64_t>(path, "global_states_episode", H5T_NATIVE_UINT64);
  std::vector<hsize_t> attention_dims;
  const auto attention = read_dataset<float>(path, "role_attention", H5T_NATIVE_FLOAT, &attention_dims);
  std::size_t g = 0;
  for (std::uint64_t e = 0; e < kEpisodes; ++e)
    for (std::uint64_t c = 0; c < kAgents / 2; ++c)
      for (std::uint64_t s = 0; s < cycles(e, c); ++s, ++g) {
        if (g >= state_episode.size() || state_episode[g] != e) return "global_states_episode row " + std::to_string(g);
        const std::vector<float> want = example_global_state(e, c, s);
        for (std::size_t j = 0; j < kGlobal; ++j)
          if (states[g * kGlobal + j] != want[j]) return "global_states row " + std::to_string(g);
        const std::vector<float> weights = example_role_attention(e, c, s);
        for (std::size_t ab = 0; ab < 4; ++ab)
          if (g * 4 + ab >= attention.size() || attention[g * 4 + ab] != weights[ab])
            return "role_attention row " + std::to_string(g);
      }
  if (dims != std::vector<hsize_t>{g, kGlobal}) return "global_states has the wrong shape";
  if (attention_dims != std::vector<hsize_t>{g, 2, 2}) return "role_attention has the wrong shape";
  return "";
}

}  // namespace marlsim::test
