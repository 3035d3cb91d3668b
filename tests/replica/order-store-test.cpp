// The in-memory store: the gap rule per origin incarnation, repeats and conflicts under one
// idempotency key, pages of a user's orders, staged rows, digests, and what a peer lacks.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include <kj/exception.h>

#include "replica/order-store.h"
#include "tests/schema/sample-order.h"

using jh::OrderRecord;
using jh::OrdersCursor;
using jh::OrderStore;
using jh::VersionVector;
using jh::test::sampleOrder;
using jh::test::vectorOf;

namespace {

OrderRecord order(const std::string& id, const std::string& origin, uint64_t seq,
                  const std::string& user = "ann",
                  const std::string& time = "2026-11-21T22:31:05.123Z", uint64_t incarnation = 7) {
  OrderRecord o = sampleOrder(id, origin, seq, incarnation);
  o.userCode = user;
  o.timeStamp = time;
  return o;
}

// The user's whole list, newest first, as "id" (or "id!" for a conflict), page by page.
std::vector<std::string> listOf(const OrderStore& store, const std::string& user,
                                size_t pageSize = 1000) {
  std::vector<std::string> ids;
  std::optional<OrdersCursor> cursor;
  for (int pages = 0; pages < 1000; ++pages) {
    auto page = store.pageOf(user, pageSize, cursor ? &*cursor : nullptr);
    for (auto& listed : page.orders)
      ids.push_back(std::string(listed.order->orderId()) + (listed.conflict ? "!" : ""));
    if (!page.next) break;
    cursor = OrdersCursor::decode(page.next->encode());
    REQUIRE(cursor);
  }
  return ids;
}

const jh::StoredOrder* repeatOf(const OrderStore& store, const OrderRecord& request) {
  bool conflicting = false;
  return store.findRepeat(request.view(), conflicting);
}

std::vector<std::string> keysOf(const std::vector<OrderRecord>& orders) {
  std::vector<std::string> keys;
  for (auto& o : orders)
    keys.push_back(o.origin + "#" + std::to_string(o.incarnation) + ":" + std::to_string(o.seq));
  return keys;
}

}  // namespace

TEST_CASE(
    "apply takes seq held+1 per origin incarnation and refuses a gap or a repeat with a kj "
    "exception") {
  OrderStore store;
  store.apply(order("a", "r1", 1));
  store.apply(order("b", "r2", 1));
  store.apply(order("c", "r1", 2));
  store.apply(order("d", "r1", 1, "ann", "2026-11-21T22:31:05.123Z",
                    8));  // a new incarnation counts from 1
  CHECK(store.held("r1", 7) == 2);
  CHECK(store.held("r1", 8) == 1);
  CHECK(store.held("r2", 7) == 1);
  CHECK(store.held("r3", 7) == 0);
  CHECK(store.rows() == 4);
  CHECK_THROWS_AS(store.apply(order("e", "r1", 4)), kj::Exception);
  CHECK_THROWS_AS(store.apply(order("f", "r1", 2)), kj::Exception);
  CHECK_THROWS_AS(store.apply(order("g", "r3", 2)), kj::Exception);
  CHECK_THROWS_AS(store.apply(order("h", "r3", 0)), kj::Exception);
  CHECK(store.rows() == 4);
  CHECK(store.vector() == vectorOf({{"r1", 2}, {"r2", 1}, {"r1#8", 1}}));
  CHECK(store.vectorSnapshot() == store.vector());
  CHECK(repeatOf(store, order("e", "r1", 4)) == nullptr);
}

TEST_CASE("a repeat is found by user and order id, the same id for another user is another order") {
  OrderStore store;
  store.apply(order("x", "r1", 1, "alice", "2026-11-21T10:00:00.000Z"));
  store.apply(
      order("x", "r2", 1, "bob", "2026-11-21T10:00:01.000Z"));  // schedule 5: one id, two users
  REQUIRE(repeatOf(store, order("x", "r9", 1, "bob")) != nullptr);
  CHECK(repeatOf(store, order("x", "r9", 1, "bob"))->userCode() == "bob");
  CHECK(repeatOf(store, order("x", "r9", 1, "alice"))->userCode() == "alice");
  CHECK(repeatOf(store, order("x", "r9", 1, "carol")) == nullptr);
  CHECK(listOf(store, "alice") == std::vector<std::string>{"x"});
  CHECK(listOf(store, "bob") == std::vector<std::string>{"x"});
  CHECK(store.orders() == 2);
}

