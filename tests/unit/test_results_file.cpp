// ResultsFile / ResultsReader on one rank: round trips, growth, indexed writes, attributes,
// the partial-file commit, and every bad-input message.
#include <hdf5.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "engine/support/input_error.hpp"
#include "mpi/communicator.hpp"
#include "mpi/hdf5/results_file.hpp"
#include "mpi/hdf5/results_reader.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using marlsim::Communicator;
using marlsim::InputError;
using marlsim::ResultsFile;
using marlsim::ResultsFileSettings;
using marlsim::ResultsReader;

namespace {

// A fresh directory under /tmp per test case, removed afterwards.
struct TempDir {
  fs::path dir;
  TempDir() {
    static int counter = 0;
    dir = fs::temp_directory_path() / ("marlsim-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string file(const std::string& name) const { return (dir / name).string(); }
  // Whether any partial results file (NAME.XXXXXXXX.partial) is left in the folder.
  bool has_partial() const {
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".partial") return true;
    return false;
  }
};

// Open HDF5 identifiers of the kinds the results code creates; a leak changes the count.
std::vector<int> open_ids() {
  std::vector<int> counts;
  for (H5I_type_t t : {H5I_FILE, H5I_GROUP, H5I_DATASET, H5I_DATASPACE, H5I_DATATYPE, H5I_ATTR, H5I_GENPROP_LST}) {
    hsize_t n = 0;
    H5Inmembers(t, &n);
    counts.push_back(static_cast<int>(n));
  }
  return counts;
}

template <class T>
std::vector<T> sample(std::size_t n, int salt) {
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<T>((static_cast<int>(i) * 37 + salt) % 120 - (salt % 2));
  return v;
}

}  // namespace

TEMPLATE_TEST_CASE("results file round-trips every element type", "[hdf5]", double, float, std::int64_t, std::uint64_t,
                   std::int32_t, std::uint32_t, std::int8_t, std::uint8_t) {
  TempDir tmp;
  const std::string path = tmp.file("types.h5");
  const std::vector<TestType> first = sample<TestType>(1000, 3), second = sample<TestType>(7, 4);
  std::vector<TestType> extremes = {std::numeric_limits<TestType>::lowest(), std::numeric_limits<TestType>::max(),
                                    TestType{0}};
  {
    ResultsFile out(path, Communicator{});
    out.append("/tasks/column", first);
    out.append("/tasks/column", second);  // grows the dataset
    out.append("extremes", extremes);
    out.close();
  }
  ResultsReader in(path);
  std::vector<TestType> expected;  // element by element: GCC 12 warns falsely on insert() of bytes
  for (const auto* part : {&first, &second})
    for (TestType v : *part) expected.push_back(v);
  CHECK(in.shape("/tasks/column") == std::vector<std::uint64_t>{1007});
  CHECK(in.read<TestType>("/tasks/column") == expected);
  CHECK(in.read<TestType>("/extremes") == extremes);
}

TEST_CASE("append grows 1-D and 2-D datasets across calls, empty appends included", "[hdf5]") {
  TempDir tmp;
  const std::string path = tmp.file("grow.h5");
  std::vector<float> obs;
  for (int i = 0; i < 5 * 64; ++i) obs.push_back(0.5f * static_cast<float>(i));
  {
    ResultsFile out(path, Communicator{});
    out.append("/episodes/empty", std::vector<double>{});
    out.append_rows("/trajectory/observation", std::span<const float>(obs).first(2 * 64), 64);
    out.append_rows("/trajectory/observation", std::span<const float>(obs).subspan(2 * 64), 64);
    out.append_rows("/trajectory/observation", std::vector<float>{}, 64);
    out.append("/trajectory/reward", std::vector<float>{1.0f, 2.0f});
    out.append("/trajectory/reward", std::vector<float>{3.0f});
    // A different type or width on an existing dataset is a caller bug, reported by name.
    CHECK_THROWS_WITH(
        out.append("/trajectory/reward", std::vector<double>{1.0}),
        Contains("/trajectory/reward") && Contains("cannot append float64 1-D") && Contains("float32 1-D"));
    CHECK_THROWS_WITH(out.append_rows("/trajectory/observation", std::vector<float>(32), 32),
                      Contains("2-D of width 64"));
    CHECK_THROWS_WITH(out.append_rows("/trajectory/observation", std::vector<float>(65), 64),
                      Contains("not whole rows of width 64"));
    CHECK_THROWS_AS(out.append("/", std::vector<float>{1.0f}), std::invalid_argument);
    CHECK_THROWS_AS(out.append("/a//b", std::vector<float>{1.0f}), std::invalid_argument);
    out.close();
    CHECK_THROWS_WITH(out.append("/late", std::vector<float>{1.0f}), Contains("/late") && Contains("already closed"));
  }
  ResultsReader in(path);
  CHECK(in.shape("/episodes/empty") == std::vector<std::uint64_t>{0});
  CHECK(in.read<double>("/episodes/empty").empty());
  CHECK(in.shape("/trajectory/observation") == std::vector<std::uint64_t>{5, 64});
  CHECK(in.read_rows<float>("/trajectory/observation", 64) == obs);
  CHECK(in.read<float>("/trajectory/reward") == std::vector<float>{1.0f, 2.0f, 3.0f});
  CHECK(in.has("/trajectory/reward"));
  CHECK(in.has("trajectory/reward"));
  CHECK_FALSE(in.has("/trajectory"));  // a group, not a dataset
  CHECK_FALSE(in.has("/trajectory/missing"));
  CHECK_FALSE(in.has("/nope/missing"));
}

TEST_CASE("a row group appends its columns together, and its columns must have the same rows", "[hdf5]") {
  TempDir tmp;
  const std::string path = tmp.file("group.h5");
  {
    ResultsFile out(path, Communicator{});
    const std::vector<std::int64_t> id{3, 4};
    const std::vector<double> wait{0.5, 1.5};
    out.append_row_group(std::vector<marlsim::ResultsColumn>{marlsim::ResultsColumn::of("/t/id", id),
                                                             marlsim::ResultsColumn::of("/t/wait_s", wait)});
    out.append_row_group(
        std::vector<marlsim::ResultsColumn>{marlsim::ResultsColumn::of("/t/id", std::vector<std::int64_t>{5}),
                                            marlsim::ResultsColumn::of("/t/wait_s", std::vector<double>{2.5})});
    CHECK_THROWS_WITH(out.append_row_group(std::vector<marlsim::ResultsColumn>{
                          marlsim::ResultsColumn::of("/t/id", id),
                          marlsim::ResultsColumn::of("/t/wait_s", std::vector<double>{1.0})}),
                      Contains("/t/wait_s has 1 rows") && Contains("same rows"));
    out.close();
  }
  ResultsReader in(path);
  CHECK(in.read<std::int64_t>("/t/id") == std::vector<std::int64_t>{3, 4, 5});
  CHECK(in.read<double>("/t/wait_s") == std::vector<double>{0.5, 1.5, 2.5});
}

TEST_CASE("indexed writes put each value at its row and fill the rest", "[hdf5]") {
  TempDir tmp;
  const std::string path = tmp.file("indexed.h5");
  {
    ResultsFile out(path, Communicator{});
    const std::vector<std::uint64_t> index = {7, 2, 5, 0};
    out.write_indexed("/tasks/wait_s", 10, index, std::vector<double>{7.5, 2.5, 5.5, 0.5}, -1.0);
    out.write_indexed("/nodes/energy_j", 3, std::vector<std::uint64_t>{}, std::vector<std::int64_t>{},
                      std::int64_t{-9});
    out.write_indexed("/nodes/none", 0, std::vector<std::uint64_t>{}, std::vector<float>{}, 0.0f);
    CHECK_THROWS_WITH(out.write_indexed("/tasks/bad", 4, std::vector<std::uint64_t>{4}, std::vector<double>{1.0}, 0.0),
                      Contains("/tasks/bad") && Contains("row index 4 is outside [0, 4)"));
    CHECK_THROWS_WITH(
        out.write_indexed("/tasks/dup", 4, std::vector<std::uint64_t>{1, 1}, std::vector<double>{1, 2}, 0.0),
        Contains("row index 1 is written more than once"));
    CHECK_THROWS_WITH(
        out.write_indexed("/tasks/wait_s", 10, std::vector<std::uint64_t>{1}, std::vector<double>{1}, 0.0),
        Contains("already exists"));
    CHECK_THROWS_WITH(
        out.write_indexed("/tasks/short", 4, std::vector<std::uint64_t>{1, 2}, std::vector<double>{1}, 0.0),
        Contains("2 indices for 1 values"));
    out.close();
  }
  ResultsReader in(path);
  CHECK(in.read<double>("/tasks/wait_s") ==
        std::vector<double>{0.5, -1.0, 2.5, -1.0, -1.0, 5.5, -1.0, 7.5, -1.0, -1.0});
  CHECK(in.read<std::int64_t>("/nodes/energy_j") == std::vector<std::int64_t>{-9, -9, -9});
  CHECK(in.read<float>("/nodes/none").empty());
  CHECK_FALSE(in.has("/tasks/bad"));
  CHECK_FALSE(in.has("/tasks/dup"));
}

TEST_CASE("attributes on the file, groups and datasets round-trip and can be replaced", "[hdf5]") {
  TempDir tmp;
  const std::string path = tmp.file("attrs.h5");
  {
    ResultsFile out(path, Communicator{});
    out.append("/tasks/wait_s", std::vector<double>{1.0});
    out.set_attribute("/", "scenario", "fb2010-100nodes");
    out.set_attribute("/", "seed", 42);  // any integer type lands as int64
    out.set_attribute("/", "code_version", MARLSIM_VERSION);
    out.set_attribute("/", "big", std::uint64_t{1} << 40);
    out.set_attribute("/tasks", "count", std::int64_t{-3});
    out.set_attribute("/tasks/wait_s", "units", std::string("s"));
    out.set_attribute("/tasks/wait_s", "scale", 0.25);
    out.set_attribute("/", "policy", "fifo");
    out.set_attribute("/", "policy", "marl-v3");  // replaced, not duplicated
    out.set_attribute("/", "empty", "");
    CHECK_THROWS_WITH(out.set_attribute("/nodes", "units", "J"),
                      Contains("/nodes") && Contains("no such group or dataset"));
    CHECK_THROWS_AS(out.set_attribute("/", "", 1.0), std::invalid_argument);
    out.close();
  }
  ResultsReader in(path);
  CHECK(in.attribute_string("/", "scenario") == "fb2010-100nodes");
  CHECK(in.attribute_int64("/", "seed") == 42);
  CHECK(in.attribute_string("/", "code_version") == MARLSIM_VERSION);
  CHECK(in.attribute_int64("/", "big") == (std::int64_t{1} << 40));
  CHECK(in.attribute_int64("tasks", "count") == -3);
  CHECK(in.attribute_string("/tasks/wait_s", "units") == "s");
  CHECK(in.attribute_double("/tasks/wait_s", "scale") == 0.25);
  CHECK(in.attribute_string("/", "policy") == "marl-v3");
  CHECK(in.attribute_string("/", "empty").empty());
}

TEST_CASE("gzip is optional and round-trips, bad settings are rejected", "[hdf5]") {
  TempDir tmp;
  const std::string path = tmp.file("gzip.h5");
  const std::vector<float> values = sample<float>(50000, 1);
  {
    ResultsFileSettings settings;
    settings.gzip_level = 1;
    ResultsFile out(path, Communicator{}, settings);
    out.append("/trajectory/value", values);
    out.append("/trajectory/value", values);
    out.write_indexed("/tasks/id", 5, std::vector<std::uint64_t>{3}, std::vector<std::uint32_t>{33}, 0u);
    out.close();
  }
  ResultsReader in(path);
  std::vector<float> expected = values;
  expected.insert(expected.end(), values.begin(), values.end());
  CHECK(in.read<float>("/trajectory/value") == expected);
  CHECK(in.read<std::uint32_t>("/tasks/id") == std::vector<std::uint32_t>{0, 0, 0, 33, 0});
  // The filter is really there (and absent by default).
  auto filters = [](const std::string& file, const char* dataset) {
    hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, dataset, H5P_DEFAULT);
    hid_t p = H5Dget_create_plist(d);
    const int n = H5Pget_nfilters(p);
    H5Pclose(p);
    H5Dclose(d);
    H5Fclose(f);
    return n;
  };
  CHECK(filters(path, "/trajectory/value") == 1);
  const std::string plain = tmp.file("plain.h5");
  {
    ResultsFile out(plain, Communicator{});
    out.append("/trajectory/value", values);
    out.close();
  }
  CHECK(filters(plain, "/trajectory/value") == 0);
  ResultsFileSettings bad;
  bad.gzip_level = 10;
  CHECK_THROWS_WITH(ResultsFile(tmp.file("bad.h5"), Communicator{}, bad), Contains("gzip_level must be 0"));
  CHECK_FALSE(tmp.has_partial());
}

