#include "mpi/hdf5/trajectory_file.hpp"

#include <hdf5.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "engine/support/input_error.hpp"
#include "mpi/hdf5/detail/hdf5_handle.hpp"
#include "mpi/hdf5/detail/hdf5_support.hpp"
#include "mpi/hdf5/detail/parallel_file.hpp"
#include "mpi/hdf5/element_type.hpp"

namespace marlsim {

using detail::Hdf5Handle;

namespace {

constexpr int kFormatVersion = 1;

// The rows of one flush, column by column (struct of arrays, the file's layout).
struct Batch {
  std::vector<float> observations, rewards, candidate_features, log_prob, value;
  std::vector<std::int32_t> actions;
  std::vector<std::uint8_t> terminals, timeouts, role, candidate_mask;
  std::vector<std::uint64_t> episode, agent;
  std::vector<double> time_s;
  std::vector<std::uint32_t> candidate_count, policy_version;
  std::vector<std::int64_t> global_state_index;
  // The global_states table.
  std::vector<float> global_states, role_attention;
  std::vector<std::uint64_t> global_states_episode;
  std::vector<double> global_states_time_s;
};

enum class Table { decisions, global_states };

// THE layout: every dataset, its element type, the shape of one row, unit and meaning.
// docs/trajectories.md documents this table; the writer creates and fills exactly these.
struct Column {
  const char* name;
  Table table;
  ElementType type;
  std::vector<hsize_t> (*row_shape)(const TrajectorySettings&);
  const char* unit;
  const char* description;
  const void* (*data)(const Batch&);
  bool (*in_file)(const TrajectorySettings&) = nullptr;  // nullptr: always; else only where it says so
};

bool in_file(const Column& column, const TrajectorySettings& s) { return !column.in_file || column.in_file(s); }

std::vector<hsize_t> scalar(const TrajectorySettings&) { return {}; }
std::vector<hsize_t> observation_shape(const TrajectorySettings& s) { return {s.observation_dim}; }
std::vector<hsize_t> candidate_shape(const TrajectorySettings& s) {
  return {s.max_candidates, s.candidate_feature_dim};
}
std::vector<hsize_t> mask_shape(const TrajectorySettings& s) { return {s.max_candidates}; }
std::vector<hsize_t> global_shape(const TrajectorySettings& s) { return {s.global_state_dim}; }
std::vector<hsize_t> roles_by_roles(const TrajectorySettings& s) { return {s.role_names.size(), s.role_names.size()}; }

const std::vector<Column>& columns() {
  using E = ElementType;
  using T = Table;
  static const std::vector<Column> table = {
      {"observations", T::decisions, E::float32, observation_shape, "see the observation_layout attribute",
       "the deciding agent's own observation", [](const Batch& b) -> const void* { return b.observations.data(); }},
      {"actions", T::decisions, E::int32, scalar, "candidate index", "the chosen candidate (0 .. candidate_count-1)",
       [](const Batch& b) -> const void* { return b.actions.data(); }},
      {"rewards", T::decisions, E::float32, scalar, "see the reward_assignment attribute",
       "reward of this decision, assigned when its outcome was known",
       [](const Batch& b) -> const void* { return b.rewards.data(); }},
      {"terminals", T::decisions, E::uint8, scalar, "0/1", "1: the episode ended with this decision's outcome",
       [](const Batch& b) -> const void* { return b.terminals.data(); }},
      {"timeouts", T::decisions, E::uint8, scalar, "0/1", "1: the episode was cut off before this outcome was known",
       [](const Batch& b) -> const void* { return b.timeouts.data(); }},
      {"episode", T::decisions, E::uint64, scalar, "episode index", "the episode of the decision",
       [](const Batch& b) -> const void* { return b.episode.data(); }},
      {"time_s", T::decisions, E::float64, scalar, "s", "simulated time of the decision",
       [](const Batch& b) -> const void* { return b.time_s.data(); }},
      {"agent", T::decisions, E::uint64, scalar, "agent id", "the deciding agent",
       [](const Batch& b) -> const void* { return b.agent.data(); }},
      {"role", T::decisions, E::uint8, scalar, "role id", "the agent's role; names in this dataset's `names` attribute",
       [](const Batch& b) -> const void* { return b.role.data(); }},
      {"candidate_features", T::decisions, E::float32, candidate_shape, "see the observation_layout attribute",
       "per candidate slot its features; slots past candidate_count are 0",
       [](const Batch& b) -> const void* { return b.candidate_features.data(); }},
      {"candidate_count", T::decisions, E::uint32, scalar, "candidates", "valid candidate slots",
       [](const Batch& b) -> const void* { return b.candidate_count.data(); }},
      {"candidate_mask", T::decisions, E::uint8, mask_shape, "0/1", "1 for the valid candidate slots",
       [](const Batch& b) -> const void* { return b.candidate_mask.data(); }},
      {"log_prob", T::decisions, E::float32, scalar, "nats", "log-probability of the action under the policy",
       [](const Batch& b) -> const void* { return b.log_prob.data(); }},
      {"value", T::decisions, E::float32, scalar, "return units", "the critic's value estimate at decision time",
       [](const Batch& b) -> const void* { return b.value.data(); }},
      {"global_state_index", T::decisions, E::int64, scalar, "row of global_states", "-1: none",
       [](const Batch& b) -> const void* { return b.global_state_index.data(); }},
      {"policy_version", T::decisions, E::uint32, scalar, "version", "the policy version that decided",
       [](const Batch& b) -> const void* { return b.policy_version.data(); }},
      {"global_states", T::global_states, E::float32, global_shape, "critic input", "one decision cycle's global state",
       [](const Batch& b) -> const void* { return b.global_states.data(); }},
      {"global_states_episode", T::global_states, E::uint64, scalar, "episode index", "the cycle's episode",
       [](const Batch& b) -> const void* { return b.global_states_episode.data(); }},
      {"global_states_time_s", T::global_states, E::float64, scalar, "s", "simulated time of the cycle",
       [](const Batch& b) -> const void* { return b.global_states_time_s.data(); }},
      {"role_attention", T::global_states, E::float32, roles_by_roles, "weight (row sums to 1 or 0)",
       "hrac: row a = the mean attention weights of role a's decisions in the cycle over the roles (0: a did not "
       "decide or saw no other role)",
       [](const Batch& b) -> const void* { return b.role_attention.data(); },
       [](const TrajectorySettings& s) { return s.role_attention; }},
  };
  return table;
}

// One buffered decision: fixed fields plus the offsets of its vectors in the rank's buffers.
struct Row {
  std::uint64_t episode, agent;
  double time_s;
  std::uint8_t role;
  std::int32_t action;
  std::uint32_t candidate_count, policy_version;
  float log_prob, value, reward = 0.0f;
  std::int64_t global_state;
  bool has_outcome = false, terminal = false, timeout = false;
};

std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string settings_error(const TrajectorySettings& s) {
  if (s.observation_dim == 0) return "observation_dim must be positive";
  if (s.max_candidates == 0) return "max_candidates must be positive";
  if (s.candidate_feature_dim == 0) return "candidate_feature_dim must be positive";
  if (s.role_names.empty() || s.role_names.size() > 256) return "role_names must name 1 to 256 roles";
  if (s.reward_assignment.empty()) return "reward_assignment must say how rewards were assigned";
  if (s.gzip_level < 0 || s.gzip_level > 9)
    return "gzip_level must be 0 (off) to 9, got " + std::to_string(s.gzip_level);
  if (s.chunk_rows == 0) return "chunk_rows must be positive";
  if (s.role_attention && s.global_state_dim == 0)
    return "role_attention is stored per decision cycle in the global_states table, so it needs global_state_dim > 0";
  return "";
}

// Everything that must agree across ranks, as one string to hash.
std::string settings_signature(const std::string& path, const TrajectorySettings& s) {
  std::string sig = path;
  for (const auto& part : {std::to_string(s.observation_dim), std::to_string(s.max_candidates),
                           std::to_string(s.candidate_feature_dim), std::to_string(s.global_state_dim), s.scenario,
                           std::to_string(s.seed), s.policy, std::to_string(s.policy_version), s.observation_layout,
                           s.reward_assignment, std::to_string(s.gzip_level), std::to_string(s.chunk_rows),
                           std::to_string(s.in_place), std::to_string(s.role_attention), std::to_string(s.mask_unfit)})
    sig += '\x1f' + part;
  for (const auto& role : s.role_names) sig += '\x1e' + role;
  return sig;
}

template <class T>
void gather_rows(const std::vector<T>& in, const std::vector<std::size_t>& order, std::size_t width,
                 std::vector<T>& out) {
  out.resize(order.size() * width);
  for (std::size_t i = 0; i < order.size(); ++i)
    std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(order[i] * width), width,
                out.begin() + static_cast<std::ptrdiff_t>(i * width));
}

}  // namespace

