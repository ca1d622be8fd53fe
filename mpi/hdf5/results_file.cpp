#include "mpi/hdf5/results_file.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "engine/support/atomic_write.hpp"
#include "engine/support/input_error.hpp"
#include "mpi/hdf5/detail/hdf5_handle.hpp"
#include "mpi/hdf5/detail/hdf5_support.hpp"
#include "mpi/hdf5/detail/parallel_file.hpp"

namespace marlsim {

using detail::Hdf5Handle;

namespace {

constexpr std::size_t kMinChunkBytes = std::size_t{64} << 10;

std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

// A call's identity for the cross-rank check: fields joined with a separator no name holds.
template <class... Parts>
std::string signature(const Parts&... parts) {
  std::string s;
  ((s += parts, s += '\x1f'), ...);
  return s;
}

std::string bytes_of(const void* value, std::size_t size) { return std::string(static_cast<const char*>(value), size); }

}  // namespace

struct ResultsFile::Impl {
  std::string path;
  std::string partial;
  Communicator comm;
  ResultsFileSettings settings;
  Hdf5Handle file;
  Hdf5Handle xfer;  // collective MPI-IO transfers
  bool open = false;

  std::string where(const std::string& object) const { return path + ": " + object; }

  [[noreturn]] void fail(const std::string& object, const std::string& what) const {
    const std::string detail = detail::hdf5_error_detail();
    throw std::runtime_error(where(object) + ": " + what + (detail.empty() ? "" : " (" + detail + ")"));
  }

  // Every collective call starts here: all ranks must make the same call, and a bad argument
  // on one rank must stop all of them. One small Allreduce turns both cases into an exception
  // on every rank instead of a hang or a corrupt file inside HDF5.
  void agree(const std::string& object, const std::string& call, const std::string& local_error) const {
    if (!open) throw std::logic_error(where(object) + ": the results file was already closed (close())");
    std::uint64_t any_error = local_error.empty() ? 0 : 1;
    std::uint64_t hash = fnv1a(call);
    if (comm.size() > 1) {
      std::uint64_t in[3] = {any_error, hash, ~hash};
      std::uint64_t out[3] = {0, 0, 0};
      MPI_Allreduce(in, out, 3, MPI_UINT64_T, MPI_MAX, comm.raw());
      any_error = out[0];
      // max(h) == ~max(~h) == min(h) exactly when every rank has the same h.
      if (!local_error.empty()) throw std::invalid_argument(where(object) + ": " + local_error);
      if (any_error) throw std::invalid_argument(where(object) + ": another rank passed invalid arguments");
      if (out[1] != ~out[2])
        throw std::logic_error(where(object) +
                               ": ranks made different collective calls (name, type, width or value differ)");
    }
    if (!local_error.empty()) throw std::invalid_argument(where(object) + ": " + local_error);
  }

  std::string normalized(const std::string& name, std::string& error) const {
    std::string n = detail::normalize_object_path(name);
    if (n.empty() || n == "/") error = "'" + name + "' is not a usable dataset path";
    return n;
  }

  std::uint64_t chunk_rows(std::uint64_t hint_rows, std::size_t row_bytes) const {
    const std::uint64_t max_rows = std::max<std::uint64_t>(1, settings.max_chunk_bytes / row_bytes);
    const std::uint64_t min_rows = std::max<std::uint64_t>(
        1, std::min(kMinChunkBytes, settings.max_chunk_bytes) / row_bytes);
    return std::clamp(hint_rows, min_rows, max_rows);
  }

