#pragma once
// ResultsReader: a serial, read-only view of a results file for tests, analysis and
// checkpoints. Anything that is not what the caller expects (a missing or damaged file, an
// absent dataset or attribute, another type or rank) is an InputError naming the file, the
// object and what was expected.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mpi/hdf5/element_type.hpp"

namespace marlsim {

class ResultsReader {
 public:
  explicit ResultsReader(std::string path);
  ~ResultsReader();
  ResultsReader(ResultsReader&&) noexcept;
  ResultsReader& operator=(ResultsReader&&) noexcept;
  ResultsReader(const ResultsReader&) = delete;
  ResultsReader& operator=(const ResultsReader&) = delete;

  const std::string& path() const;

  // True when `dataset` names a dataset (not a group) in the file.
  bool has(const std::string& dataset) const;

  // Dimensions of a dataset: {rows} or {rows, width}.
  std::vector<std::uint64_t> shape(const std::string& dataset) const;

  // The whole 1-D dataset; it must hold exactly T.
  template <Element T>
  std::vector<T> read(const std::string& dataset) const {
    std::vector<T> out;
    read_into(dataset, element_type_v<T>, 1, 0, [&out](std::size_t n) {
      out.resize(n);
      return static_cast<void*>(out.data());
    });
    return out;
  }

  // The whole 2-D dataset of `width` columns, row-major; it must hold exactly T.
  template <Element T>
  std::vector<T> read_rows(const std::string& dataset, std::size_t width) const {
    std::vector<T> out;
    read_into(dataset, element_type_v<T>, 2, width, [&out](std::size_t n) {
      out.resize(n);
      return static_cast<void*>(out.data());
    });
    return out;
  }

  // Attributes of "/" (the file), a group or a dataset.
  std::string attribute_string(const std::string& object, const std::string& name) const;
  double attribute_double(const std::string& object, const std::string& name) const;
  std::int64_t attribute_int64(const std::string& object, const std::string& name) const;

 private:
  struct Impl;
  void read_into(const std::string& dataset, ElementType type, int rank, std::size_t width,
                 const std::function<void*(std::size_t)>& allocate) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace marlsim
