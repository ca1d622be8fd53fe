#include <catch2/catch.hpp>

#include <string>

#include "engine/support/input_error.hpp"
#include "workload_test_support.hpp"
#include "workloads/line_reader.hpp"

using namespace marlsim;

namespace {
std::string error_of(auto&& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("LineReader yields lines with 1-based numbers from plain and gzip files", "[workloads]") {
  test::TempDir dir;
  const std::string text = "first\r\n\nthird line\nlast without newline";
  for (const auto& path : {dir.write("a.txt", text), dir.write_gz("a.txt.gz", text)}) {
    // A tiny buffer forces lines to straddle refills and the buffer to grow.
    LineReader r(path, 4);
    std::string_view line;
    REQUIRE(r.next(line));
    CHECK(line == "first");
    CHECK(r.line_number() == 1);
    REQUIRE(r.next(line));
    CHECK(line.empty());
    REQUIRE(r.next(line));
    CHECK(line == "third line");
    REQUIRE(r.next(line));
    CHECK(line == "last without newline");
    CHECK(r.line_number() == 4);
    CHECK_FALSE(r.next(line));
    CHECK(r.text_bytes() == text.size());
  }
}

TEST_CASE("LineReader reports a missing file by its path", "[workloads]") {
  const std::string msg = error_of([] { LineReader r("/nonexistent/dir/trace.swf.gz"); });
  CHECK_THAT(msg, Catch::Contains("/nonexistent/dir/trace.swf.gz"));
  CHECK_THAT(msg, Catch::Contains("cannot open"));
}

TEST_CASE("Field parsers name file, line, field and expectation", "[workloads]") {
  test::TempDir dir;
  const auto path = dir.write("jobs.swf", "1 2 3\n4 abc 6\n7,,9\n");
  LineReader r(path);
  LineFields f;
  std::string_view line;
  REQUIRE(r.next(line));
  f.split_whitespace(line);
  CHECK(parse_int_field(r, f, 1, "submit time") == 2);
  CHECK(parse_double_field(r, f, 2, "run time") == 3.0);
  REQUIRE(r.next(line));
  f.split_whitespace(line);
  const std::string msg = error_of([&] { parse_int_field(r, f, 1, "allocated processors"); });
  CHECK_THAT(msg, Catch::StartsWith(path + ":2: field 2 (allocated processors): expected an integer, got \"abc\""));
  CHECK_THAT(error_of([&] { parse_int_field(r, f, 7, "queue"); }), Catch::Contains(":2: field 8 (queue): missing"));
  REQUIRE(r.next(line));
  f.split(line, ',');
  REQUIRE(f.size() == 3);
  CHECK(parse_double_field_or(r, f, 1, "cpu", -1.0) == -1.0);
  CHECK_THAT(error_of([&] { parse_double_field(r, f, 1, "cpu"); }),
             Catch::Contains(":3: field 2 (cpu): expected a value"));
}

TEST_CASE("Number parsing accepts plain numbers and rejects junk", "[workloads]") {
  std::int64_t i = 0;
  double d = 0;
  CHECK((parse_int("42", i) && i == 42));
  CHECK((parse_int(" -7 ", i) && i == -7));
  CHECK_FALSE(parse_int("4x", i));
  CHECK_FALSE(parse_int("", i));
  CHECK((parse_double("1.5e3", d) && d == 1500.0));
  CHECK((parse_double("0.125", d) && d == 0.125));
  CHECK_FALSE(parse_double("nan", d));
  CHECK_FALSE(parse_double("1.2.3", d));
}