  // A chunked dataset of unlimited length: [rows] when width is 0, else [rows, width].
  Hdf5Handle create_dataset(const std::string& name, ElementType type, std::size_t width, std::uint64_t rows,
                            std::uint64_t chunk_hint_rows, const void* fill) const {
    const int rank = width == 0 ? 1 : 2;
    const hsize_t dims[2] = {rows, width};
    const hsize_t max_dims[2] = {H5S_UNLIMITED, width};
    const hsize_t chunk[2] = {chunk_rows(chunk_hint_rows, element_size(type) * std::max<std::size_t>(width, 1)), width};
    Hdf5Handle space(H5Screate_simple(rank, dims, max_dims), H5Sclose);
    Hdf5Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    Hdf5Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    if (!space.valid() || !dcpl.valid() || !lcpl.valid() || H5Pset_chunk(dcpl.get(), rank, chunk) < 0 ||
        H5Pset_create_intermediate_group(lcpl.get(), 1) < 0)
      fail(name, "cannot prepare the dataset layout");
    if (settings.gzip_level > 0 && H5Pset_deflate(dcpl.get(), static_cast<unsigned>(settings.gzip_level)) < 0)
      fail(name, "cannot enable gzip");
    // Parallel HDF5 allocates chunks when the dataset is created or extended; HDF5 must not
    // also write fill values there, since every row is written by us right after (appends
    // cover the new rows; the indexed writer covers every row, fill included).
    if (H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER) < 0) fail(name, "cannot set the fill time");
    if (fill != nullptr && H5Pset_fill_value(dcpl.get(), detail::native_type(type), fill) < 0)
      fail(name, "cannot set the fill value");  // recorded so readers see it
    Hdf5Handle dataset(H5Dcreate2(file.get(), name.c_str(), detail::native_type(type), space.get(), lcpl.get(),
                                  dcpl.get(), H5P_DEFAULT),
                       H5Dclose);
    if (!dataset.valid()) fail(name, "cannot create the dataset");
    return dataset;
  }

