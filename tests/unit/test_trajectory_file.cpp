// TrajectoryWriter on one rank: the synthetic trajectory round-trips row for row, the file
// appears only on close(), outcomes filled in later, gzip, and every bad-input message.
#include <hdf5.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/support/input_error.hpp"
#include "mpi/communicator.hpp"
#include "mpi/hdf5/results_reader.hpp"
#include "mpi/hdf5/trajectory_file.hpp"
#include "tests/trajectory_rows.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using marlsim::Communicator;
using marlsim::ResultsReader;
using marlsim::TrajectoryDecision;
using marlsim::TrajectorySettings;
using marlsim::TrajectoryWriter;
namespace t = marlsim::test;

namespace {

struct TempDir {
  fs::path dir;
  TempDir() {
    static int counter = 0;
    dir = fs::temp_directory_path() / ("marlsim-traj-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string file(const std::string& name) const { return (dir / name).string(); }
  int partials() const {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".partial" ? 1 : 0;
    return n;
  }
};

// One valid decision of the example shapes (its vectors must outlive the call).
struct Valid {
  std::vector<float> observation = std::vector<float>(t::kObs, 1.0f);
  std::vector<float> features = std::vector<float>(2 * t::kFeatures, 0.5f);
  TrajectoryDecision decision() const {
    TrajectoryDecision d;
    d.observation = observation;
    d.candidate_features = features;
    d.candidate_count = 2;
    d.action = 1;
    return d;
  }
};

}  // namespace

TEST_CASE("trajectory file holds every appended row in (episode, agent, sequence) order", "[trajectory]") {
  TempDir tmp;
  const std::string path = tmp.file("traj.h5");
  {
    TrajectoryWriter out(path, Communicator{}, t::example_settings());
    t::write_example(out, 0, 1);
    CHECK_FALSE(fs::exists(path));  // only the partial file until close()
    CHECK(tmp.partials() == 1);
    out.close();
  }
  CHECK(tmp.partials() == 0);
  CHECK(t::verify_example_file(path) == "");
  ResultsReader in(path);
  CHECK(in.attribute_string("/", "format") == "marlsim-trajectories");
  CHECK(in.attribute_string("/", "code_version") == MARLSIM_VERSION);
  CHECK(in.attribute_string("/", "scenario") == "synthetic");
  CHECK(in.attribute_string("/", "policy") == "test-policy");
  CHECK(in.attribute_string("/", "observation_layout") == "own 0 x [1] none");
  CHECK_THAT(in.attribute_string("/", "reward_assignment"), Contains("after the episode"));
  CHECK(in.attribute_string("/observations", "unit") == "see the observation_layout attribute");
  CHECK(in.attribute_string("/time_s", "unit") == "s");
}

TEST_CASE("trajectory file: gzip is optional and reads back the same rows", "[trajectory]") {
  TempDir tmp;
  const std::string path = tmp.file("gzip.h5");
  TrajectorySettings settings = t::example_settings();
  settings.gzip_level = 1;
  {
    TrajectoryWriter out(path, Communicator{}, settings);
    t::write_example(out, 0, 1);
    out.close();
  }
  CHECK(t::verify_example_file(path) == "");
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t ds = H5Dopen2(file, "observations", H5P_DEFAULT);
  const hid_t dcpl = H5Dget_create_plist(ds);
  CHECK(H5Pget_nfilters(dcpl) == 1);
  H5Pclose(dcpl);
  H5Dclose(ds);
  H5Fclose(file);
}

TEST_CASE("trajectory file: a row may reference a global state of an earlier flush", "[trajectory]") {
  TempDir tmp;
  const std::string path = tmp.file("states.h5");
  Valid v;
  TrajectorySettings settings = t::example_settings();
  settings.role_attention = false;
  {
    TrajectoryWriter out(path, Communicator{}, settings);
    const std::vector<float> g(t::kGlobal, 2.0f);
    out.append_global_state(0, 0.0, g);
    const auto second = out.append_global_state(0, 1.0, g);
    TrajectoryDecision d = v.decision();
    d.global_state = second;
    out.set_outcome(out.append(d), 1.0f, false);
    out.flush();
    const auto third = out.append_global_state(1, 2.0, g);
    d.global_state = second;
    out.set_outcome(out.append(d), 2.0f, false);
    d.global_state = third;
    out.set_outcome(out.append(d), 3.0f, true);
    d.global_state = -1;
    out.set_outcome(out.append(d), 4.0f, false, true);
    out.close();
  }
  CHECK(t::read_dataset<std::int64_t>(path, "global_state_index", H5T_NATIVE_INT64) ==
        std::vector<std::int64_t>{1, 1, 2, -1});
  CHECK(t::read_dataset<float>(path, "rewards", H5T_NATIVE_FLOAT) == std::vector<float>{1, 2, 3, 4});
  CHECK(t::read_dataset<std::uint8_t>(path, "terminals", H5T_NATIVE_UINT8) == std::vector<std::uint8_t>{0, 0, 1, 0});
  CHECK(t::read_dataset<std::uint8_t>(path, "timeouts", H5T_NATIVE_UINT8) == std::vector<std::uint8_t>{0, 0, 0, 1});
  CHECK(t::read_dataset<double>(path, "global_states_time_s", H5T_NATIVE_DOUBLE) == std::vector<double>{0, 1, 2});
}

TEST_CASE("trajectory file: an empty file is valid and a dropped writer leaves no file", "[trajectory]") {
  TempDir tmp;
  {
    TrajectoryWriter out(tmp.file("empty.h5"), Communicator{}, t::example_settings());
    out.close();
  }
  std::vector<hsize_t> dims;
  t::read_dataset<float>(tmp.file("empty.h5"), "candidate_features", H5T_NATIVE_FLOAT, &dims);
  CHECK(dims == std::vector<hsize_t>{0, t::kCandidates, t::kFeatures});

  // An existing file is untouched by a writer that never closes (a crash or an exception).
  const std::string kept = tmp.file("kept.h5");
  std::ofstream(kept) << "old";
  {
    TrajectoryWriter out(kept, Communicator{}, t::example_settings());
    t::write_example(out, 0, 1);
  }
  CHECK(tmp.partials() == 0);
  std::ifstream in(kept);
  std::string text;
  in >> text;
  CHECK(text == "old");
}

TEST_CASE("trajectory file: bad input is refused with the dataset named", "[trajectory]") {
  TempDir tmp;
  Valid v;
  TrajectorySettings bad = t::example_settings();
  bad.reward_assignment = "";
  CHECK_THROWS_WITH(TrajectoryWriter(tmp.file("a.h5"), Communicator{}, bad), Contains("reward_assignment"));
  bad = t::example_settings();
  bad.global_state_dim = 0;  // role attention is per decision cycle: it needs the global_states table
  CHECK_THROWS_WITH(TrajectoryWriter(tmp.file("a.h5"), Communicator{}, bad), Contains("global_state_dim > 0"));
  bad = t::example_settings();
  bad.observation_dim = 0;
  CHECK_THROWS_WITH(TrajectoryWriter(tmp.file("a.h5"), Communicator{}, bad), Contains("observation_dim"));
  CHECK_THROWS_AS(TrajectoryWriter(tmp.file("no/such/dir/a.h5"), Communicator{}, t::example_settings()),
                  marlsim::InputError);
  CHECK(tmp.partials() == 0);

  TrajectoryWriter out(tmp.file("b.h5"), Communicator{}, t::example_settings());
  TrajectoryDecision d = v.decision();
  const std::vector<float> short_obs(t::kObs - 1, 0.0f);
  d.observation = short_obs;
  CHECK_THROWS_WITH(out.append(d), Contains("observations") && Contains("expected 6 values, got 5"));
  d = v.decision();
  d.candidate_count = 3;  // features hold 2 candidates
  CHECK_THROWS_WITH(out.append(d), Contains("candidate_features") && Contains("3 x 3"));
  d = v.decision();
  d.candidate_count = 5;
  CHECK_THROWS_WITH(out.append(d), Contains("exceed max_candidates 4"));
  d = v.decision();
  d.action = 2;
  CHECK_THROWS_WITH(out.append(d), Contains("actions") && Contains("action 2"));
  d = v.decision();
  d.role = 2;
  CHECK_THROWS_WITH(out.append(d), Contains("role 2 has no name"));
  d = v.decision();
  d.global_state = 0;
  CHECK_THROWS_WITH(out.append(d), Contains("global_state_index") && Contains("was not appended"));
  CHECK_THROWS_WITH(out.append_global_state(0, 0.0, std::vector<float>(3)), Contains("expected 5 values"));
  CHECK_THROWS_WITH(out.append_global_state(0, 0.0, std::vector<float>(t::kGlobal), std::vector<float>(3)),
                    Contains("role_attention") && Contains("expected 4 values (roles x roles), got 3"));
  CHECK(out.buffered_rows() == 0);  // nothing half-appended

  const auto row = out.append(v.decision());
  CHECK_THROWS_WITH(out.set_outcome(row + 1, 0.0f, false), Contains("not buffered"));
  CHECK_THROWS_WITH(out.flush(), Contains("outcome is not set"));
  CHECK(out.buffered_rows() == 1);  // kept: the caller can still set the outcome
  out.set_outcome(row, 0.5f, true);
  out.close();
  CHECK_THROWS_WITH(out.append(v.decision()), Contains("append() after close()"));
  CHECK_THROWS_AS(out.flush(), std::logic_error);
  CHECK(t::read_dataset<float>(tmp.file("b.h5"), "rewards", H5T_NATIVE_FLOAT) == std::vector<float>{0.5f});
}

TEST_CASE("trajectory file: global_state_dim 0 means no global states", "[trajectory]") {
  TempDir tmp;
  TrajectorySettings settings = t::example_settings();
  settings.global_state_dim = 0;
  settings.role_attention = false;
  Valid v;
  {
    TrajectoryWriter out(tmp.file("nostate.h5"), Communicator{}, settings);
    CHECK_THROWS_WITH(out.append_global_state(0, 0.0, std::vector<float>{}), Contains("global_state_dim"));
    out.set_outcome(out.append(v.decision()), 1.0f, true);
    out.close();
  }
  std::vector<hsize_t> dims;
  t::read_dataset<float>(tmp.file("nostate.h5"), "global_states", H5T_NATIVE_FLOAT, &dims);
  CHECK(dims == std::vector<hsize_t>{0, 0});
  CHECK(t::read_dataset<std::int64_t>(tmp.file("nostate.h5"), "global_state_index", H5T_NATIVE_INT64) ==
        std::vector<std::int64_t>{-1});
  // Without role attention (every policy but hrac) the file has no role_attention dataset.
  const hid_t file = H5Fopen(tmp.file("nostate.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  CHECK(H5Lexists(file, "role_attention", H5P_DEFAULT) == 0);
  H5Fclose(file);
  CHECK(ResultsReader(tmp.file("nostate.h5")).attribute_int64("/", "mask_unfit") == 1);  // the example's setting
}