struct TrajectoryWriter::Impl {
  std::string path, partial;
  Communicator comm;
  TrajectorySettings settings;
  Hdf5Handle file, xfer;
  bool open = false;

  // This rank's rows since the last flush.
  std::vector<Row> rows;
  std::vector<float> observations, candidate_features;
  // This rank's global states since the last flush; `states_flushed` came before them.
  std::vector<float> states, states_attention;
  std::vector<std::uint64_t> states_episode;
  std::vector<double> states_time_s;
  std::int64_t states_flushed = 0;
  // GlobalStateId -> file row: flush k wrote this rank's ids [first_id[k], ...) from file row first_row[k].
  std::vector<std::int64_t> flushed_first_id, flushed_first_row;

  std::string where(const std::string& object) const { return path + ": " + object; }

  [[noreturn]] void fail(const std::string& object, const std::string& what) const {
    const std::string detail = detail::hdf5_error_detail();
    throw std::runtime_error(where(object) + ": " + what + (detail.empty() ? "" : " (" + detail + ")"));
  }

  void require_open(const char* call) const {
    if (!open) throw std::logic_error(where("/") + ": " + call + " after close()");
  }

  std::size_t candidate_row() const { return settings.max_candidates * settings.candidate_feature_dim; }

  std::int64_t file_row_of_state(std::int64_t id) const {
    const auto it = std::upper_bound(flushed_first_id.begin(), flushed_first_id.end(), id);
    const auto k = static_cast<std::size_t>(it - flushed_first_id.begin() - 1);
    return flushed_first_row[k] + (id - flushed_first_id[k]);
  }

