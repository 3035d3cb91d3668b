// The in-memory store: the gap rule, look-ups, which copy of a twice-stored order reads show,
// and what a peer lacks.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <kj/exception.h>

#include "replica/order-store.h"
#include "tests/schema/sample-order.h"

using jh::OrderRecord;
using jh::OrderStore;
using jh::VersionVector;
using jh::test::sampleOrder;
using jh::test::vectorOf;

namespace {

OrderRecord order(const std::string& id, const std::string& origin, uint64_t seq,
                  const std::string& user = "ann", const std::string& time = "2026-11-21T22:31:05.123Z") {
  OrderRecord o = sampleOrder(id, origin, seq);
  o.userCode = user;
  o.timeStamp = time;
  return o;
}

std::vector<std::string> idsOf(const std::vector<const jh::StoredOrder*>& orders) {
  std::vector<std::string> ids;
  for (auto* o : orders) ids.emplace_back(o->orderId());
  return ids;
}

std::vector<std::string> keysOf(const std::vector<OrderRecord>& orders) {
  std::vector<std::string> keys;
  for (auto& o : orders) keys.push_back(o.origin + ":" + std::to_string(o.seq));
  return keys;
}


}  // namespace

TEST_CASE("apply takes seq held+1 per origin and refuses a gap or a repeat with a kj exception") {
  OrderStore store;
  store.apply(order("a", "r1", 1));
  store.apply(order("b", "r2", 1));
  store.apply(order("c", "r1", 2));
  CHECK(store.held("r1") == 2);
  CHECK(store.held("r2") == 1);
  CHECK(store.held("r3") == 0);
  CHECK(store.rows() == 3);
  CHECK_THROWS_AS(store.apply(order("d", "r1", 4)), kj::Exception);
  CHECK_THROWS_AS(store.apply(order("e", "r1", 2)), kj::Exception);
  CHECK_THROWS_AS(store.apply(order("f", "r3", 2)), kj::Exception);
  CHECK_THROWS_AS(store.apply(order("g", "r3", 0)), kj::Exception);
  CHECK(store.rows() == 3);
  CHECK(store.vector() == vectorOf({{"r1", 2}, {"r2", 1}}));
  CHECK(store.vectorSnapshot() == store.vector());
  CHECK(store.find("d") == nullptr);
}

TEST_CASE("find gives the stored order by id and ordersOf lists a user's orders by time") {
  OrderStore store;
  store.apply(order("late", "r1", 1, "ann", "2026-11-21T10:00:00.000Z"));
  store.apply(order("bob's", "r1", 2, "bob", "2026-11-21T09:00:00.000Z"));
  store.apply(order("early", "r2", 1, "ann", "2026-11-21T08:00:00.000Z"));
  REQUIRE(store.find("bob's") != nullptr);
  CHECK(store.find("bob's")->userCode() == "bob");
  CHECK(store.find("nope") == nullptr);
  CHECK(idsOf(store.ordersOf("ann")) == std::vector<std::string>{"early", "late"});
  CHECK(idsOf(store.ordersOf("bob")) == std::vector<std::string>{"bob's"});
  CHECK(store.ordersOf("carol").empty());
}

TEST_CASE("two copies of one order id show the earliest copy whichever arrives first, listed once") {
  // The same order stored by r2 (earlier stamp) and r1 (a retry after failover).
  OrderRecord first = order("dup", "r2", 1, "ann", "2026-11-21T08:00:00.000Z");
  OrderRecord second = order("dup", "r1", 1, "ann", "2026-11-21T08:00:01.000Z");
  OrderRecord sameTime = order("dup", "r3", 1, "ann", "2026-11-21T08:00:00.000Z");
  for (bool earliestFirst : {true, false}) {
    CAPTURE(earliestFirst);
    OrderStore store;
    std::vector<OrderRecord> arrival = earliestFirst ? std::vector<OrderRecord>{first, second, sameTime}
                                                     : std::vector<OrderRecord>{sameTime, second, first};
    for (auto& o : arrival) store.apply(o);
    REQUIRE(store.find("dup") != nullptr);
    CHECK(store.find("dup")->record() == first);  // same time as r3's copy: origin r2 < r3 decides
    auto listed = store.ordersOf("ann");
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]->record() == first);
    CHECK(store.rows() == 3);  // every copy is kept, for replication
  }
}

