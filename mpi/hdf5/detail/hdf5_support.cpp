#include "mpi/hdf5/detail/hdf5_support.hpp"

#include <mutex>

namespace marlsim::detail {

void quiet_hdf5_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

namespace {
herr_t keep_first_description(unsigned /*n*/, const H5E_error2_t* error, void* out) {
  auto* detail = static_cast<std::string*>(out);
  if (detail->empty() && error->desc != nullptr && error->desc[0] != '\0') *detail = error->desc;
  return 0;
}
}  // namespace

std::string hdf5_error_detail() {
  std::string detail;
  // Upward walk starts at the innermost error, which says what actually went wrong.
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_first_description, &detail);
  return detail;
}

hid_t native_type(ElementType type) {
  switch (type) {
    case ElementType::float64: return H5T_NATIVE_DOUBLE;
    case ElementType::float32: return H5T_NATIVE_FLOAT;
    case ElementType::int64: return H5T_NATIVE_INT64;
    case ElementType::uint64: return H5T_NATIVE_UINT64;
    case ElementType::int32: return H5T_NATIVE_INT32;
    case ElementType::uint32: return H5T_NATIVE_UINT32;
    case ElementType::int8: return H5T_NATIVE_INT8;
    case ElementType::uint8: return H5T_NATIVE_UINT8;
  }
  return H5I_INVALID_HID;
}

std::string describe_type(hid_t type) {
  const std::string bits = std::to_string(8 * H5Tget_size(type));
  switch (H5Tget_class(type)) {
    case H5T_FLOAT: return "float" + bits;
    case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + bits;
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    case H5T_ARRAY: return "array";
    case H5T_VLEN: return "variable-length sequence";
    default: return "another HDF5 type";
  }
}

bool stores_type(hid_t type, ElementType expected) {
  const H5T_class_t cls = H5Tget_class(type);
  if (H5Tget_size(type) != element_size(expected)) return false;
  switch (expected) {
    case ElementType::float64:
    case ElementType::float32: return cls == H5T_FLOAT;
    case ElementType::int64:
    case ElementType::int32:
    case ElementType::int8: return cls == H5T_INTEGER && H5Tget_sign(type) == H5T_SGN_2;
    case ElementType::uint64:
    case ElementType::uint32:
    case ElementType::uint8: return cls == H5T_INTEGER && H5Tget_sign(type) == H5T_SGN_NONE;
  }
  return false;
}

std::string normalize_object_path(const std::string& path) {
  std::string normalized = path.empty() || path.front() != '/' ? "/" + path : path;
  if (normalized == "/") return normalized;
  if (normalized.back() == '/' || normalized.find("//") != std::string::npos) return "";
  return normalized;
}

bool object_exists(hid_t file, const std::string& normalized_path) {
  if (normalized_path == "/") return true;
  for (std::size_t slash = normalized_path.find('/', 1);; slash = normalized_path.find('/', slash + 1)) {
    const std::string prefix = normalized_path.substr(0, slash);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return H5Oexists_by_name(file, prefix.c_str(), H5P_DEFAULT) > 0;
  }
}

}  // namespace marlsim::detail
