// Version vectors: comparison, lag, totals, wire form and text.
#include <doctest/doctest.h>

#include <string>

#include <capnp/message.h>

#include "schema/orders/version-vector.h"
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

TEST_CASE("total adds every origin incarnation's seq and get gives 0 for an unknown one") {
  auto v = vectorOf({{"r1", 5}, {"r2", 9}});
  CHECK(v.total() == 14);
  CHECK(VersionVector{}.total() == 0);
  CHECK(v.get("r2", 7) == 9);
  CHECK(v.get("r2", 8) == 0);  // another incarnation of r2 holds nothing yet
  CHECK(v.get("nobody", 7) == 0);
  v.set("r2", 7, 10);
  v.set("r2", 8, 1);
  CHECK(v.get("r2", 7) == 10);
  CHECK(v.get(jh::OriginIncarnation{"r2", 8}) == 1);
  CHECK(v.total() == 16);
}

TEST_CASE("incarnations of one origin are separate entries: one does not cover another") {
  auto before = vectorOf({{"r1#1", 40}});
  auto after = vectorOf({{"r1#2", 3}});
  CHECK_FALSE(before.covers(after));
  CHECK_FALSE(after.covers(before));
  CHECK(after.lagBehind(before) == 40);
  CHECK(vectorOf({{"r1#1", 40}, {"r1#2", 3}}).covers(after));
}

TEST_CASE(
    "a vector survives the wire form round trip, large seqs, odd names and many incarnations "
    "included") {
  auto v = vectorOf({{"replica.server1", 12},
                     {"r,2 \"x\"", 18'000'000'000'000'000'000ull},
                     {"r3", 1},
                     {"replica.server1#0", 4},
                     {"replica.server1#1733412345678901", 2}});
  capnp::MallocMessageBuilder message;
  auto health = message.initRoot<jh::rpc::Health>();
  jh::IncarnationDigests digests{{{"replica.server1", 0}, 11}, {{"r3", 7}, 33}};
  v.fill([&](unsigned n) { return health.initVector(n); }, &digests);
  CHECK(health.asReader().getVector().size() ==
        3);  // one wire entry per origin, however many incarnations
  jh::IncarnationDigests back;
  CHECK(VersionVector::fromWire(health.asReader().getVector(), &back) == v);
  CHECK(back.at({"replica.server1", 0}) == 11);
  CHECK(back.at({"r3", 7}) == 33);
  CHECK(back.at({"replica.server1", 7}) == 0);  // none given: 0
  CHECK(VersionVector::fromWire(health.asReader().getVector()).entries().size() == 5);

  capnp::MallocMessageBuilder empty;
  auto none = empty.initRoot<jh::rpc::Health>();
  VersionVector{}.fill([&](unsigned n) { return none.initVector(n); });
  CHECK(VersionVector::fromWire(none.asReader().getVector()) == VersionVector{});
}

TEST_CASE("toString lists origin#incarnation:seq in name order, incarnation 0 bare, or (empty)") {
  CHECK(vectorOf({{"replica.server2#0", 3}, {"replica.server1", 12}}).toString() ==
        "replica.server1#7:12 replica.server2:3");
  CHECK(VersionVector{}.toString() == "(empty)");
}
