#pragma once
// TrajectoryWriter: the trajectory file of issue 12 (docs/trajectories.md), one row per
// decision in flat, chunked, extendible datasets named as offline-RL users expect, plus a
// `global_states` table with one row per decision cycle (the centralized critic's input and,
// for hrac, the cycle's role attention weights).
//
// Rewards are known only when the task completes, so a row is appended at decision time
// (append() returns its RowId) and its outcome filled in later (set_outcome()). Rows stay in
// this rank's buffer until flush(), which the caller runs once per episode after every
// buffered row has its outcome (a task still running at the episode's end gets timeout=true).
//
// Row order in the file: flush by flush; within a flush rank 0's rows first, then rank 1's,
// ...; within a rank sorted by (episode, agent, append order of that agent). When agents are
// split over ranks in contiguous blocks (lower ranks own lower agent ids, as the cluster
// partition does) and flush() runs once per episode, that is the order (episode, agent,
// sequence) and the file is identical for any rank count.
//
// append(), append_global_state() and set_outcome() are local; flush(), close() and the
// constructor are COLLECTIVE (every rank calls them in the same order). One flush makes one
// MPI_Exscan of the (decision rows, global-state rows) counts, one MPI_Allreduce, and one
// collective write per dataset. The file is written under a unique partial name
// (`path.XXXXXXXX.partial`) and renamed to `path` by close(); destroying an unclosed writer
// deletes the partial file, so a crash never leaves a corrupt file under the final name.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mpi/communicator.hpp"

namespace marlsim {

struct TrajectorySettings {
  // Shapes (fixed for the file).
  std::size_t observation_dim = 0;        // obs_dim: the deciding agent's own observation
  std::size_t max_candidates = 0;         // K: candidate slots per decision
  std::size_t candidate_feature_dim = 0;  // F: features per candidate
  std::size_t global_state_dim = 0;       // G: the centralized critic's input (0: no global states)
  std::vector<std::string> role_names;    // role id -> name, stored as the `names` attribute of `role`
  // hrac: a `role_attention` dataset in the global_states table, roles x roles per decision
  // cycle (row a: role a's mean attention weights over the roles). Needs global_state_dim > 0.
  bool role_attention = false;

  // Provenance, stored as attributes of the file ("/").
  std::string scenario;  // the scenario's name or path
  std::uint64_t seed = 0;
  std::string policy;  // policy name, e.g. "decentralized-ac"
  std::uint32_t policy_version = 0;
  std::string observation_layout;  // the policy's layout as text (nn::ObservationLayout::to_text())
  std::string reward_assignment;   // how rewards were assigned (required: the file must say)
  bool mask_unfit = false;         // agents.mask_unfit was on: log_prob is over the fitting candidates only

  // Storage.
  int gzip_level = 0;             // 0: no filter (gzip is ~15x slower than the disk here)
  std::size_t chunk_rows = 1024;  // rows per chunk, the same for every dataset
  // false: write `path.XXXXXXXX.partial` and rename on close(). true: write `path` itself; the
  // caller made it a unique partial file and publishes it (cli/output_set.hpp).
  bool in_place = false;
};

// One decision, as known when it is made. Spans are copied by append().
struct TrajectoryDecision {
  std::uint64_t episode = 0;
  double time_s = 0.0;  // simulated time of the decision, s
  std::uint64_t agent = 0;
  std::uint8_t role = 0;                      // index into TrajectorySettings::role_names
  std::span<const float> observation;         // observation_dim values
  std::span<const float> candidate_features;  // candidate_count * candidate_feature_dim values, row-major
  std::uint32_t candidate_count = 0;          // <= max_candidates; slots past it are zero and masked
  std::int32_t action = 0;                    // the chosen candidate index, < candidate_count
  float log_prob = 0.0f;                      // log pi(action | observation)
  float value = 0.0f;                         // the critic's estimate at decision time
  std::int64_t global_state = -1;             // a GlobalStateId from append_global_state(), or -1
  std::uint32_t policy_version = 0;
};

class TrajectoryWriter {
 public:
  using RowId = std::size_t;           // a row buffered since the last flush
  using GlobalStateId = std::int64_t;  // this rank's global states, numbered from 0 for the writer's life

  // Creates the partial file, every dataset (0 rows) and the attributes (collective). Bad
  // settings are std::invalid_argument; an unwritable folder is InputError naming the path.
  TrajectoryWriter(std::string path, const Communicator& comm, TrajectorySettings settings);
  ~TrajectoryWriter();
  TrajectoryWriter(TrajectoryWriter&&) noexcept;
  TrajectoryWriter& operator=(TrajectoryWriter&&) noexcept;
  TrajectoryWriter(const TrajectoryWriter&) = delete;
  TrajectoryWriter& operator=(const TrajectoryWriter&) = delete;

  const std::string& path() const;          // the final name
  const std::string& partial_path() const;  // where data goes until close()
  const TrajectorySettings& settings() const;

  // Buffers one decision; its reward is 0 and terminal/timeout false until set_outcome().
  // Wrong shapes, an action outside the candidates or an unknown global state throw
  // std::invalid_argument naming the dataset; after close() std::logic_error.
  RowId append(const TrajectoryDecision& decision);
  // Fills the outcome of a buffered row (may be called again to replace it).
  void set_outcome(RowId row, float reward, bool terminal, bool timeout = false);

  // Buffers one decision cycle's global state (global_state_dim values) and, with
  // settings().role_attention, its role attention (roles x roles values, row-major; else empty).
  GlobalStateId append_global_state(std::uint64_t episode, double time_s, std::span<const float> state,
                                    std::span<const float> role_attention = {});

  std::size_t buffered_rows() const;

  // Writes every buffered row and global state (collective). Throws std::invalid_argument on
  // every rank, writing nothing, if any rank holds a row without an outcome.
  void flush();
  // flush(), close the file and rename it to path() (collective). Afterwards only the
  // destructor may be called.
  void close();
  bool is_open() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace marlsim