  void create_dataset(const Column& column) const {
    const std::vector<hsize_t> row = column.row_shape(settings);
    std::vector<hsize_t> dims{0}, max_dims{H5S_UNLIMITED}, chunk{settings.chunk_rows};
    for (hsize_t d : row) {
      dims.push_back(d);
      max_dims.push_back(d);
      chunk.push_back(std::max<hsize_t>(d, 1));
    }
    const int rank = static_cast<int>(dims.size());
    Hdf5Handle space(H5Screate_simple(rank, dims.data(), max_dims.data()), H5Sclose);
    Hdf5Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (!space.valid() || !dcpl.valid() || H5Pset_chunk(dcpl.get(), rank, chunk.data()) < 0 ||
        H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER) < 0)
      fail(column.name, "cannot prepare the dataset layout");
    if (settings.gzip_level > 0 && H5Pset_deflate(dcpl.get(), static_cast<unsigned>(settings.gzip_level)) < 0)
      fail(column.name, "cannot enable gzip");
    Hdf5Handle dataset(H5Dcreate2(file.get(), column.name, detail::native_type(column.type), space.get(), H5P_DEFAULT,
                                  dcpl.get(), H5P_DEFAULT),
                       H5Dclose);
    if (!dataset.valid()) fail(column.name, "cannot create the dataset");
    string_attribute(column.name, "unit", column.unit);
    string_attribute(column.name, "description", column.description);
  }

  void write_attribute(const std::string& object, const std::string& name, hid_t type, hid_t space,
                       const void* value) const {
    Hdf5Handle attribute(
        H5Acreate_by_name(file.get(), object.c_str(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        H5Aclose);
    if (!attribute.valid() || H5Awrite(attribute.get(), type, value) < 0)
      fail(object, "cannot write attribute '" + name + "'");
  }

  // Variable-length UTF-8 strings, so h5py shows plain str; an array when there are several.
  void strings_attribute(const std::string& object, const std::string& name, const std::vector<std::string>& values,
                         bool as_scalar) const {
    Hdf5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!type.valid() || H5Tset_size(type.get(), H5T_VARIABLE) < 0 || H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0)
      fail(object, "cannot make a string type");
    const hsize_t n = values.size();
    Hdf5Handle space(as_scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose);
    std::vector<const char*> pointers;
    for (const auto& v : values) pointers.push_back(v.c_str());
    write_attribute(object, name, type.get(), space.get(), pointers.data());
  }
  void string_attribute(const std::string& object, const std::string& name, const std::string& value) const {
    strings_attribute(object, name, {value}, true);
  }
  template <class T>
  void number_attribute(const std::string& object, const std::string& name, T value) const {
    Hdf5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    write_attribute(object, name, detail::native_type(element_type_v<T>), space.get(), &value);
  }

  void write_metadata() const {
    const TrajectorySettings& s = settings;
    string_attribute("/", "format", "marlsim-trajectories");
    number_attribute<std::int64_t>("/", "format_version", kFormatVersion);
    string_attribute("/", "code_version", MARLSIM_VERSION);
    string_attribute("/", "scenario", s.scenario);
    number_attribute<std::uint64_t>("/", "seed", s.seed);
    string_attribute("/", "policy", s.policy);
    number_attribute<std::uint32_t>("/", "policy_version", s.policy_version);
    string_attribute("/", "observation_layout", s.observation_layout);
    string_attribute("/", "reward_assignment", s.reward_assignment);
    number_attribute<std::int64_t>("/", "mask_unfit", s.mask_unfit ? 1 : 0);  // 0/1
    string_attribute("/", "row_order",
                     "by flush, then rank, then (episode, agent, append order); one flush per episode with agents "
                     "in contiguous rank blocks gives (episode, agent, sequence)");
    number_attribute<std::uint64_t>("/", "observation_dim", s.observation_dim);
    number_attribute<std::uint64_t>("/", "max_candidates", s.max_candidates);
    number_attribute<std::uint64_t>("/", "candidate_feature_dim", s.candidate_feature_dim);
    number_attribute<std::uint64_t>("/", "global_state_dim", s.global_state_dim);
    strings_attribute("role", "names", s.role_names, false);
  }

  // Grows `column` by `total` rows and writes this rank's `local` rows at `first` (collective).
  void write_column(const Column& column, const void* data, std::uint64_t existing, std::uint64_t total,
                    std::uint64_t first, std::uint64_t local) const {
    Hdf5Handle dataset(H5Dopen2(file.get(), column.name, H5P_DEFAULT), H5Dclose);
    if (!dataset.valid()) fail(column.name, "cannot open the dataset");
    const std::vector<hsize_t> row = column.row_shape(settings);
    std::vector<hsize_t> dims{existing + total}, start{existing + first}, count{local};
    for (hsize_t d : row) {
      dims.push_back(d);
      start.push_back(0);
      count.push_back(d);
    }
    if (H5Dset_extent(dataset.get(), dims.data()) < 0) fail(column.name, "cannot extend the dataset");
    Hdf5Handle file_space(H5Dget_space(dataset.get()), H5Sclose);
    // The memory space has the selection's shape, so HDF5 hands the buffer to MPI-IO directly.
    std::vector<hsize_t> mem_dims = count;
    mem_dims[0] = std::max<hsize_t>(1, local);
    Hdf5Handle mem_space(H5Screate_simple(static_cast<int>(mem_dims.size()), mem_dims.data(), nullptr), H5Sclose);
    if (!file_space.valid() || !mem_space.valid()) fail(column.name, "cannot get the dataspace");
    static const std::uint64_t kNothing = 0;  // a valid pointer for ranks without rows
    herr_t status = 0;
    if (local == 0 || data == nullptr) {
      status = std::min(H5Sselect_none(file_space.get()), H5Sselect_none(mem_space.get()));
      data = &kNothing;
    } else {
      status = H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
    }
    if (status < 0) fail(column.name, "cannot select rows");
    if (H5Dwrite(dataset.get(), detail::native_type(column.type), mem_space.get(), file_space.get(), xfer.get(), data) <
        0)
      fail(column.name, "cannot write rows");
  }

  std::uint64_t current_rows(const char* name) const {
    Hdf5Handle dataset(H5Dopen2(file.get(), name, H5P_DEFAULT), H5Dclose);
    Hdf5Handle space(H5Dget_space(dataset.get()), H5Sclose);
    hsize_t dims[3] = {0, 0, 0};
    if (!space.valid() || H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0)
      fail(name, "cannot read the dataset's size");
    return dims[0];
  }

  // This rank's buffered rows in file order, as columns.
  Batch make_batch() const {
    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(rows[a].episode, rows[a].agent) < std::tie(rows[b].episode, rows[b].agent);
    });
    Batch b;
    gather_rows(observations, order, settings.observation_dim, b.observations);
    gather_rows(candidate_features, order, candidate_row(), b.candidate_features);
    for (std::size_t i : order) {
      const Row& r = rows[i];
      b.actions.push_back(r.action);
      b.rewards.push_back(r.reward);
      b.terminals.push_back(r.terminal ? 1 : 0);
      b.timeouts.push_back(r.timeout ? 1 : 0);
      b.episode.push_back(r.episode);
      b.time_s.push_back(r.time_s);
      b.agent.push_back(r.agent);
      b.role.push_back(r.role);
      b.candidate_count.push_back(r.candidate_count);
      for (std::size_t k = 0; k < settings.max_candidates; ++k) b.candidate_mask.push_back(k < r.candidate_count);
      b.log_prob.push_back(r.log_prob);
      b.value.push_back(r.value);
      b.global_state_index.push_back(r.global_state);  // translated to file rows in flush()
      b.policy_version.push_back(r.policy_version);
    }
    b.global_states = states;
    b.role_attention = states_attention;
    b.global_states_episode = states_episode;
    b.global_states_time_s = states_time_s;
    return b;
  }

  void flush() {
    require_open("flush()");
    std::uint64_t missing = 0;
    for (const Row& r : rows) missing += r.has_outcome ? 0 : 1;
    const std::uint64_t local[2] = {rows.size(), states_episode.size()};

    // One scan for both tables' offsets and one reduction for their totals and the error count.
    std::uint64_t offset[2] = {0, 0};
    std::uint64_t totals[3] = {local[0], local[1], missing};
    if (comm.size() > 1) {
      MPI_Exscan(local, offset, 2, MPI_UINT64_T, MPI_SUM, comm.raw());
      if (comm.rank() == 0) offset[0] = offset[1] = 0;  // MPI leaves rank 0's result undefined
      const std::uint64_t in[3] = {local[0], local[1], missing};
      MPI_Allreduce(in, totals, 3, MPI_UINT64_T, MPI_SUM, comm.raw());
    }
    if (totals[2] > 0)
      throw std::invalid_argument(
          where("rewards") + ": flush() with " + std::to_string(totals[2]) + " row(s) whose outcome is not set yet (" +
          std::to_string(missing) +
          " on this rank); call set_outcome() for every row first (timeout=true for tasks cut off by the episode end)");

    const std::uint64_t existing_rows = current_rows("actions");
    const std::uint64_t existing_states = current_rows("global_states_time_s");
    // This flush's global states get file rows now; rows may reference them or earlier ones.
    flushed_first_id.push_back(states_flushed);
    flushed_first_row.push_back(static_cast<std::int64_t>(existing_states + offset[1]));
    Batch batch = make_batch();
    for (std::int64_t& g : batch.global_state_index)
      if (g >= 0) g = file_row_of_state(g);

    for (const Column& column : columns()) {
      const bool decisions = column.table == Table::decisions;
      const int t = decisions ? 0 : 1;  // which table: its offset, total and local count
      if (totals[t] == 0 || !in_file(column, settings)) continue;
      write_column(column, column.data(batch), decisions ? existing_rows : existing_states, totals[t], offset[t],
                   local[t]);
    }

    states_flushed += static_cast<std::int64_t>(states_episode.size());
    rows.clear();
    observations.clear();
    candidate_features.clear();
    states.clear();
    states_attention.clear();
    states_episode.clear();
    states_time_s.clear();
  }
};

