#include "mpi/hdf5/results_reader.hpp"

#include <filesystem>
#include <system_error>
#include <utility>

#include "engine/support/input_error.hpp"
#include "mpi/hdf5/detail/hdf5_handle.hpp"
#include "mpi/hdf5/detail/hdf5_support.hpp"

namespace marlsim {

using detail::Hdf5Handle;

struct ResultsReader::Impl {
  std::string path;
  Hdf5Handle file;

  [[noreturn]] void bad(const std::string& object, const std::string& what) const {
    throw InputError::at(path, object + ": " + what);
  }

  std::string object_path(const std::string& name) const {
    std::string normalized = detail::normalize_object_path(name);
    if (normalized.empty()) bad(name, "not a usable object path");
    return normalized;
  }

  Hdf5Handle open_dataset(const std::string& name, const std::string& expected) const {
    const std::string normalized = object_path(name);
    if (!detail::object_exists(file.get(), normalized)) bad(normalized, "expected " + expected + ", no such dataset");
    Hdf5Handle dataset(H5Dopen2(file.get(), normalized.c_str(), H5P_DEFAULT), H5Dclose);
    if (!dataset.valid()) bad(normalized, "expected " + expected + ", found a group");
    return dataset;
  }

  Hdf5Handle open_attribute(const std::string& object, const std::string& name, const std::string& expected) const {
    const std::string normalized = object_path(object);
    const std::string where = normalized + " attribute '" + name + "'";
    if (!detail::object_exists(file.get(), normalized)) bad(where, "expected " + expected + ", no such object");
    if (H5Aexists_by_name(file.get(), normalized.c_str(), name.c_str(), H5P_DEFAULT) <= 0)
      bad(where, "expected " + expected + ", no such attribute");
    Hdf5Handle attribute(H5Aopen_by_name(file.get(), normalized.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                         H5Aclose);
    if (!attribute.valid()) bad(where, "cannot open (" + detail::hdf5_error_detail() + ")");
    Hdf5Handle space(H5Aget_space(attribute.get()), H5Sclose);
    if (H5Sget_simple_extent_type(space.get()) != H5S_SCALAR) bad(where, "expected a scalar " + expected);
    return attribute;
  }

  template <class T>
  T numeric_attribute(const std::string& object, const std::string& name, ElementType type) const {
    const std::string expected(element_type_name(type));
    Hdf5Handle attribute = open_attribute(object, name, expected);
    Hdf5Handle stored(H5Aget_type(attribute.get()), H5Tclose);
    if (!detail::stores_type(stored.get(), type))
      bad(object_path(object) + " attribute '" + name + "'",
          "expected " + expected + ", found " + detail::describe_type(stored.get()));
    T value{};
    if (H5Aread(attribute.get(), detail::native_type(type), &value) < 0)
      bad(object_path(object) + " attribute '" + name + "'", "cannot read (" + detail::hdf5_error_detail() + ")");
    return value;
  }
};

ResultsReader::ResultsReader(std::string path) : impl_(std::make_unique<Impl>()) {
  detail::quiet_hdf5_errors();
  impl_->path = std::move(path);
  const std::string& p = impl_->path;
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) throw InputError::at(p, "expected an HDF5 results file, no such file");
  if (!std::filesystem::is_regular_file(p, ec))
    throw InputError::at(p, "expected an HDF5 results file, found a directory or special file");
  // H5Fis_hdf5 looks for the signature only; a truncated file passes and fails in H5Fopen.
  if (H5Fis_hdf5(p.c_str()) <= 0) throw InputError::at(p, "expected an HDF5 results file, not an HDF5 file");
  impl_->file = Hdf5Handle(H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!impl_->file.valid()) {
    const std::string detail = detail::hdf5_error_detail();
    throw InputError::at(p, "expected an HDF5 results file, the file is truncated or damaged" +
                                (detail.empty() ? std::string() : " (" + detail + ")"));
  }
}

ResultsReader::~ResultsReader() = default;
ResultsReader::ResultsReader(ResultsReader&&) noexcept = default;
ResultsReader& ResultsReader::operator=(ResultsReader&&) noexcept = default;

const std::string& ResultsReader::path() const { return impl_->path; }

bool ResultsReader::has(const std::string& dataset) const {
  const std::string normalized = detail::normalize_object_path(dataset);
  if (normalized.empty() || !detail::object_exists(impl_->file.get(), normalized)) return false;
  H5O_info_t info;
  return H5Oget_info_by_name2(impl_->file.get(), normalized.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) >= 0 &&
         info.type == H5O_TYPE_DATASET;
}

std::vector<std::uint64_t> ResultsReader::shape(const std::string& dataset) const {
  Hdf5Handle ds = impl_->open_dataset(dataset, "a dataset");
  Hdf5Handle space(H5Dget_space(ds.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) impl_->bad(dataset, "cannot read the shape");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return std::vector<std::uint64_t>(dims.begin(), dims.end());
}

void ResultsReader::read_into(const std::string& dataset, ElementType type, int rank, std::size_t width,
                              const std::function<void*(std::size_t)>& allocate) const {
  const std::string want = std::string(element_type_name(type)) +
                           (rank == 1 ? " 1-D" : " 2-D of width " + std::to_string(width));
  const std::string where = impl_->object_path(dataset);
  Hdf5Handle ds = impl_->open_dataset(dataset, want);
  Hdf5Handle stored(H5Dget_type(ds.get()), H5Tclose);
  Hdf5Handle space(H5Dget_space(ds.get()), H5Sclose);
  const int stored_rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(stored_rank, 0)));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  std::string have = detail::describe_type(stored.get()) + " " + std::to_string(stored_rank) + "-D";
  if (stored_rank == 2) have = detail::describe_type(stored.get()) + " 2-D of width " + std::to_string(dims[1]);
  if (!detail::stores_type(stored.get(), type) || stored_rank != rank || (rank == 2 && dims[1] != width))
    impl_->bad(where, "expected " + want + ", found " + have);
  std::size_t n = 1;
  for (hsize_t d : dims) n *= static_cast<std::size_t>(d);
  void* out = allocate(n);
  if (n == 0) return;
  if (H5Dread(ds.get(), detail::native_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    impl_->bad(where, "cannot read the data (" + detail::hdf5_error_detail() + ")");
}

std::string ResultsReader::attribute_string(const std::string& object, const std::string& name) const {
  Hdf5Handle attribute = impl_->open_attribute(object, name, "string");
  Hdf5Handle stored(H5Aget_type(attribute.get()), H5Tclose);
  const std::string where = impl_->object_path(object) + " attribute '" + name + "'";
  if (H5Tget_class(stored.get()) != H5T_STRING)
    impl_->bad(where, "expected string, found " + detail::describe_type(stored.get()));
  // Both layouts: ours are variable-length, other tools often write fixed-size strings.
  if (H5Tis_variable_str(stored.get()) > 0) {
    Hdf5Handle memory(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memory.get(), H5T_VARIABLE);
    H5Tset_cset(memory.get(), H5Tget_cset(stored.get()));
    char* text = nullptr;
    if (H5Aread(attribute.get(), memory.get(), &text) < 0) impl_->bad(where, "cannot read the string");
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
  }
  const std::size_t size = H5Tget_size(stored.get());
  std::string value(size, '\0');
  if (H5Aread(attribute.get(), stored.get(), value.data()) < 0) impl_->bad(where, "cannot read the string");
  value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
  return value;
}

double ResultsReader::attribute_double(const std::string& object, const std::string& name) const {
  return impl_->numeric_attribute<double>(object, name, ElementType::float64);
}

std::int64_t ResultsReader::attribute_int64(const std::string& object, const std::string& name) const {
  return impl_->numeric_attribute<std::int64_t>(object, name, ElementType::int64);
}

}  // namespace marlsim
