// The id index while it grows a step at a time: every lookup, insert and overwrite answers as if
// it had grown in one go, and each insertion moves a bounded number of old slots.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "replica/flat-index.h"

namespace {

// Values name strings in `names`; value v + ALIAS names the same string as v, so that an
// overwrite (as the store's `*earliest = row`) can be told from the value it replaced.
constexpr uint32_t ALIAS = 1u << 24;

struct Key {
  std::string_view text;
  bool operator==(const Key&) const = default;
};

// `BITS` of the real hash are kept: with few, keys pile into long runs that wrap around the
// table's end, the hard case for probing two tables at once.
template <unsigned BITS>
struct NameOf {
  const std::vector<std::string>* names;
  Key operator()(uint32_t v) const { return {(*names)[v % ALIAS]}; }
  static size_t hash(const Key& k) {
    size_t h = std::hash<std::string_view>{}(k.text);
    return BITS >= 32 ? h : (h & ((size_t{1} << BITS) - 1)) * 0x9e3779b1u;
  }
};

std::vector<std::string> namesUpTo(size_t n) {
  std::vector<std::string> names;
  names.reserve(n);
  for (size_t i = 0; i < n; ++i) names.push_back("order-" + std::to_string(i * 7919));
  return names;
}

// Inserts names[0..n) one by one, overwriting some keys on the way, and checks all keys (and some
// absent ones) when a growth begins, 1, 2, 4, 8... insertions into it and when it has ended, and
// a few keys after every insertion. Returns how many insertions found the index growing.
template <unsigned BITS>
size_t insertAndCheck(size_t n) {
  auto names = namesUpTo(n + 50);
  jh::FlatIndex<NameOf<BITS>> index(NameOf<BITS>{&names});
  std::vector<uint32_t> expected(n);
  size_t growingSeen = 0, checks = 0;
  bool wasGrowing = false;
  size_t growthStart = 0;
  auto checkAll = [&](size_t inserted) {
    ++checks;
    for (size_t k = 0; k < inserted; ++k) {
      const uint32_t* v = index.find(Key{names[k]});
      REQUIRE(v);
      REQUIRE(*v == expected[k]);
    }
    for (size_t k = n; k < n + 50; ++k) REQUIRE(index.find(Key{names[k]}) == nullptr);
  };
  for (uint32_t i = 0; i < n; ++i) {
    auto [slot, inserted] = index.tryEmplace(i);
    REQUIRE(inserted);
    REQUIRE(*slot == i);
    expected[i] = i;
    if (i % 3 == 0) {
      // Overwrite an earlier key, found in either table.
      uint32_t k = i / 2;
      uint32_t* v = index.find(Key{names[k]});
      REQUIRE(v);
      *v = expected[k] = expected[k] >= ALIAS ? k : k + ALIAS;
    }
    // A repeat of an earlier key is not inserted and shows the stored value.
    auto [again, insertedAgain] = index.tryEmplace(i / 3 + ALIAS);
    REQUIRE_FALSE(insertedAgain);
    REQUIRE(*again == expected[i / 3]);
    if (i % 5 == 0) {
      // Overwrite through the slot an insertion returned (as the store keeps the earliest row).
      uint32_t k = i / 3;
      *again = expected[k] = expected[k] >= ALIAS ? k : k + ALIAS;
    }
    REQUIRE(index.size() == i + 1);
    if (index.growing()) {
      ++growingSeen;
      if (!wasGrowing) {
        growthStart = i;
        checkAll(i + 1);
      } else if (std::has_single_bit(i - growthStart)) {
        checkAll(i + 1);  // part way: 1, 2, 4, 8... insertions in
      }
    } else if (wasGrowing) {
      checkAll(i + 1);
    }
    wasGrowing = index.growing();
    const uint32_t* last = index.find(Key{names[i]});
    REQUIRE(last);
    REQUIRE(*last == expected[i]);
  }
  checkAll(n);
  CHECK(checks >= 1);
  return growingSeen;
}

}  // namespace

TEST_CASE("lookups, inserts and overwrites answer correctly while the index grows, at many sizes") {
  for (size_t n : {1, 2, 11, 12, 13, 100, 1000, 4097, 20000, 100000}) {
    CAPTURE(n);
    size_t growing = insertAndCheck<32>(n);
    // From 12 entries on, the index outgrows its first 16 slots while being filled.
    if (n >= 13) CHECK(growing > 0);
  }
}

TEST_CASE(
    "lookups stay correct while growing when keys pile up in runs that wrap around the table") {
  for (size_t n : {50, 300, 1000}) {
    CAPTURE(n);
    CHECK(insertAndCheck<6>(n) > 0);
  }
  for (size_t n : {3000, 30000}) {
    CAPTURE(n);
    CHECK(insertAndCheck<12>(n) > 0);
  }
}

TEST_CASE(
    "each insertion moves at most MOVE_STEP old slots, and a growth moves every entry it began "
    "with") {
  using Index = jh::FlatIndex<NameOf<32>>;
  const size_t n = 300000;
  auto names = namesUpTo(n);
  Index index(NameOf<32>{&names});
  size_t growths = 0, heldAtStart = 0, movedInGrowth = 0, mostLooked = 0, mostMoved = 0;
  for (uint32_t i = 0; i < n; ++i) {
    bool wasGrowing = index.growing();
    size_t before = index.size();
    index.tryEmplace(i);
    mostLooked = std::max(mostLooked, index.lastStep().looked);
    mostMoved = std::max(mostMoved, index.lastStep().moved);
    movedInGrowth += index.lastStep().moved;
    if (!wasGrowing && index.growing()) {
      // This insertion began a growth: everything held before it must move, a step at a time.
      CHECK(movedInGrowth == 0);
      heldAtStart = before;
    } else if (wasGrowing && !index.growing()) {
      ++growths;
      CHECK(movedInGrowth == heldAtStart);
      movedInGrowth = 0;
    }
  }
  CHECK(growths >= 10);
  CHECK(mostLooked <= Index::MOVE_STEP);
  // A constant, not a share of the index: growing in one go would look at 2^18 slots at once here.
  CHECK(mostLooked <= 64);
  CHECK(mostMoved > 0);
  CHECK(index.capacity() * 7 / 10 >= n);
}

TEST_CASE("reserve in the middle of a growth finishes it and keeps every entry") {
  const size_t n = 5000;
  auto names = namesUpTo(n);
  jh::FlatIndex<NameOf<32>> index(NameOf<32>{&names});
  uint32_t i = 0;
  while (!index.growing() || index.size() < 1000) index.tryEmplace(i++);
  index.reserve(n);
  CHECK_FALSE(index.growing());
  CHECK(index.capacity() * 7 / 10 >= n);
  for (uint32_t k = 0; k < i; ++k) {
    const uint32_t* v = index.find(Key{names[k]});
    REQUIRE(v);
    CHECK(*v == k);
  }
  size_t capacity = index.capacity();
  while (i < n) index.tryEmplace(i++);
  CHECK(index.capacity() == capacity);  // no growth after reserve
}
