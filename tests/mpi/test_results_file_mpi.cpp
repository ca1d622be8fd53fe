// ResultsFile at 1, 2 and 4 ranks: every rank takes part in every collective call; rank 0
// reads the file back and compares with values computed without reference to the rank count.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "mpi/communicator.hpp"
#include "mpi/hdf5/results_file.hpp"
#include "mpi/hdf5/results_reader.hpp"
#include "tests/mpi/shared_temp_dir.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using marlsim::Communicator;
using marlsim::ResultsFile;
using marlsim::ResultsFileSettings;
using marlsim::ResultsReader;
using marlsim::test::SharedTempDir;

namespace {

// Contiguous, deliberately uneven slice [first, last) of n global rows for this rank; rank 1
// gets nothing whenever there is more than one rank.
std::pair<std::uint64_t, std::uint64_t> uneven_slice(std::uint64_t n, const Communicator& comm) {
  std::vector<std::uint64_t> weight(comm.size());
  for (int r = 0; r < comm.size(); ++r) weight[r] = (comm.size() > 1 && r == 1) ? 0 : static_cast<std::uint64_t>(r + 1);
  std::uint64_t sum = 0, before = 0;
  for (int r = 0; r < comm.size(); ++r) {
    sum += weight[r];
    if (r < comm.rank()) before += weight[r];
  }
  const std::uint64_t first = n * before / sum;
  const std::uint64_t last = n * (before + weight[comm.rank()]) / sum;
  return {first, last};
}

double decision_value(std::uint64_t g) { return 0.5 * static_cast<double>(g) - 17.0; }
float observation(std::uint64_t row, std::uint64_t col) { return static_cast<float>(row * 100 + col) * 0.25f; }

// Task t belongs to rank (t * 7 + 3) % size: interleaved, so every rank writes scattered rows.
// Tasks that are multiples of 5 are written by nobody and must read back as the fill.
constexpr std::uint64_t kTasks = 1003;
bool task_written(std::uint64_t t) { return t % 5 != 0; }
double task_wait(std::uint64_t t) { return 1.0 + static_cast<double>(t) / 8.0; }
std::int32_t task_node(std::uint64_t t) { return static_cast<std::int32_t>(t % 13); }

void write_tasks(ResultsFile& out, const Communicator& comm) {
  std::vector<std::uint64_t> index;
  std::vector<double> wait;
  std::vector<std::int32_t> node;
  // Descending order on purpose: the writer must not depend on sorted input.
  for (std::uint64_t t = kTasks; t-- > 0;) {
    if (!task_written(t) || static_cast<int>((t * 7 + 3) % static_cast<std::uint64_t>(comm.size())) != comm.rank())
      continue;
    index.push_back(t);
    wait.push_back(task_wait(t));
    node.push_back(task_node(t));
  }
  out.write_indexed("/tasks/wait_s", kTasks, index, wait, -1.0);
  out.write_indexed("/tasks/node", kTasks, index, node, std::int32_t{-1});
}

}  // namespace

TEST_CASE("append from all ranks lands in rank order, empty ranks included, and grows", "[hdf5]") {
  Communicator comm;
  SharedTempDir tmp;
  const std::string path = tmp.file("append.h5");
  constexpr std::uint64_t kWindow1 = 1000, kWindow2 = 37, kWidth = 5;
  {
    ResultsFile out(path, comm);
    std::uint64_t base = 0;
    for (std::uint64_t window : {kWindow1, kWindow2}) {
      const auto [first, last] = uneven_slice(window, comm);
      std::vector<double> values;
      std::vector<float> obs;
      for (std::uint64_t g = base + first; g < base + last; ++g) {
        values.push_back(decision_value(g));
        for (std::uint64_t c = 0; c < kWidth; ++c) obs.push_back(observation(g, c));
      }
      out.append("/trajectory/value", values);
      out.append_rows("/trajectory/observation", obs, kWidth);
      base += window;
    }
    // A window in which only the last rank decided anything.
    std::vector<double> last_only;
    if (comm.rank() == comm.size() - 1) last_only = {99.0, 100.0};
    out.append("/trajectory/value", last_only);
    out.set_attribute("/trajectory/value", "units", "s");
    out.set_attribute("/", "ranks_are_not_recorded", std::int64_t{1});
    out.close();
  }
  comm.barrier();
  if (comm.is_root()) {
    ResultsReader in(path);
    std::vector<double> expected;
    std::vector<float> expected_obs;
    for (std::uint64_t g = 0; g < kWindow1 + kWindow2; ++g) {
      expected.push_back(decision_value(g));
      for (std::uint64_t c = 0; c < kWidth; ++c) expected_obs.push_back(observation(g, c));
    }
    expected.push_back(99.0);
    expected.push_back(100.0);
    CHECK(in.read<double>("/trajectory/value") == expected);
    CHECK(in.shape("/trajectory/observation") == std::vector<std::uint64_t>{kWindow1 + kWindow2, kWidth});
    CHECK(in.read_rows<float>("/trajectory/observation", kWidth) == expected_obs);
    CHECK(in.attribute_string("/trajectory/value", "units") == "s");
  }
}