TrajectoryWriter::TrajectoryWriter(std::string path, const Communicator& comm, TrajectorySettings settings)
    : impl_(std::make_unique<Impl>()) {
  detail::quiet_hdf5_errors();
  Impl& d = *impl_;
  d.path = std::move(path);
  d.comm = comm;
  d.settings = std::move(settings);

  const std::string error = settings_error(d.settings);
  std::uint64_t failed = error.empty() ? 0 : 1;
  const std::uint64_t hash = fnv1a(settings_signature(d.path, d.settings));
  if (comm.size() > 1) {
    std::uint64_t in[3] = {failed, hash, ~hash}, out[3] = {0, 0, 0};
    MPI_Allreduce(in, out, 3, MPI_UINT64_T, MPI_MAX, comm.raw());
    if (!error.empty()) throw std::invalid_argument(d.where("/") + ": " + error);
    if (out[0] != 0) throw std::invalid_argument(d.where("/") + ": another rank passed invalid settings");
    if (out[1] != ~out[2]) throw std::logic_error(d.where("/") + ": ranks passed different trajectory settings");
  }
  if (!error.empty()) throw std::invalid_argument(d.where("/") + ": " + error);

  detail::ParallelFile f = detail::create_parallel_file(d.path, d.settings.in_place, comm);
  d.partial = std::move(f.partial);
  d.file = std::move(f.file);
  d.xfer = std::move(f.xfer);
  d.open = true;
  try {
    for (const Column& column : columns())
      if (in_file(column, d.settings)) d.create_dataset(column);
    d.write_metadata();
  } catch (...) {
    d.open = false;
    d.xfer.close();
    d.file.close();
    if (comm.is_root() && !d.settings.in_place) std::remove(d.partial.c_str());
    throw;
  }
}

