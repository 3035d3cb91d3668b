// Version vectors: comparison, lag, totals, wire form and text.
#include <doctest/doctest.h>

#include <string>

#include <capnp/message.h>

#include "schema/version-vector.h"
#include "tests/schema/sample-order.h"

using jh::VersionVector;
using jh::test::vectorOf;

TEST_CASE("a vector covers another when it holds at least as much from every origin") {
  auto a = vectorOf({{"r1", 5}, {"r2", 3}});
  CHECK(a.covers(vectorOf({{"r1", 5}, {"r2", 3}})));
  CHECK(a.covers(vectorOf({{"r1", 4}})));
  CHECK(a.covers(VersionVector{}));
  CHECK_FALSE(a.covers(vectorOf({{"r1", 6}})));
  CHECK_FALSE(a.covers(vectorOf({{"r3", 1}})));
  CHECK_FALSE(VersionVector{}.covers(a));
  CHECK(a.covers(vectorOf({{"r3", 0}})));  // holding nothing from r3 is covered by anyone
}

TEST_CASE("lagBehind counts the orders this vector lacks, ignoring where it is ahead") {
  auto mine = vectorOf({{"r1", 5}, {"r2", 9}});
  auto theirs = vectorOf({{"r1", 8}, {"r2", 2}, {"r3", 4}});
  CHECK(mine.lagBehind(theirs) == 3 + 0 + 4);
  CHECK(theirs.lagBehind(mine) == 7);
  CHECK(mine.lagBehind(mine) == 0);
  CHECK(VersionVector{}.lagBehind(mine) == 14);
}

TEST_CASE("total adds every origin's seq and get gives 0 for an unknown origin") {
  auto v = vectorOf({{"r1", 5}, {"r2", 9}});
  CHECK(v.total() == 14);
  CHECK(VersionVector{}.total() == 0);
  CHECK(v.get("r2") == 9);
  CHECK(v.get("nobody") == 0);
  v.set("r2", 10);
  CHECK(v.get("r2") == 10);
  CHECK(v.total() == 15);
}

TEST_CASE("a vector survives the wire form round trip, large seqs and odd names included") {
  auto v = vectorOf({{"replica.server1", 12}, {"r,2 \"x\"", 18'000'000'000'000'000'000ull}, {"r3", 1}});
  capnp::MallocMessageBuilder message;
  auto health = message.initRoot<jh::rpc::Health>();
  v.fill([&](unsigned n) { return health.initVector(n); });
  CHECK(health.asReader().getVector().size() == 3);
  auto back = VersionVector::fromWire(health.asReader().getVector());
  CHECK(back == v);
  CHECK(back.entries().size() == 3);

  capnp::MallocMessageBuilder empty;
  auto none = empty.initRoot<jh::rpc::Health>();
  VersionVector{}.fill([&](unsigned n) { return none.initVector(n); });
  CHECK(VersionVector::fromWire(none.asReader().getVector()) == VersionVector{});
}

TEST_CASE("toString lists origin:seq in name order, or (empty)") {
  CHECK(vectorOf({{"replica.server2", 3}, {"replica.server1", 12}}).toString() ==
        "replica.server1:12 replica.server2:3");
  CHECK(VersionVector{}.toString() == "(empty)");
}