TEST_CASE("indexed writes give the same file whatever the partition of rows over ranks", "[hdf5]") {
  Communicator comm;
  SharedTempDir tmp;
  const std::string parallel = tmp.file("indexed.h5");
  const std::string serial = tmp.file("indexed-1rank.h5");
  for (int gzip : {0, 1}) {
    ResultsFileSettings settings;
    settings.gzip_level = gzip;
    {
      ResultsFile out(parallel, comm, settings);
      write_tasks(out, comm);
      out.close();
    }
    if (comm.is_root()) {  // the same rows written by one rank alone
      ResultsFile out(serial, Communicator(MPI_COMM_SELF), settings);
      write_tasks(out, Communicator(MPI_COMM_SELF));
      out.close();
    }
    comm.barrier();
    if (comm.is_root()) {
      std::vector<double> expected_wait(kTasks, -1.0);
      std::vector<std::int32_t> expected_node(kTasks, -1);
      for (std::uint64_t t = 0; t < kTasks; ++t) {
        if (!task_written(t)) continue;
        expected_wait[t] = task_wait(t);
        expected_node[t] = task_node(t);
      }
      ResultsReader in(parallel), one(serial);
      INFO("gzip " << gzip << ", " << comm.size() << " ranks");
      CHECK(in.read<double>("/tasks/wait_s") == expected_wait);
      CHECK(in.read<std::int32_t>("/tasks/node") == expected_node);
      CHECK(one.read<double>("/tasks/wait_s") == expected_wait);
      CHECK(one.read<std::int32_t>("/tasks/node") == expected_node);
    }
    comm.barrier();
  }
}

TEST_CASE("gzip-compressed appends from all ranks round-trip", "[hdf5]") {
  Communicator comm;
  SharedTempDir tmp;
  const std::string path = tmp.file("gzip.h5");
  constexpr std::uint64_t kRows = 70000;  // several chunks, rank boundaries inside chunks
  {
    ResultsFileSettings settings;
    settings.gzip_level = 1;
    ResultsFile out(path, comm, settings);
    for (int pass = 0; pass < 2; ++pass) {
      const auto [first, last] = uneven_slice(kRows, comm);
      std::vector<float> values;
      for (std::uint64_t g = first; g < last; ++g) values.push_back(static_cast<float>(pass * kRows + g));
      out.append("/trajectory/log_prob", values);
    }
    out.close();
  }
  comm.barrier();
  if (comm.is_root()) {
    std::vector<float> expected;
    for (std::uint64_t g = 0; g < 2 * kRows; ++g) expected.push_back(static_cast<float>(g));
    CHECK(ResultsReader(path).read<float>("/trajectory/log_prob") == expected);
  }
}

TEST_CASE("a bad argument or a mismatched call on one rank throws on every rank", "[hdf5]") {
  Communicator comm;
  SharedTempDir tmp;
  const std::string path = tmp.file("errors.h5");
  ResultsFile out(path, comm);
  const bool last = comm.rank() == comm.size() - 1;

  // Only the last rank passes an index out of range; nobody may hang.
  std::vector<std::uint64_t> index;
  if (last) index.push_back(kTasks);
  const std::vector<double> values(index.size(), 1.0);
  if (last) {
    CHECK_THROWS_WITH(out.write_indexed("/tasks/x", kTasks, index, values, 0.0), Contains("outside [0, 1003)"));
  } else {
    CHECK_THROWS_WITH(out.write_indexed("/tasks/x", kTasks, index, values, 0.0),
                      Contains("another rank passed invalid arguments"));
  }

  // Two ranks claim the same row: the owner finds it, everybody throws.
  const std::vector<std::uint64_t> same_row = {3};
  if (comm.size() > 1) {
    CHECK_THROWS_AS(out.write_indexed("/tasks/y", 10, same_row, std::vector<double>{1.0}, 0.0), std::invalid_argument);
  }

  // Different dataset names on different ranks.
  if (comm.size() > 1) {
    const std::string name = "/tasks/mine_" + std::to_string(comm.rank());
    CHECK_THROWS_WITH(out.append(name, std::vector<double>{1.0}), Contains("ranks made different collective calls"));
    CHECK_THROWS_AS(out.set_attribute("/", "seed", std::int64_t{comm.rank()}), std::logic_error);
  }

  // The file is still usable afterwards.
  out.append("/tasks/z", std::vector<double>{static_cast<double>(comm.rank())});
  out.close();
  comm.barrier();
  if (comm.is_root()) {
    ResultsReader in(path);
    CHECK(in.read<double>("/tasks/z").size() == static_cast<std::size_t>(comm.size()));
    CHECK_FALSE(in.has("/tasks/x"));
    CHECK_FALSE(in.has("/tasks/y"));
    CHECK_FALSE(in.has("/tasks/mine_0"));
  }
}

TEST_CASE("an unclosed parallel writer leaves the previous result in place", "[hdf5]") {
  Communicator comm;
  SharedTempDir tmp;
  const std::string path = tmp.file("run.h5");
  {
    ResultsFile out(path, comm);
    out.append("/x", std::vector<std::int64_t>{comm.rank()});
    out.close();
  }
  {
    ResultsFile out(path, comm);
    out.append("/x", std::vector<std::int64_t>{-1, -1});
  }
  comm.barrier();
  if (comm.is_root()) {
    for (const auto& e : fs::directory_iterator(fs::path(path).parent_path()))
      CHECK(e.path().extension() != ".partial");  // the unclosed writer removed its partial file
    std::vector<std::int64_t> expected;
    for (int r = 0; r < comm.size(); ++r) expected.push_back(r);
    CHECK(ResultsReader(path).read<std::int64_t>("/x") == expected);
  }
}