  // Opens an existing dataset and checks it can take rows of this type and width.
  Hdf5Handle open_for_append(const std::string& name, ElementType type, std::size_t width,
                             hsize_t& current_rows) const {
    Hdf5Handle dataset(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!dataset.valid()) fail(name, "exists but is not a dataset");
    Hdf5Handle stored(H5Dget_type(dataset.get()), H5Tclose);
    Hdf5Handle space(H5Dget_space(dataset.get()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    hsize_t dims[2] = {0, 0};
    if (rank < 1 || rank > 2) fail(name, "has an unexpected rank");
    H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    const int expected_rank = width == 0 ? 1 : 2;
    if (!detail::stores_type(stored.get(), type) || rank != expected_rank || (rank == 2 && dims[1] != width)) {
      const std::string have = detail::describe_type(stored.get()) +
                               (rank == 1 ? " 1-D" : " 2-D of width " + std::to_string(dims[1]));
      const std::string want = std::string(element_type_name(type)) +
                               (width == 0 ? " 1-D" : " 2-D of width " + std::to_string(width));
      throw std::invalid_argument(where(name) + ": cannot append " + want + " rows to an existing " + have +
                                  " dataset");
    }
    current_rows = dims[0];
    return dataset;
  }

  // Writes a scalar attribute, replacing one of the same name (its type may change).
  void write_attribute(const std::string& object, const std::string& name, hid_t type, const void* value) const {
    if (!detail::object_exists(file.get(), object))
      throw std::invalid_argument(where(object) + ": no such group or dataset for attribute '" + name + "'");
    if (H5Aexists_by_name(file.get(), object.c_str(), name.c_str(), H5P_DEFAULT) > 0 &&
        H5Adelete_by_name(file.get(), object.c_str(), name.c_str(), H5P_DEFAULT) < 0)
      fail(object, "cannot replace attribute '" + name + "'");
    Hdf5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Hdf5Handle attribute(H5Acreate_by_name(file.get(), object.c_str(), name.c_str(), type, space.get(), H5P_DEFAULT,
                                           H5P_DEFAULT, H5P_DEFAULT),
                         H5Aclose);
    if (!attribute.valid() || H5Awrite(attribute.get(), type, value) < 0)
      fail(object, "cannot write attribute '" + name + "'");
  }

  std::string attribute_error(const std::string& object_path, const std::string& object,
                              const std::string& name) const {
    if (object.empty()) return "'" + object_path + "' is not a usable object path";
    if (name.empty()) return "attribute name is empty";
    return "";
  }

  // One collective H5Dwrite of `rows` local rows at `first_row`; ranks without rows select
  // nothing but still take part (collective MPI-IO needs every rank).
  void write_rows(const std::string& name, hid_t dataset, ElementType type, std::size_t width, std::uint64_t first_row,
                  std::uint64_t rows, const void* data) const {
    static const std::uint64_t kNothing = 0;  // a valid pointer for empty writes
    Hdf5Handle file_space(H5Dget_space(dataset), H5Sclose);
    const hsize_t start[2] = {first_row, 0};
    const hsize_t count[2] = {rows, width};
    // The memory space has the file selection's shape: HDF5 then hands the buffer to MPI-IO
    // directly; a flat 1-D buffer against a 2-D selection is strip-mined through its 1 MiB
    // conversion buffer (measured: ~5x slower for 64-wide rows).
    const int rank = width == 0 ? 1 : 2;
    const hsize_t mem_dims[2] = {std::max<hsize_t>(1, rows), width};
    Hdf5Handle mem_space(H5Screate_simple(rank, mem_dims, nullptr), H5Sclose);
    if (!file_space.valid() || !mem_space.valid()) fail(name, "cannot get the dataspace");
    herr_t status = 0;
    if (rows == 0) {
      status = std::min(H5Sselect_none(file_space.get()), H5Sselect_none(mem_space.get()));
      data = &kNothing;
    } else {
      status = H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
    }
    if (status < 0) fail(name, "cannot select rows");
    if (H5Dwrite(dataset, detail::native_type(type), mem_space.get(), file_space.get(), xfer.get(), data) < 0)
      fail(name, "cannot write rows");
  }
};

ResultsFile::ResultsFile(std::string path, const Communicator& comm, ResultsFileSettings settings)
    : impl_(std::make_unique<Impl>()) {
  detail::quiet_hdf5_errors();
  Impl& d = *impl_;
  d.path = std::move(path);
  d.comm = comm;
  d.settings = settings;
  d.open = true;  // for agree(); reset below if creation fails

  std::string error;
  if (settings.gzip_level < 0 || settings.gzip_level > 9)
    error = "gzip_level must be 0 (off) to 9, got " + std::to_string(settings.gzip_level);
  if (settings.max_chunk_bytes == 0) error = "max_chunk_bytes must be positive";
  try {
    d.agree("/",
            signature(std::string("create"), d.path, std::to_string(settings.gzip_level),
                      std::to_string(settings.max_chunk_bytes)),
            error);
  } catch (...) {
    d.open = false;
    throw;
  }
  d.open = false;

  detail::ParallelFile f = detail::create_parallel_file(d.path, settings.in_place, comm);
  d.partial = std::move(f.partial);
  d.file = std::move(f.file);
  d.xfer = std::move(f.xfer);
  d.open = true;
}

ResultsFile::~ResultsFile() {
  if (!impl_ || !impl_->open) return;
  // Unfinished run: drop what was written so nobody mistakes it for a result.
  impl_->xfer.close();
  impl_->file.close();
  if (impl_->comm.is_root()) std::remove(impl_->partial.c_str());
}

ResultsFile::ResultsFile(ResultsFile&&) noexcept = default;
ResultsFile& ResultsFile::operator=(ResultsFile&& other) noexcept {
  if (this != &other) {
    ResultsFile discarded(std::move(*this));  // an open file being replaced is abandoned
    impl_ = std::move(other.impl_);
  }
  return *this;
}

const std::string& ResultsFile::path() const { return impl_->path; }
const std::string& ResultsFile::partial_path() const { return impl_->partial; }
bool ResultsFile::is_open() const { return impl_ && impl_->open; }

void ResultsFile::append_bytes(const std::string& dataset, ElementType type, const void* data, std::size_t count,
                               std::size_t width) {
  Impl& d = *impl_;
  std::string error;
  const std::string name = d.normalized(dataset, error);
  if (width > 0 && count % width != 0)
    error = std::to_string(count) + " values are not whole rows of width " + std::to_string(width);
  d.agree(name, signature(std::string("append"), name, std::string(element_type_name(type)), std::to_string(width)),
          error);

  const std::uint64_t local_rows = width == 0 ? count : count / width;
  const auto offset = static_cast<std::uint64_t>(d.comm.exclusive_scan_sum(static_cast<std::int64_t>(local_rows)));
  const std::uint64_t total = d.comm.allreduce_sum(local_rows);

  hsize_t current = 0;
  Hdf5Handle ds = detail::object_exists(d.file.get(), name) ? d.open_for_append(name, type, width, current)
                                                            : d.create_dataset(name, type, width, 0, total, nullptr);
  if (total == 0) return;
  const hsize_t new_dims[2] = {current + total, width};
  if (H5Dset_extent(ds.get(), new_dims) < 0) d.fail(name, "cannot extend the dataset");
  d.write_rows(name, ds.get(), type, width, current + offset, local_rows, data);
}

void ResultsFile::append_row_group(std::span<const ResultsColumn> columns) {
  Impl& d = *impl_;
  std::string error, call = "append_row_group";
  std::vector<std::string> names;
  const std::uint64_t local_rows = columns.empty() ? 0 : columns.front().rows;
  for (const ResultsColumn& c : columns) {
    names.push_back(d.normalized(c.dataset, error));
    call += signature(std::string(" "), names.back(), std::string(element_type_name(c.type)));
    if (c.rows != local_rows && error.empty())
      error = c.dataset + " has " + std::to_string(c.rows) + " rows, " + columns.front().dataset + " " +
              std::to_string(local_rows) + ": a row group's columns have the same rows";
  }
  d.agree(names.empty() ? std::string("(empty row group)") : names.front(), call, error);

  const auto offset = static_cast<std::uint64_t>(d.comm.exclusive_scan_sum(static_cast<std::int64_t>(local_rows)));
  const std::uint64_t total = d.comm.allreduce_sum(local_rows);
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const std::string& name = names[i];
    hsize_t current = 0;
    Hdf5Handle ds = detail::object_exists(d.file.get(), name)
                        ? d.open_for_append(name, columns[i].type, 0, current)
                        : d.create_dataset(name, columns[i].type, 0, 0, total, nullptr);
    if (total == 0) continue;
    const hsize_t new_dims[2] = {current + total, 0};
    if (H5Dset_extent(ds.get(), new_dims) < 0) d.fail(name, "cannot extend the dataset");
    d.write_rows(name, ds.get(), columns[i].type, 0, current + offset, local_rows, columns[i].data);
  }
}

void ResultsFile::write_indexed_bytes(const std::string& dataset, ElementType type, std::uint64_t total_rows,
                                      std::span<const std::uint64_t> global_index, const void* values,
                                      std::size_t count, const void* fill) {
  Impl& d = *impl_;
  const std::size_t size = element_size(type);
  const auto ranks = static_cast<std::uint64_t>(d.comm.size());
  // Rows are redistributed so rank r owns the contiguous block [r*block, (r+1)*block): every
  // rank then writes one hyperslab (with the fill already in its gaps) whatever the
  // partition was, and duplicates across ranks are caught by the owner.
  const std::uint64_t block = std::max<std::uint64_t>(1, (total_rows + ranks - 1) / ranks);

  std::string error;
  const std::string name = d.normalized(dataset, error);
  if (global_index.size() != count)
    error = std::to_string(global_index.size()) + " indices for " + std::to_string(count) + " values";
  std::vector<int> send_counts(ranks, 0);
  for (std::size_t i = 0; error.empty() && i < count; ++i) {
    if (global_index[i] >= total_rows) {
      error = "row index " + std::to_string(global_index[i]) + " is outside [0, " + std::to_string(total_rows) + ")";
    } else if (++send_counts[global_index[i] / block] == INT_MAX / 8) {
      error = "too many rows for one rank to send in one call";
    }
  }
  d.agree(name,
          signature(std::string("write_indexed"), name, std::string(element_type_name(type)),
                    std::to_string(total_rows), bytes_of(fill, size)),
          error);
  if (detail::object_exists(d.file.get(), name))
    throw std::invalid_argument(d.where(name) + ": already exists; write_indexed creates a new dataset");

  const auto me = static_cast<std::uint64_t>(d.comm.rank());
  const std::uint64_t first = std::min(total_rows, me * block);
  const std::uint64_t last = std::min(total_rows, first + block);
  std::vector<unsigned char> rows((last - first) * size);
  // Element copies with the size known at compile time: a memcpy of runtime size per row
  // was the cost of the whole call on one rank.
  auto gather = [&]<std::size_t N>() {
    using Cell = std::array<unsigned char, N>;
    const auto* in = static_cast<const Cell*>(values);
    std::span<const std::uint64_t> own_index = global_index;
    std::span<const Cell> own_values(in, count);
    std::vector<std::uint64_t> recv_index;
    std::vector<Cell> recv_values;
    if (ranks > 1) {
      // Bucket by owner (a counting sort, O(n)), then one exchange of indices, one of values.
      std::vector<int> send_displs(ranks, 0), recv_counts(ranks, 0), recv_displs(ranks, 0);
      for (std::uint64_t r = 1; r < ranks; ++r) send_displs[r] = send_displs[r - 1] + send_counts[r - 1];
      std::vector<std::uint64_t> send_index(count);
      std::vector<Cell> send_values(count);
      std::vector<int> next = send_displs;
      for (std::size_t i = 0; i < count; ++i) {
        const int slot = next[global_index[i] / block]++;
        send_index[slot] = global_index[i];
        send_values[slot] = in[i];
      }
      MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, d.comm.raw());
      std::uint64_t received = 0;
      for (std::uint64_t r = 0; r < ranks; ++r) {
        recv_displs[r] = static_cast<int>(received);
        received += static_cast<std::uint64_t>(recv_counts[r]);
      }
      if (received * N > INT_MAX) error = "too many rows for one rank to receive in one call";
      d.agree(name, "write_indexed exchange", error);
      recv_index.resize(received);
      recv_values.resize(received);
      MPI_Alltoallv(send_index.data(), send_counts.data(), send_displs.data(), MPI_UINT64_T, recv_index.data(),
                    recv_counts.data(), recv_displs.data(), MPI_UINT64_T, d.comm.raw());
      auto to_bytes = [](std::vector<int> v) {
        for (int& x : v) x *= static_cast<int>(N);
        return v;
      };
      const std::vector<int> sc = to_bytes(send_counts), sd = to_bytes(send_displs);
      const std::vector<int> rc = to_bytes(recv_counts), rd = to_bytes(recv_displs);
      MPI_Alltoallv(send_values.data(), sc.data(), sd.data(), MPI_BYTE, recv_values.data(), rc.data(), rd.data(),
                    MPI_BYTE, d.comm.raw());
      own_index = recv_index;
      own_values = recv_values;
    }
    auto* out = reinterpret_cast<Cell*>(rows.data());
    std::fill(out, out + (last - first), *static_cast<const Cell*>(fill));
    std::vector<std::uint8_t> written(last - first, 0);
    for (std::size_t i = 0; i < own_index.size(); ++i) {
      const std::uint64_t local = own_index[i] - first;
      if (written[local]) {
        error = "row index " + std::to_string(own_index[i]) + " is written more than once";
        break;
      }
      written[local] = 1;
      out[local] = own_values[i];
    }
  };
  switch (size) {
    case 1: gather.template operator()<1>(); break;
    case 4: gather.template operator()<4>(); break;
    case 8: gather.template operator()<8>(); break;
    default: throw std::logic_error("write_indexed: unsupported element size");
  }
  d.agree(name, "write_indexed duplicates", error);