TEST_CASE("results are written to a partial file and renamed only by close()", "[hdf5]") {
  TempDir tmp;
  const std::string path = tmp.file("run.h5");
  {
    ResultsFile out(path, Communicator{});
    const std::string partial = out.partial_path();
    CHECK(partial.starts_with(path + "."));
    CHECK(partial.ends_with(".partial"));
    out.append("/x", std::vector<double>{1.0});
    CHECK(fs::exists(partial));
    CHECK_FALSE(fs::exists(path));
    out.close();
    CHECK_FALSE(out.is_open());
    CHECK_FALSE(fs::exists(partial));
  }
  CHECK(fs::exists(path));

  SECTION("a writer destroyed without close() leaves an existing result untouched") {
    {
      ResultsFile out(path, Communicator{});
      out.append("/x", std::vector<double>{2.0, 3.0});
      // leaves scope without close(): a run that failed half way
    }
    CHECK_FALSE(tmp.has_partial());
    ResultsReader in(path);
    CHECK(in.read<double>("/x") == std::vector<double>{1.0});
  }
  SECTION("an exception between writes unwinds to the same state") {
    try {
      ResultsFile out(path, Communicator{});
      out.append("/x", std::vector<double>{4.0});
      out.append("/x", std::vector<float>{4.0f});  // throws: wrong type
      out.close();
    } catch (const std::invalid_argument&) {
    }
    CHECK_FALSE(tmp.has_partial());
    CHECK(ResultsReader(path).read<double>("/x") == std::vector<double>{1.0});
  }
  SECTION("a second closed run replaces the file") {
    ResultsFile out(path, Communicator{});
    out.append("/y", std::vector<std::int32_t>{5});
    out.close();
    ResultsReader in(path);
    CHECK_FALSE(in.has("/x"));
    CHECK(in.read<std::int32_t>("/y") == std::vector<std::int32_t>{5});
  }
}

