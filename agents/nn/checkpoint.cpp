#include "agents/nn/checkpoint.hpp"

#include <cstdio>
#include <filesystem>

#include "engine/support/input_error.hpp"
#include "mpi/hdf5/detail/hdf5_handle.hpp"
#include "mpi/hdf5/detail/hdf5_support.hpp"

namespace marlsim::nn {

namespace {

using detail::Hdf5Handle;
using Eigen::Index;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw InputError::at(path,
                       what + (detail::hdf5_error_detail().empty() ? "" : " (" + detail::hdf5_error_detail() + ")"));
}

void write_string_attribute(hid_t object, const char* name, const std::string& value) {
  Hdf5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), value.empty() ? 1 : value.size());
  Hdf5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Hdf5Handle attr(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attr.valid() || H5Awrite(attr.get(), type.get(), value.empty() ? "" : value.data()) < 0)
    throw std::runtime_error(std::string("cannot write attribute ") + name);
}

std::string read_string_attribute(hid_t object, const char* name, const std::string& path) {
  if (H5Aexists(object, name) <= 0) fail(path, std::string("no attribute '") + name + "'");
  Hdf5Handle attr(H5Aopen(object, name, H5P_DEFAULT), H5Aclose);
  Hdf5Handle type(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) fail(path, std::string("attribute '") + name + "' is not a string");
  std::string value(H5Tget_size(type.get()), '\0');
  if (H5Aread(attr.get(), type.get(), value.data()) < 0)
    fail(path, std::string("cannot read attribute '") + name + "'");
  while (!value.empty() && value.back() == '\0') value.pop_back();
  return value;
}