TrajectoryWriter::~TrajectoryWriter() {
  if (!impl_ || !impl_->open) return;
  // Unfinished: drop the partial file so nobody mistakes it for a complete trajectory file.
  impl_->xfer.close();
  impl_->file.close();
  if (impl_->comm.is_root()) std::remove(impl_->partial.c_str());
}

TrajectoryWriter::TrajectoryWriter(TrajectoryWriter&&) noexcept = default;
TrajectoryWriter& TrajectoryWriter::operator=(TrajectoryWriter&& other) noexcept {
  if (this != &other) {
    TrajectoryWriter discarded(std::move(*this));
    impl_ = std::move(other.impl_);
  }
  return *this;
}

const std::string& TrajectoryWriter::path() const { return impl_->path; }
const std::string& TrajectoryWriter::partial_path() const { return impl_->partial; }
const TrajectorySettings& TrajectoryWriter::settings() const { return impl_->settings; }
bool TrajectoryWriter::is_open() const { return impl_ && impl_->open; }
std::size_t TrajectoryWriter::buffered_rows() const { return impl_->rows.size(); }

TrajectoryWriter::RowId TrajectoryWriter::append(const TrajectoryDecision& x) {
  Impl& d = *impl_;
  d.require_open("append()");
  const TrajectorySettings& s = d.settings;
  auto bad = [&](const char* dataset, const std::string& what) {
    throw std::invalid_argument(d.where(dataset) + ": " + what);
  };
  if (x.observation.size() != s.observation_dim)
    bad("observations",
        "expected " + std::to_string(s.observation_dim) + " values, got " + std::to_string(x.observation.size()));
  if (x.candidate_count > s.max_candidates)
    bad("candidate_count",
        std::to_string(x.candidate_count) + " candidates exceed max_candidates " + std::to_string(s.max_candidates));
  if (x.candidate_features.size() != x.candidate_count * s.candidate_feature_dim)
    bad("candidate_features",
        "expected candidate_count x candidate_feature_dim = " + std::to_string(x.candidate_count) + " x " +
            std::to_string(s.candidate_feature_dim) + " values, got " + std::to_string(x.candidate_features.size()));
  if (x.action < 0 || static_cast<std::uint32_t>(x.action) >= x.candidate_count)
    bad("actions", "action " + std::to_string(x.action) + " is not a candidate index below candidate_count " +
                       std::to_string(x.candidate_count));
  if (x.role >= s.role_names.size())
    bad("role",
        "role " + std::to_string(x.role) + " has no name (" + std::to_string(s.role_names.size()) + " role_names)");
  const auto known_states = d.states_flushed + static_cast<std::int64_t>(d.states_episode.size());
  if (x.global_state < -1 || x.global_state >= known_states)
    bad("global_state_index", "global state " + std::to_string(x.global_state) + " was not appended (" +
                                  std::to_string(known_states) + " so far on this rank)");

  d.observations.insert(d.observations.end(), x.observation.begin(), x.observation.end());
  d.candidate_features.insert(d.candidate_features.end(), x.candidate_features.begin(), x.candidate_features.end());
  d.candidate_features.resize(
      d.candidate_features.size() + (s.max_candidates - x.candidate_count) * s.candidate_feature_dim, 0.0f);
  Row row{};
  row.episode = x.episode;
  row.agent = x.agent;
  row.time_s = x.time_s;
  row.role = x.role;
  row.action = x.action;
  row.candidate_count = x.candidate_count;
  row.policy_version = x.policy_version;
  row.log_prob = x.log_prob;
  row.value = x.value;
  row.global_state = x.global_state;
  d.rows.push_back(row);
  return d.rows.size() - 1;
}