// Two runs writing the same path at once used to share PATH.partial (opened with truncation)
// and publish a file mixing both; each now writes its own, and each publishes a whole file.
TEST_CASE("two writers of the same path never share a partial file", "[hdf5]") {
  TempDir tmp;
  const std::string path = tmp.file("run.h5");
  ResultsFile a(path, Communicator{});
  ResultsFile b(path, Communicator{});
  CHECK(a.partial_path() != b.partial_path());
  a.append("/x", std::vector<double>{1.0, 2.0});
  b.append("/y", std::vector<std::int32_t>{7});
  a.close();
  CHECK(ResultsReader(path).read<double>("/x") == std::vector<double>{1.0, 2.0});
  b.close();
  ResultsReader in(path);
  CHECK_FALSE(in.has("/x"));
  CHECK(in.read<std::int32_t>("/y") == std::vector<std::int32_t>{7});
}

TEST_CASE("a results file in a missing directory is an InputError naming the path", "[hdf5]") {
  TempDir tmp;
  const std::string path = tmp.file("no/such/dir/run.h5");
  CHECK_THROWS_AS(ResultsFile(path, Communicator{}), InputError);
  CHECK_THROWS_WITH(ResultsFile(path, Communicator{}), Contains(path) && Contains("does not exist"));
}

