#pragma once
// ResultsFile: the one HDF5 writer of a run (metrics now, trajectories window by window).
// Every rank opens the same file through MPI-IO and every member below is COLLECTIVE: all
// ranks call it in the same order with the same dataset name, type, width and attribute
// value (each call checks that first and throws on every rank instead of hanging in HDF5).
//
// The run writes a partial file of a name unique to the run (`path.XXXXXXXX.partial`, made by an
// exclusive create, so concurrent runs never share one) and close() renames it to `path`: a run that fails half
// way never truncates or corrupts an existing result, and destroying an unclosed ResultsFile
// deletes the partial file. The destructor closes the HDF5 file, which is collective too, so
// a rank that gives up alone must MPI_Abort rather than unwind.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mpi/communicator.hpp"
#include "mpi/hdf5/element_type.hpp"

namespace marlsim {

struct ResultsFileSettings {
  // 0: no filter. REFERENCE-FIGURES: gzip-1 runs at ~35-97 MB/s against ~500-900 MB/s
  // without, so compression is opt-in (parallel HDF5 >= 1.10.2 filters collective writes).
  int gzip_level = 0;
  // Upper bound of one chunk. A dataset's chunk is sized from its first append (between
  // 64 KiB and this), so tiny per-episode columns do not each allocate a large chunk.
  std::size_t max_chunk_bytes = std::size_t{1} << 20;
  // false: write a partial file of a name unique to this run and rename it to `path` on
  // close(). true: write `path` itself and leave publishing to the caller (the caller made
  // `path` a unique partial file; cli/output_set.hpp publishes several outputs together).
  bool in_place = false;
};

// One column of a row group (ResultsFile::append_row_group): a 1-D dataset and this rank's
// rows for it.
struct ResultsColumn {
  std::string dataset;
  ElementType type;
  const void* data = nullptr;
  std::size_t rows = 0;
  template <Element T>
  static ResultsColumn of(std::string dataset, const std::vector<T>& rows) {
    return {std::move(dataset), element_type_v<T>, rows.data(), rows.size()};
  }
};

class ResultsFile {
 public:
  // Creates the partial file (collective). A missing or unwritable parent directory is an
  // InputError naming the path; other creation failures are std::runtime_error.
  ResultsFile(std::string path, const Communicator& comm, ResultsFileSettings settings = {});
  ~ResultsFile();
  ResultsFile(ResultsFile&&) noexcept;
  ResultsFile& operator=(ResultsFile&&) noexcept;
  ResultsFile(const ResultsFile&) = delete;
  ResultsFile& operator=(const ResultsFile&) = delete;

  const std::string& path() const;          // the final name
  const std::string& partial_path() const;  // where data goes until close()

  // Appends every rank's rows to the 1-D dataset `dataset` ("/tasks/wait_s"; missing groups
  // are created), rank 0's rows first: each rank's offset is the MPI_Exscan of the row
  // counts. The dataset is created on first use (chunked, unlimited length) and grows on
  // every call. A rank with no rows passes an empty span.
  template <Element T>
  void append(const std::string& dataset, std::span<const T> local_rows) {
    append_bytes(dataset, element_type_v<T>, local_rows.data(), local_rows.size(), 0);
  }
  template <Element T>
  void append(const std::string& dataset, const std::vector<T>& local_rows) {
    append(dataset, std::span<const T>(local_rows));
  }

  // append() for several 1-D datasets whose rows belong together (one episode's per-task
  // columns): every column of a rank has the same number of rows. One agreement, one
  // exclusive scan and one total for the whole group, instead of three collectives per column.
  void append_row_group(std::span<const ResultsColumn> columns);

  // Same as append() for a 2-D dataset of `width` columns (observation vectors): `data` holds whole rows,
  // row-major. Every call on one dataset must use the same width.
  template <Element T>
  void append_rows(const std::string& dataset, std::span<const T> data, std::size_t width) {
    append_bytes(dataset, element_type_v<T>, data.data(), data.size(), width);
  }
  template <Element T>
  void append_rows(const std::string& dataset, const std::vector<T>& data, std::size_t width) {
    append_rows(dataset, std::span<const T>(data), width);
  }

  // Creates the 1-D dataset `dataset` of `total_rows` rows (it must not exist yet) and
  // writes values[i] at row global_index[i]; rows no rank writes hold `fill`. The file is
  // bit-identical whatever the partition of rows over ranks. Indices must be < total_rows
  // and unique across all ranks; total_rows and fill must agree on all ranks.
  template <Element T>
  void write_indexed(const std::string& dataset, std::uint64_t total_rows, std::span<const std::uint64_t> global_index,
                     std::span<const T> values, T fill) {
    write_indexed_bytes(dataset, element_type_v<T>, total_rows, global_index, values.data(), values.size(), &fill);
  }
  template <Element T>
  void write_indexed(const std::string& dataset, std::uint64_t total_rows,
                     const std::vector<std::uint64_t>& global_index, const std::vector<T>& values, T fill) {
    write_indexed(dataset, total_rows, std::span<const std::uint64_t>(global_index), std::span<const T>(values), fill);
  }

  // Attribute `name` on an existing object ("/" is the file itself, or a group or dataset);
  // replaces an attribute of the same name. Strings are stored as variable-length UTF-8.
  void set_attribute(const std::string& object_path, const std::string& name, std::string_view value);
  void set_attribute(const std::string& object_path, const std::string& name, const char* value) {
    set_attribute(object_path, name, std::string_view(value));
  }
  void set_attribute(const std::string& object_path, const std::string& name, double value);
  template <std::integral I>
  requires(!std::same_as<I, bool>) void set_attribute(const std::string& object_path, const std::string& name,
                                                      I value) {
    set_int64_attribute(object_path, name, static_cast<std::int64_t>(value));
  }

  // Closes the HDF5 file and renames the partial file to path(). After close() only the
  // destructor may be called. Throws std::runtime_error if flushing or renaming fails (the
  // partial file is then left for inspection).
  void close();
  bool is_open() const;

 private:
  struct Impl;
  // width 0: a 1-D dataset; width >= 1: a 2-D dataset of that many columns.
  void append_bytes(const std::string& dataset, ElementType type, const void* data, std::size_t count,
                    std::size_t width);
  void write_indexed_bytes(const std::string& dataset, ElementType type, std::uint64_t total_rows,
                           std::span<const std::uint64_t> global_index, const void* values, std::size_t count,
                           const void* fill);
  void set_int64_attribute(const std::string& object_path, const std::string& name, std::int64_t value);

  std::unique_ptr<Impl> impl_;
};

}  // namespace marlsim