  Hdf5Handle ds = d.create_dataset(name, type, 0, total_rows, total_rows, fill);
  d.write_rows(name, ds.get(), type, 0, first, last - first, rows.data());
}

void ResultsFile::set_attribute(const std::string& object_path, const std::string& name, std::string_view value) {
  Impl& d = *impl_;
  const std::string object = detail::normalize_object_path(object_path);
  std::string error = d.attribute_error(object_path, object, name);
  if (value.find('\0') != std::string_view::npos) error = "attribute '" + name + "' holds a NUL byte";
  d.agree(object, signature(std::string("attribute string"), object, name, std::string(value)), error);
  // Variable-length UTF-8 so h5py and h5dump show a plain string, not fixed-size bytes.
  Hdf5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  if (!type.valid() || H5Tset_size(type.get(), H5T_VARIABLE) < 0 || H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0)
    d.fail(object, "cannot make a string type");
  const std::string text(value);
  const char* pointer = text.c_str();
  d.write_attribute(object, name, type.get(), &pointer);
}

void ResultsFile::set_attribute(const std::string& object_path, const std::string& name, double value) {
  Impl& d = *impl_;
  const std::string object = detail::normalize_object_path(object_path);
  d.agree(object, signature(std::string("attribute float64"), object, name, bytes_of(&value, sizeof value)),
          d.attribute_error(object_path, object, name));
  d.write_attribute(object, name, H5T_NATIVE_DOUBLE, &value);
}

void ResultsFile::set_int64_attribute(const std::string& object_path, const std::string& name, std::int64_t value) {
  Impl& d = *impl_;
  const std::string object = detail::normalize_object_path(object_path);
  d.agree(object, signature(std::string("attribute int64"), object, name, bytes_of(&value, sizeof value)),
          d.attribute_error(object_path, object, name));
  d.write_attribute(object, name, H5T_NATIVE_INT64, &value);
}

void ResultsFile::close() {
  Impl& d = *impl_;
  d.agree("/", "close", "");
  d.open = false;  // whatever happens next, the destructor must not close again
  detail::close_parallel_file(d.file, d.xfer, d.partial, d.path, d.settings.in_place, d.comm);
}

}  // namespace marlsim