TEST_CASE("the reader reports bad files and missing or mistyped data by name", "[hdf5]") {
  TempDir tmp;
  const std::string good = tmp.file("good.h5");
  {
    ResultsFile out(good, Communicator{});
    std::vector<double> big(100000, 1.5);
    out.append("/tasks/wait_s", big);
    out.append_rows("/trajectory/observation", std::vector<float>(8, 1.0f), 4);
    out.set_attribute("/", "seed", 7);
    out.set_attribute("/", "scenario", "s1");
    out.close();
  }

  SECTION("missing file") {
    const std::string missing = tmp.file("missing.h5");
    CHECK_THROWS_AS(ResultsReader(missing), InputError);
    CHECK_THROWS_WITH(ResultsReader(missing), Contains(missing) && Contains("no such file"));
  }
  SECTION("not an HDF5 file") {
    const std::string text = tmp.file("notes.h5");
    std::ofstream(text) << "episode,reward\n1,0.5\n";
    CHECK_THROWS_AS(ResultsReader(text), InputError);
    CHECK_THROWS_WITH(ResultsReader(text), Contains(text) && Contains("not an HDF5 file"));
  }
  SECTION("truncated HDF5 file") {
    const std::string cut = tmp.file("cut.h5");
    fs::copy_file(good, cut);
    fs::resize_file(cut, fs::file_size(good) / 2);
    CHECK_THROWS_AS(ResultsReader(cut), InputError);
    CHECK_THROWS_WITH(ResultsReader(cut), Contains(cut) && Contains("truncated or damaged"));
  }
  SECTION("a directory") { CHECK_THROWS_WITH(ResultsReader(tmp.dir.string()), Contains("found a directory")); }

  ResultsReader in(good);
  SECTION("absent dataset") {
    CHECK_THROWS_AS(in.read<double>("/tasks/wiat_s"), InputError);
    CHECK_THROWS_WITH(in.read<double>("/tasks/wiat_s"), Contains(good) && Contains("/tasks/wiat_s") &&
                                                            Contains("expected float64 1-D") &&
                                                            Contains("no such dataset"));
    CHECK_THROWS_WITH(in.read<double>("/nope/x"), Contains("/nope/x") && Contains("no such dataset"));
    CHECK_THROWS_WITH(in.shape("/tasks/x"), Contains("no such dataset"));
    CHECK_THROWS_WITH(in.read<double>("/tasks"), Contains("/tasks") && Contains("found a group"));
  }
  SECTION("wrong type or rank") {
    CHECK_THROWS_AS(in.read<float>("/tasks/wait_s"), InputError);
    CHECK_THROWS_WITH(in.read<float>("/tasks/wait_s"), Contains(good) && Contains("/tasks/wait_s") &&
                                                           Contains("expected float32 1-D") &&
                                                           Contains("found float64 1-D"));
    CHECK_THROWS_WITH(in.read<std::int64_t>("/tasks/wait_s"), Contains("expected int64 1-D"));
    CHECK_THROWS_WITH(in.read<float>("/trajectory/observation"),
                      Contains("expected float32 1-D") && Contains("found float32 2-D of width 4"));
    CHECK_THROWS_WITH(in.read_rows<float>("/trajectory/observation", 8),
                      Contains("expected float32 2-D of width 8") && Contains("found float32 2-D of width 4"));
    CHECK_THROWS_WITH(in.read_rows<double>("/tasks/wait_s", 1), Contains("found float64 1-D"));
  }
  SECTION("attributes") {
    CHECK_THROWS_WITH(in.attribute_string("/", "seeed"),
                      Contains(good) && Contains("attribute 'seeed'") && Contains("no such attribute"));
    CHECK_THROWS_WITH(in.attribute_string("/", "seed"), Contains("expected string, found int64"));
    CHECK_THROWS_WITH(in.attribute_double("/", "seed"), Contains("expected float64, found int64"));
    CHECK_THROWS_WITH(in.attribute_int64("/", "scenario"), Contains("expected int64, found string"));
    CHECK_THROWS_WITH(in.attribute_int64("/nodes", "seed"), Contains("/nodes") && Contains("no such object"));
  }
}