void TrajectoryWriter::set_outcome(RowId row, float reward, bool terminal, bool timeout) {
  Impl& d = *impl_;
  d.require_open("set_outcome()");
  if (row >= d.rows.size())
    throw std::invalid_argument(d.where("rewards") + ": row " + std::to_string(row) + " is not buffered (" +
                                std::to_string(d.rows.size()) + " rows since the last flush)");
  Row& r = d.rows[row];
  r.reward = reward;
  r.terminal = terminal;
  r.timeout = timeout;
  r.has_outcome = true;
}

TrajectoryWriter::GlobalStateId TrajectoryWriter::append_global_state(std::uint64_t episode, double time_s,
                                                                      std::span<const float> state,
                                                                      std::span<const float> role_attention) {
  Impl& d = *impl_;
  d.require_open("append_global_state()");
  if (d.settings.global_state_dim == 0 || state.size() != d.settings.global_state_dim)
    throw std::invalid_argument(d.where("global_states") + ": expected " + std::to_string(d.settings.global_state_dim) +
                                " values (global_state_dim), got " + std::to_string(state.size()));
  const std::size_t roles = d.settings.role_names.size();
  const std::size_t attention = d.settings.role_attention ? roles * roles : 0;
  if (role_attention.size() != attention)
    throw std::invalid_argument(d.where("role_attention") + ": expected " + std::to_string(attention) + " values (" +
                                (d.settings.role_attention ? "roles x roles" : "role_attention is off") + "), got " +
                                std::to_string(role_attention.size()));
  d.states.insert(d.states.end(), state.begin(), state.end());
  d.states_attention.insert(d.states_attention.end(), role_attention.begin(), role_attention.end());
  d.states_episode.push_back(episode);
  d.states_time_s.push_back(time_s);
  return d.states_flushed + static_cast<std::int64_t>(d.states_episode.size()) - 1;
}

void TrajectoryWriter::flush() { impl_->flush(); }

void TrajectoryWriter::close() {
  Impl& d = *impl_;
  d.flush();
  d.open = false;
  detail::close_parallel_file(d.file, d.xfer, d.partial, d.path, d.settings.in_place, d.comm);
}

}  // namespace marlsim