TEST_CASE("pages list a user's orders newest first, with a cursor to the next older page") {
  OrderStore store;
  store.apply(order("late", "r1", 1, "ann", "2026-11-21T10:00:00.000Z"));
  store.apply(order("bob's", "r1", 2, "bob", "2026-11-21T09:00:00.000Z"));
  store.apply(
      order("early", "r2", 1, "ann", "2026-11-21T08:00:00.000Z"));  // arrives late, sorts early
  store.apply(order("middle", "r2", 2, "ann", "2026-11-21T09:30:00.000Z"));
  CHECK(listOf(store, "ann") == std::vector<std::string>{"late", "middle", "early"});
  CHECK(listOf(store, "ann", 1) == std::vector<std::string>{"late", "middle", "early"});
  CHECK(listOf(store, "ann", 2) == std::vector<std::string>{"late", "middle", "early"});
  auto first = store.pageOf("ann", 2, nullptr);
  REQUIRE(first.orders.size() == 2);
  REQUIRE(first.next);
  auto second = store.pageOf("ann", 2, &*first.next);
  REQUIRE(second.orders.size() == 1);
  CHECK(second.orders[0].order->orderId() == "early");
  CHECK_FALSE(second.next);
  CHECK(listOf(store, "bob") == std::vector<std::string>{"bob's"});
  CHECK(listOf(store, "carol").empty());
  CHECK_FALSE(OrdersCursor::decode("not a cursor"));
  CHECK_FALSE(OrdersCursor::decode(""));
}

TEST_CASE("two copies of one request show the earliest copy whichever arrives first, listed once") {
  // The same order stored by r2 (earlier stamp) and r1 (a retry after failover).
  OrderRecord first = order("dup", "r2", 1, "ann", "2026-11-21T08:00:00.000Z");
  OrderRecord second = order("dup", "r1", 1, "ann", "2026-11-21T08:00:01.000Z");
  OrderRecord sameTime = order("dup", "r3", 1, "ann", "2026-11-21T08:00:00.000Z");
  for (bool earliestFirst : {true, false}) {
    CAPTURE(earliestFirst);
    OrderStore store;
    std::vector<OrderRecord> arrival = earliestFirst
                                           ? std::vector<OrderRecord>{first, second, sameTime}
                                           : std::vector<OrderRecord>{sameTime, second, first};
    for (auto& o : arrival) store.apply(o);
    REQUIRE(repeatOf(store, first) != nullptr);
    CHECK(repeatOf(store, second)->record() ==
          first);  // same time as r3's copy: origin r2 < r3 decides
    auto page = store.pageOf("ann", 10, nullptr);
    REQUIRE(page.orders.size() == 1);
    CHECK(page.orders[0].order->record() == first);
    CHECK_FALSE(page.orders[0].conflict);
    CHECK(store.rows() == 3);  // every copy is kept, for replication
    CHECK(store.orders() == 1);
  }
}

TEST_CASE("two different orders under one key both stay listed, the later marked as a conflict") {
  OrderRecord pizza = order("k", "r1", 1, "ann", "2026-11-21T08:00:00.000Z");
  OrderRecord curry = order("k", "r2", 1, "ann", "2026-11-21T08:00:05.000Z");
  curry.item = "Chicken curry";
  OrderRecord curryRetry = order("k", "r3", 1, "ann", "2026-11-21T08:00:06.000Z");
  curryRetry.item = "Chicken curry";
  for (bool pizzaFirst : {true, false}) {
    CAPTURE(pizzaFirst);
    OrderStore store;
    store.apply(pizzaFirst ? pizza : curry);
    store.apply(pizzaFirst ? curry : pizza);
    store.apply(curryRetry);
    CHECK(listOf(store, "ann") == std::vector<std::string>{"k!", "k"});
    auto page = store.pageOf("ann", 10, nullptr);
    REQUIRE(page.orders.size() == 2);
    CHECK(page.orders[0].order->item() == "Chicken curry");
    CHECK(page.orders[0].order->origin() == "r2");  // the earliest copy of that request
    CHECK(store.orders() == 2);
    bool conflicting = true;
    CHECK(store.findRepeat(pizza.view(), conflicting)->record() == pizza);
    CHECK_FALSE(conflicting);
    CHECK(store.findRepeat(curryRetry.view(), conflicting)->record() == curry);
    OrderRecord soup = pizza;
    soup.item = "Soup";
    CHECK(store.findRepeat(soup.view(), conflicting) == nullptr);
    CHECK(conflicting);
  }
}