void write_int_attribute(hid_t object, const char* name, int value) {
  Hdf5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Hdf5Handle attr(H5Acreate2(object, name, H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attr.valid() || H5Awrite(attr.get(), H5T_NATIVE_INT, &value) < 0)
    throw std::runtime_error(std::string("cannot write attribute ") + name);
}

std::string join_role_names(const std::vector<CheckpointRole>& roles) {
  std::string names;
  for (const CheckpointRole& r : roles) names += (names.empty() ? "" : ",") + r.name;
  return names;
}

// "50x128 relu" for one layer.
std::string describe_layer(Index in, Index out, Activation act) {
  return std::to_string(in) + "x" + std::to_string(out) + " " + std::string(activation_name(act));
}

std::string describe_network(const std::vector<DenseLayer>& layers) {
  std::string text;
  for (const DenseLayer& l : layers)
    text += (text.empty() ? "" : ", ") + describe_layer(l.weights.rows(), l.weights.cols(), l.activation);
  return text;
}

void write_layers(hid_t file, const std::string& group, const std::vector<DenseLayer>& layers) {
  Hdf5Handle g(H5Gcreate2(file, group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  write_string_attribute(g.get(), "shapes", describe_network(layers));
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto write = [&](const std::string& name, const float* data, int rank, const hsize_t* dims) {
      Hdf5Handle space(H5Screate_simple(rank, dims, nullptr), H5Sclose);
      Hdf5Handle set(
          H5Dcreate2(g.get(), name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          H5Dclose);
      if (!set.valid() || H5Dwrite(set.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        throw std::runtime_error("cannot write " + group + "/" + name);
    };
    const hsize_t wdims[2] = {static_cast<hsize_t>(layers[l].weights.rows()),
                              static_cast<hsize_t>(layers[l].weights.cols())};
    const hsize_t bdims[1] = {static_cast<hsize_t>(layers[l].bias.size())};
    write("layer" + std::to_string(l) + "_weights", layers[l].weights.data(), 2, wdims);  // row-major, in x out
    write("layer" + std::to_string(l) + "_bias", layers[l].bias.data(), 1, bdims);
  }
}

// Reads into copies; the caller swaps them in once everything has been read and checked.
std::vector<DenseLayer> read_layers(hid_t file, const std::string& group, const std::vector<DenseLayer>& expected,
                                    const std::string& path) {
  if (H5Lexists(file, group.c_str(), H5P_DEFAULT) <= 0) fail(path, "no group '" + group + "'");
  Hdf5Handle g(H5Gopen2(file, group.c_str(), H5P_DEFAULT), H5Gclose);
  const std::string stored = read_string_attribute(g.get(), "shapes", path), wanted = describe_network(expected);
  if (stored != wanted)
    fail(path, group + " layers are [" + stored + "] in the checkpoint, [" + wanted + "] in the scenario");
  std::vector<DenseLayer> layers = expected;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto read = [&](const std::string& name, float* data, hsize_t size) {
      const std::string where = group + "/" + name;
      if (H5Lexists(g.get(), name.c_str(), H5P_DEFAULT) <= 0) fail(path, "no dataset '" + where + "'");
      Hdf5Handle set(H5Dopen2(g.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
      Hdf5Handle space(H5Dget_space(set.get()), H5Sclose);
      if (static_cast<hsize_t>(H5Sget_simple_extent_npoints(space.get())) != size)
        fail(path, where + " holds " + std::to_string(H5Sget_simple_extent_npoints(space.get())) +
                       " values, expected " + std::to_string(size));
      if (H5Dread(set.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        fail(path, "cannot read " + where);
    };
    read("layer" + std::to_string(l) + "_weights", layers[l].weights.data(),
         static_cast<hsize_t>(layers[l].weights.size()));
    read("layer" + std::to_string(l) + "_bias", layers[l].bias.data(), static_cast<hsize_t>(layers[l].bias.size()));
    if (!layers[l].weights.allFinite() || !layers[l].bias.allFinite())
      fail(path, group + " layer " + std::to_string(l) + " holds NaN or Inf");
  }
  return layers;
}

}  // namespace

void save_checkpoint(const std::string& path, const std::vector<CheckpointRole>& roles, const ObservationLayout& layout,
                     const std::vector<CheckpointArray>& trainer_state) {
  detail::quiet_hdf5_errors();
  const std::string temp = path + ".tmp";
  {
    Hdf5Handle file(H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) fail(temp, "cannot create the checkpoint");
    try {
      write_int_attribute(file.get(), "format_version", kCheckpointFormatVersion);
      write_string_attribute(file.get(), "roles", join_role_names(roles));
      write_string_attribute(file.get(), "observation_layout", layout.to_text());
      for (const CheckpointRole& role : roles) {
        Hdf5Handle g(H5Gcreate2(file.get(), role.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        write_layers(file.get(), role.name + "/actor", role.network->actor_layers());
        write_layers(file.get(), role.name + "/value", role.network->value_layers());
        if (role.attention != nullptr) write_layers(file.get(), role.name + "/attention", *role.attention);
      }
      if (!trainer_state.empty()) {
        Hdf5Handle g(H5Gcreate2(file.get(), "trainer", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
        for (const CheckpointArray& a : trainer_state) {
          const hsize_t dims[1] = {a.values.size()};
          Hdf5Handle space(H5Screate_simple(1, dims, nullptr), H5Sclose);
          Hdf5Handle set(
              H5Dcreate2(g.get(), a.name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              H5Dclose);
          if (!set.valid() || (!a.values.empty() && H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                                                             H5P_DEFAULT, a.values.data()) < 0))
            throw std::runtime_error("cannot write trainer/" + a.name);
        }
      }
      if (file.close() < 0) throw std::runtime_error("cannot close the checkpoint");
    } catch (const std::exception& e) {
      file.close();
      std::remove(temp.c_str());
      fail(temp, e.what());
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::remove(temp.c_str());
    fail(path, "cannot rename the temporary checkpoint: " + ec.message());
  }
}

void load_checkpoint(const std::string& path, const std::vector<CheckpointRole>& roles,
                     const ObservationLayout& layout) {
  detail::quiet_hdf5_errors();
  Hdf5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid()) fail(path, "cannot open the checkpoint");
  if (H5Aexists(file.get(), "format_version") <= 0) fail(path, "not a marlsim checkpoint (no format_version)");
  int version = 0;
  {
    Hdf5Handle attr(H5Aopen(file.get(), "format_version", H5P_DEFAULT), H5Aclose);
    if (H5Aread(attr.get(), H5T_NATIVE_INT, &version) < 0) fail(path, "cannot read format_version");
  }
  if (version != kCheckpointFormatVersion)
    fail(path, "checkpoint format version " + std::to_string(version) + ", this marlsim reads version " +
                   std::to_string(kCheckpointFormatVersion));
  const std::string stored_roles = read_string_attribute(file.get(), "roles", path),
                    wanted_roles = join_role_names(roles);
  if (stored_roles != wanted_roles)
    fail(path, "roles are [" + stored_roles + "] in the checkpoint, [" + wanted_roles + "] in the scenario");
  const std::string stored_layout = read_string_attribute(file.get(), "observation_layout", path);
  if (stored_layout != layout.to_text()) {
    // Name the first differing line of each side.
    const auto first_line_diff = [](const std::string& a, const std::string& b) {
      std::size_t i = 0;
      while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
      const std::size_t start = a.rfind('\n', i == 0 ? 0 : i - 1);
      const std::size_t from = start == std::string::npos ? 0 : start + 1;
      return a.substr(from, a.find('\n', from) - from);
    };
    fail(path, "observation layout differs: '" + first_line_diff(stored_layout, layout.to_text()) +
                   "' in the checkpoint, '" + first_line_diff(layout.to_text(), stored_layout) + "' in the scenario");
  }
  std::vector<std::vector<DenseLayer>> actors, values, attention(roles.size());
  for (std::size_t r = 0; r < roles.size(); ++r) {
    const CheckpointRole& role = roles[r];
    actors.push_back(read_layers(file.get(), role.name + "/actor", role.network->actor_layers(), path));
    values.push_back(read_layers(file.get(), role.name + "/value", role.network->value_layers(), path));
    if (role.attention != nullptr)
      attention[r] = read_layers(file.get(), role.name + "/attention", *role.attention, path);
  }
  for (std::size_t r = 0; r < roles.size(); ++r) {
    roles[r].network->actor_layers() = std::move(actors[r]);
    roles[r].network->value_layers() = std::move(values[r]);
    if (roles[r].attention != nullptr) *roles[r].attention = std::move(attention[r]);
  }
}

std::vector<CheckpointArray> read_trainer_state(const std::string& path) {
  detail::quiet_hdf5_errors();
  Hdf5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.valid()) fail(path, "cannot open the checkpoint");
  std::vector<CheckpointArray> arrays;
  if (H5Lexists(file.get(), "trainer", H5P_DEFAULT) <= 0) return arrays;
  Hdf5Handle g(H5Gopen2(file.get(), "trainer", H5P_DEFAULT), H5Gclose);
  H5G_info_t info;
  if (H5Gget_info(g.get(), &info) < 0) fail(path, "cannot list trainer/");
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (len < 0) fail(path, "cannot list trainer/");
    std::string name(static_cast<std::size_t>(len), '\0');
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
    Hdf5Handle set(H5Dopen2(g.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
    Hdf5Handle space(H5Dget_space(set.get()), H5Sclose);
    if (!set.valid() || !space.valid()) fail(path, "cannot open trainer/" + name);
    CheckpointArray a{name, std::vector<double>(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())))};
    if (!a.values.empty() && H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()) < 0)
      fail(path, "cannot read trainer/" + name);
    arrays.push_back(std::move(a));
  }
  return arrays;
}

}  // namespace marlsim::nn
