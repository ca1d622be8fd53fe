#pragma once
// What the results writer and reader share: the native type of each ElementType, a quiet
// error stack translated into one-line messages, and walking "/a/b/c" object paths.
#include <hdf5.h>

#include <string>

#include "mpi/hdf5/element_type.hpp"

namespace marlsim::detail {

// Turns HDF5's automatic error printing off (once per process): failures become exceptions
// with a message of ours, not a stack trace sprayed on stderr by every rank.
void quiet_hdf5_errors();

// The most specific description on the current HDF5 error stack ("file signature not
// found", "truncated file: eof = ..."), or "" when the stack is empty.
std::string hdf5_error_detail();

hid_t native_type(ElementType type);

// "float32", "int64", "string", ... for a dataset's stored type (for error messages).
std::string describe_type(hid_t type);

// True when the stored type holds exactly `type` (class, size and signedness).
bool stores_type(hid_t type, ElementType expected);

// "/tasks/wait_s" from "tasks/wait_s" or "/tasks/wait_s"; "" when the name is unusable
// (empty, a trailing or doubled slash).
std::string normalize_object_path(const std::string& path);

// True when every link on the path exists (H5Lexists alone fails on a missing parent).
bool object_exists(hid_t file, const std::string& normalized_path);

}  // namespace marlsim::detail