TEST_CASE("staged rows travel through collect but are not read, counted or listed until applied") {
  OrderStore store;
  store.apply(order("a", "r1", 1));
  store.stage(order("b", "r1", 2));
  store.stage(order("c", "r1", 3));
  CHECK_THROWS_AS(store.stage(order("d", "r1", 5)), kj::Exception);
  bool more = false;
  CHECK(keysOf(store.collect(VersionVector{}, 10, more, "r1", true)) ==
        std::vector<std::string>{"r1#7:1", "r1#7:2", "r1#7:3"});
  CHECK(keysOf(store.collect(vectorOf({{"r1", 2}}), 10, more, "r1", true)) ==
        std::vector<std::string>{"r1#7:3"});
  CHECK(keysOf(store.collect(VersionVector{}, 10, more)) == std::vector<std::string>{"r1#7:1"});
  CHECK(store.held("r1", 7) == 1);
  CHECK(listOf(store, "ann") == std::vector<std::string>{"a"});
  store.apply(order("b", "r1", 2));
  CHECK(store.held("r1", 7) == 2);
  CHECK(keysOf(store.collect(vectorOf({{"r1", 2}}), 10, more, "r1", true)) ==
        std::vector<std::string>{"r1#7:3"});
  store.dropStaged();
  CHECK(store.collect(vectorOf({{"r1", 2}}), 10, more, "r1", true).empty());
}

TEST_CASE(
    "digests of an incarnation agree for the same rows and differ for different rows under one "
    "name") {
  OrderStore a, b, c;
  for (auto* s : {&a, &b, &c}) s->apply(order("one", "r1", 1));
  a.apply(order("two", "r1", 2));
  b.apply(order("two", "r1", 2));
  c.apply(order("other", "r1", 2));  // the same name, (r1, 7, 2), for another order
  jh::OriginIncarnation source{"r1", 7};
  CHECK(a.digests().at(source) == b.digests().at(source));
  CHECK(a.digests().at(source) != c.digests().at(source));
  CHECK(a.vector() == c.vector());
}

TEST_CASE("collect returns what a peer lacks in seq order per origin incarnation") {
  OrderStore store;
  for (uint64_t s = 1; s <= 4; ++s) store.apply(order("a" + std::to_string(s), "r1", s));
  for (uint64_t s = 1; s <= 2; ++s) store.apply(order("b" + std::to_string(s), "r2", s));
  store.apply(order("c1", "r1", 1, "ann", "2026-11-21T22:31:05.123Z", 9));
  bool more = true;
  auto lacking = store.collect(vectorOf({{"r1", 2}}), 100, more);
  CHECK_FALSE(more);
  auto keys = keysOf(lacking);
  std::sort(keys.begin(), keys.end());  // origins come in any order; seqs within one in order
  CHECK(keys == std::vector<std::string>{"r1#7:3", "r1#7:4", "r1#9:1", "r2#7:1", "r2#7:2"});
  CHECK(keysOf(store.collect(vectorOf({{"r1", 2}}), 100, more, "r2")) ==
        std::vector<std::string>{"r2#7:1", "r2#7:2"});
  CHECK(store.collect(vectorOf({{"r1", 4}, {"r2", 2}, {"r1#9", 1}}), 100, more).empty());
  CHECK_FALSE(more);
  CHECK(store.collect(vectorOf({{"r1", 9}, {"r2", 5}, {"r1#9", 3}}), 100, more)
            .empty());  // ahead lacks nothing
}

TEST_CASE("collect honours the limit and says when rows were left out") {
  OrderStore store;
  for (uint64_t s = 1; s <= 5; ++s) store.apply(order("a" + std::to_string(s), "r1", s));
  bool more = false;
  auto batch = store.collect(VersionVector{}, 2, more);
  CHECK(more);
  CHECK(keysOf(batch) == std::vector<std::string>{"r1#7:1", "r1#7:2"});
  batch = store.collect(vectorOf({{"r1", 2}}), 3, more);
  CHECK_FALSE(more);  // exactly the three that were lacking
  CHECK(keysOf(batch) == std::vector<std::string>{"r1#7:3", "r1#7:4", "r1#7:5"});
  batch = store.collect(VersionVector{}, 0, more);
  CHECK(batch.empty());
  CHECK(more);
}