TEST_CASE("writer and reader leave no HDF5 identifiers open", "[hdf5]") {
  TempDir tmp;
  const std::string path = tmp.file("leaks.h5");
  {  // warm up: the library registers its own default property lists on first use
    ResultsFile out(tmp.file("warm.h5"), Communicator{});
    out.append("/a", std::vector<float>{1.0f});
    out.close();
    ResultsReader in(tmp.file("warm.h5"));
    (void)in.read<float>("/a");
    CHECK_THROWS(in.attribute_string("/", "x"));
  }
  const std::vector<int> before = open_ids();
  {
    ResultsFile out(path, Communicator{});
    out.append("/tasks/a", std::vector<float>{1.0f, 2.0f});
    out.append_rows("/tasks/b", std::vector<float>(6, 1.0f), 3);
    out.write_indexed("/tasks/c", 4, std::vector<std::uint64_t>{1}, std::vector<double>{1.0}, 0.0);
    out.set_attribute("/tasks/a", "units", "s");
    out.set_attribute("/", "seed", 1);
    CHECK_THROWS(out.append("/tasks/a", std::vector<double>{1.0}));
    CHECK(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 1);  // only the file itself
    out.close();
    CHECK(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 0);
    ResultsReader in(path);
    (void)in.read<float>("/tasks/a");
    (void)in.read_rows<float>("/tasks/b", 3);
    (void)in.shape("/tasks/c");
    (void)in.has("/tasks/c");
    (void)in.attribute_string("/tasks/a", "units");
    CHECK_THROWS(in.read<double>("/tasks/a"));
    CHECK_THROWS(in.attribute_double("/", "seed"));
    CHECK_THROWS(in.attribute_string("/", "missing"));
    CHECK(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 1);
  }
  CHECK(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) == 0);
  CHECK(open_ids() == before);
  {  // the abandoned-writer path closes everything too
    ResultsFile out(tmp.file("abandoned.h5"), Communicator{});
    out.append("/a", std::vector<float>{1.0f});
  }
  CHECK(open_ids() == before);
}
