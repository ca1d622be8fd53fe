// InlineVector (engine/support/inline_vector.hpp): the same contents as a std::vector under the
// same edits, inline up to its capacity and on the heap beyond, through copies and moves.
#include <catch2/catch.hpp>

#include <cstdint>
#include <utility>
#include <vector>

#include "engine/support/inline_vector.hpp"

using marlsim::InlineVector;

namespace {
template <class V>
std::vector<std::uint32_t> contents(const V& v) {
  return std::vector<std::uint32_t>(v.begin(), v.end());
}
bool is_inline(const InlineVector<std::uint32_t, 4>& v) {
  const auto* self = reinterpret_cast<const char*>(&v);
  const auto* data = reinterpret_cast<const char*>(v.data());
  return data >= self && data < self + sizeof(v);
}
}  // namespace

TEST_CASE("inline vector: edits match std::vector across the inline capacity", "[inline_vector]") {
  InlineVector<std::uint32_t, 4> v;
  std::vector<std::uint32_t> ref;
  CHECK(v.empty());
  CHECK(v.capacity() == 4);
  // Sorted inserts at the front, middle and back, past the inline capacity and back down.
  for (std::uint32_t x : {50u, 10u, 30u, 20u, 40u, 5u, 60u, 35u}) {
    const auto at = static_cast<std::size_t>(std::lower_bound(ref.begin(), ref.end(), x) - ref.begin());
    ref.insert(ref.begin() + static_cast<std::ptrdiff_t>(at), x);
    CHECK(v.insert(at, x) == x);
    CHECK(contents(v) == ref);
    CHECK(is_inline(v) == (v.size() <= 4));
  }
  for (std::size_t at : {0u, 3u, 5u}) {
    ref.erase(ref.begin() + static_cast<std::ptrdiff_t>(at));
    v.erase(at);
    CHECK(contents(v) == ref);
  }
  v.push_back(7);
  ref.push_back(7);
  CHECK(v.back() == 7);
  v.pop_back();
  ref.pop_back();
  CHECK(contents(v) == ref);
  v.clear();
  CHECK(v.empty());
  v.resize(3, 9);
  CHECK(contents(v) == std::vector<std::uint32_t>{9, 9, 9});
}

TEST_CASE("inline vector: copies and moves keep the contents, inline or on the heap", "[inline_vector]") {
  for (std::uint32_t n : {3u, 4u, 9u}) {
    InlineVector<std::uint32_t, 4> v;
    for (std::uint32_t i = 0; i < n; ++i) v.push_back(i * 3);
    const auto want = contents(v);
    InlineVector<std::uint32_t, 4> copy(v);
    CHECK(contents(copy) == want);
    CHECK(contents(v) == want);
    copy[0] = 100;  // a copy, not a shared buffer
    CHECK(v[0] == 0);
    InlineVector<std::uint32_t, 4> moved(std::move(copy));
    CHECK(moved[0] == 100);
    CHECK(moved.size() == n);
    CHECK(is_inline(moved) == (n <= 4));
    InlineVector<std::uint32_t, 4> assigned;
    assigned.push_back(1);
    assigned = v;
    CHECK(contents(assigned) == want);
    assigned = std::move(moved);
    CHECK(assigned.size() == n);
    CHECK(assigned[0] == 100);
  }
}

TEST_CASE("inline vector: an element of itself can be pushed or inserted while it grows", "[inline_vector]") {
  // As std::vector allows: growing frees the old block and inserting shifts, so the value must
  // be copied before either.
  InlineVector<std::uint64_t, 2> v;
  std::vector<std::uint64_t> ref;
  for (std::uint64_t i = 0; i < 40; ++i) {
    if (v.empty()) {
      v.push_back(i + 100);
      ref.push_back(i + 100);
    } else if (i % 3 == 0) {
      v.push_back(v[0]);  // on growth, v[0] lives in the block reserve() frees
      ref.push_back(ref[0]);
    } else {
      v.insert(0, v[v.size() - 1]);  // the element moves while it is inserted
      ref.insert(ref.begin(), ref[ref.size() - 1]);
    }
    REQUIRE(std::vector<std::uint64_t>(v.begin(), v.end()) == ref);
  }
  v.resize(v.size() + 200, v[1]);
  ref.resize(ref.size() + 200, ref[1]);
  CHECK(std::vector<std::uint64_t>(v.begin(), v.end()) == ref);
}