TEST_CASE("copies of one order id under different users list it only under the earliest copy's user") {
  OrderRecord annCopy = order("x", "r1", 1, "ann", "2026-11-21T08:00:00.000Z");
  OrderRecord bobCopy = order("x", "r2", 1, "bob", "2026-11-21T08:00:05.000Z");
  for (bool annFirst : {true, false}) {
    CAPTURE(annFirst);
    OrderStore store;
    store.apply(annFirst ? annCopy : bobCopy);
    store.apply(annFirst ? bobCopy : annCopy);
    CHECK(idsOf(store.ordersOf("ann")) == std::vector<std::string>{"x"});
    CHECK(store.ordersOf("bob").empty());
    CHECK(store.find("x")->userCode() == "ann");
  }
}

TEST_CASE("collect returns what a peer lacks in seq order per origin") {
  OrderStore store;
  for (uint64_t s = 1; s <= 4; ++s) store.apply(order("a" + std::to_string(s), "r1", s));
  for (uint64_t s = 1; s <= 2; ++s) store.apply(order("b" + std::to_string(s), "r2", s));
  bool more = true;
  auto lacking = store.collect(vectorOf({{"r1", 2}}), 100, more);
  CHECK_FALSE(more);
  auto keys = keysOf(lacking);
  std::sort(keys.begin(), keys.end());  // origins come in any order; seqs within one in order
  CHECK(keys == std::vector<std::string>{"r1:3", "r1:4", "r2:1", "r2:2"});
  std::vector<uint64_t> r1Seqs;
  for (auto& o : lacking) {
    if (o.origin == "r1") r1Seqs.push_back(o.seq);
  }
  CHECK(r1Seqs == std::vector<uint64_t>{3, 4});
  CHECK(store.collect(vectorOf({{"r1", 4}, {"r2", 2}}), 100, more).empty());
  CHECK_FALSE(more);
  CHECK(store.collect(vectorOf({{"r1", 9}, {"r2", 5}}), 100, more).empty());  // a peer ahead lacks nothing
}

TEST_CASE("collect honours the limit and says when rows were left out") {
  OrderStore store;
  for (uint64_t s = 1; s <= 5; ++s) store.apply(order("a" + std::to_string(s), "r1", s));
  bool more = false;
  auto batch = store.collect(VersionVector{}, 2, more);
  CHECK(more);
  CHECK(keysOf(batch) == std::vector<std::string>{"r1:1", "r1:2"});
  batch = store.collect(vectorOf({{"r1", 2}}), 3, more);
  CHECK_FALSE(more);  // exactly the three that were lacking
  CHECK(keysOf(batch) == std::vector<std::string>{"r1:3", "r1:4", "r1:5"});
  batch = store.collect(VersionVector{}, 0, more);
  CHECK(batch.empty());
  CHECK(more);
}

TEST_CASE("loading at start (indexes filled some rows behind, slots prefetched) ends as applying one by one does") {
  // 60 orders of two origins over five users, with copies of one id next to each other, a few
  // rows apart and many rows apart, some under another user: every look-up must agree.
  std::vector<OrderRecord> rows;
  uint64_t seq[2] = {0, 0};
  const char* origins[2] = {"r1", "r2"};
  for (int i = 0; i < 60; ++i) {
    int o = (i / 7) % 2;
    std::string id = "id-" + std::to_string(i);
    if (i == 5 || i == 9 || i == 50) id = "id-4";   // copies 1, 5 and 46 rows after the first
    if (i == 31) id = "id-30";
    std::string user = "u" + std::to_string(i % 5);
    char time[32];
    std::snprintf(time, sizeof time, "2026-11-21T08:00:%02d.000Z", 59 - i);  // later rows earlier
    rows.push_back(order(id, origins[o], ++seq[o], user, time));
  }
  OrderStore oneByOne;
  for (auto& r : rows) oneByOne.apply(r);
  OrderStore loaded;
  loaded.reserve(rows.size());
  for (auto& r : rows) loaded.applyLoaded(r.view());
  loaded.finishLoading();

  CHECK(loaded.vector() == oneByOne.vector());
  CHECK(loaded.vector() == vectorOf({{"r1", 32}, {"r2", 28}}));
  CHECK(loaded.rows() == 60);
  for (auto& r : rows) {
    CAPTURE(r.orderId);
    REQUIRE(loaded.find(r.orderId) != nullptr);
    CHECK(loaded.find(r.orderId)->record() == oneByOne.find(r.orderId)->record());
  }
  CHECK(loaded.find("id-4")->timeStamp() == "2026-11-21T08:00:09.000Z");  // the earliest copy: row 50
  for (int u = 0; u < 5; ++u) {
    std::string user = "u" + std::to_string(u);
    CAPTURE(user);
    CHECK(idsOf(loaded.ordersOf(user)) == idsOf(oneByOne.ordersOf(user)));
  }
  bool more = false;
  CHECK(keysOf(loaded.collect(VersionVector{}, 100, more)) == keysOf(oneByOne.collect(VersionVector{}, 100, more)));
}
