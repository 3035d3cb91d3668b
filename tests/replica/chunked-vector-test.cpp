// The chunked sequence that holds the replica's rows and lists: appending never moves an element,
// and inserting, erasing and reading behave as a std::vector's.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "replica/chunked-vector.h"

using jh::ChunkedVector;

namespace {

// Counts live instances, so that a test can see every element destroyed once.
struct Counted {
  static inline int live = 0;
  std::string text;
  explicit Counted(std::string t) : text(std::move(t)) { ++live; }
  Counted(Counted&& o) noexcept : text(std::move(o.text)) { ++live; }
  Counted& operator=(Counted&&) = default;
  ~Counted() { --live; }
};

template <typename V>
void checkAppendNeverMoves(size_t n) {
  V v;
  std::vector<const uint64_t*> addresses;
  for (uint64_t i = 0; i < n; ++i) {
    addresses.push_back(&v.emplace_back(i * 3));
    REQUIRE(v.size() == i + 1);
  }
  for (size_t i = 0; i < n; ++i) {
    REQUIRE(&v[i] == addresses[i]);
    REQUIRE(v[i] == i * 3);
  }
}

}  // namespace

TEST_CASE("appending never moves an element, through the growing first chunks and many full ones") {
  checkAppendNeverMoves<ChunkedVector<uint64_t>>(100000);
  checkAppendNeverMoves<ChunkedVector<uint64_t, 4, 4>>(1000);
  checkAppendNeverMoves<ChunkedVector<uint64_t, 12, 2>>(20000);
  checkAppendNeverMoves<ChunkedVector<uint64_t, 3, 0>>(100);
}

TEST_CASE(
    "insert, erase, pop_back and sorted search behave as on a std::vector, across chunk "
    "boundaries") {
  std::mt19937 random(17);
  ChunkedVector<uint32_t, 5, 1> v;  // small chunks, so that shifts cross many of them
  std::vector<uint32_t> reference;
  for (int round = 0; round < 20000; ++round) {
    uint32_t value = random() % 5000;
    switch (random() % 6) {
      case 0:
      case 1:
        v.push_back(value);
        reference.push_back(value);
        break;
      case 2:
      case 3: {
        size_t at = reference.empty() ? 0 : random() % (reference.size() + 1);
        v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), value);
        reference.insert(reference.begin() + static_cast<std::ptrdiff_t>(at), value);
        break;
      }
      case 4:
        if (!reference.empty()) {
          size_t at = random() % reference.size();
          v.erase(v.begin() + static_cast<std::ptrdiff_t>(at));
          reference.erase(reference.begin() + static_cast<std::ptrdiff_t>(at));
        }
        break;
      default:
        if (!reference.empty()) {
          v.pop_back();
          reference.pop_back();
        }
    }
    REQUIRE(v.size() == reference.size());
  }
  REQUIRE(std::equal(v.begin(), v.end(), reference.begin(), reference.end()));

  std::sort(v.begin(), v.end());
  std::sort(reference.begin(), reference.end());
  REQUIRE(std::equal(v.begin(), v.end(), reference.begin(), reference.end()));
  const auto& cv = v;
  for (uint32_t probe : {0u, 17u, 2500u, 4999u, 6000u}) {
    CHECK(std::lower_bound(cv.begin(), cv.end(), probe) - cv.begin() ==
          std::lower_bound(reference.begin(), reference.end(), probe) - reference.begin());
    CHECK(std::upper_bound(v.begin(), v.end(), probe) - v.begin() ==
          std::upper_bound(reference.begin(), reference.end(), probe) - reference.begin());
  }
}

TEST_CASE("every element is destroyed once: on pop_back, erase, clear and destruction") {
  Counted::live = 0;
  {
    ChunkedVector<Counted, 3, 1> v;
    for (int i = 0; i < 100; ++i) v.emplace_back(std::to_string(i));
    CHECK(Counted::live == 100);
    v.pop_back();
    v.erase(v.begin() + 10);
    v.insert(v.begin() + 5, Counted("new"));
    CHECK(Counted::live == 99);
    CHECK(v[5].text == "new");
    CHECK(v[10].text == "9");  // 0..4, new, 5..9, 11.. ("10" erased)
    CHECK(v[11].text == "11");
    CHECK(v.back().text == "98");
    ChunkedVector<Counted, 3, 1> moved = std::move(v);
    CHECK(v.empty());
    CHECK(moved.size() == 99);
    CHECK(Counted::live == 99);
  }
  CHECK(Counted::live == 0);
}