TEST_CASE(
    "loading at start (indexes filled some rows behind, slots prefetched) ends as applying one by "
    "one does") {
  // 60 orders of two origins over five users, with copies of one id next to each other, a few
  // rows apart and many rows apart, and a conflicting request: every look-up must agree.
  std::vector<OrderRecord> rows;
  uint64_t seq[2] = {0, 0};
  const char* origins[2] = {"r1", "r2"};
  for (int i = 0; i < 60; ++i) {
    int o = (i / 7) % 2;
    std::string id = "id-" + std::to_string(i);
    std::string user = "u" + std::to_string(i % 5);
    if (i == 5 || i == 9 || i == 50) id = "id-4";  // copies 1, 5 and 46 rows after the first
    if (i == 5 || i == 9 || i == 50) user = "u4";
    if (i == 31) id = "id-30";
    char time[32];
    std::snprintf(time, sizeof time, "2026-11-21T08:00:%02d.000Z", 59 - i);  // later rows earlier
    rows.push_back(order(id, origins[o], ++seq[o], user, time));
    if (i == 31) rows.back().item = "Another dish";  // id-30 of u1 and u0: different users anyway
    if (i == 9) rows.back().item = "Another dish";   // a conflict under (u4, id-4)
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
  CHECK(loaded.orders() == oneByOne.orders());
  CHECK(loaded.digests() == oneByOne.digests());
  for (auto& r : rows) {
    CAPTURE(r.orderId);
    REQUIRE(repeatOf(loaded, r) != nullptr);
    CHECK(repeatOf(loaded, r)->record() == repeatOf(oneByOne, r)->record());
  }
  CHECK(repeatOf(loaded, rows[50])->timeStamp() ==
        "2026-11-21T08:00:09.000Z");  // the earliest copy: row 50
  for (int u = 0; u < 5; ++u) {
    std::string user = "u" + std::to_string(u);
    CAPTURE(user);
    CHECK(listOf(loaded, user) == listOf(oneByOne, user));
    CHECK(listOf(loaded, user, 3) == listOf(oneByOne, user));
  }
  auto u4 = listOf(loaded, "u4");
  CHECK(std::count(u4.begin(), u4.end(), "id-4!") == 1);
  bool more = false;
  CHECK(keysOf(loaded.collect(VersionVector{}, 100, more)) ==
        keysOf(oneByOne.collect(VersionVector{}, 100, more)));
}

TEST_CASE(
    "stored orders keep their addresses while the store grows, and a user's long list stays in "
    "precedence order") {
  OrderStore store;
  // Orders mostly in time order, some arriving late (listed by insertion into the middle).
  auto timeOf = [](uint64_t i) {
    uint64_t ms = (i % 10 == 9) ? i * 10 - 75 : i * 10;
    char text[32];
    snprintf(text, sizeof text, "2026-11-21T%02u:%02u:%02u.%03uZ", unsigned(ms / 3600000),
             unsigned(ms / 60000 % 60), unsigned(ms / 1000 % 60), unsigned(ms % 1000));
    return std::string(text);
  };
  const uint64_t n = 30000;
  std::vector<OrderRecord> orders;
  std::vector<const jh::StoredOrder*> addresses;
  for (uint64_t i = 0; i < n; ++i) {
    orders.push_back(order("id-" + std::to_string(i), "r1", i + 1, "ann", timeOf(i + 10)));
    store.apply(orders.back());
    addresses.push_back(repeatOf(store, orders.back()));
    REQUIRE(addresses.back());
  }
  for (uint64_t i = 0; i < n; ++i) REQUIRE(repeatOf(store, orders[i]) == addresses[i]);
  std::vector<OrderRecord> byTime = orders;
  std::stable_sort(byTime.begin(), byTime.end(), [](const OrderRecord& a, const OrderRecord& b) {
    return std::tie(a.timeStamp, a.seq) > std::tie(b.timeStamp, b.seq);
  });
  std::vector<std::string> expected;
  for (auto& o : byTime) expected.push_back(o.orderId);
  CHECK(listOf(store, "ann", 997) == expected);
  CHECK(store.orders() == n);
}
