// The JSON documents of jh-client --json and the HTTP API: their keys, money as strings, and
// escaping that round-trips.
#include <doctest/doctest.h>

#include <capnp/message.h>

#include "schema/answers/json-output.h"
#include "tests/schema/parse-json.h"
#include "tests/schema/sample-order.h"

namespace jh::test {

TEST_CASE("an order's JSON has the CSV column names, the price as a string and seq as a number") {
  auto doc = parseJson(orderJson(sampleOrder()));
  std::vector<std::string> keys;
  for (auto& m : doc.GetObject()) keys.push_back(m.name.GetString());
  CHECK(keys == std::vector<std::string>{"order_id", "user_code", "item", "price", "time_stamp",
                                         "post_code", "area", "status", "origin", "incarnation",
                                         "seq"});
  CHECK(std::string(doc["price"].GetString()) == "11.85");
  CHECK(doc["seq"].GetUint64() == 42);
}

TEST_CASE(
    "JSON escaping round-trips quotes, commas, apostrophes, control characters and "
    "non-ASCII text") {
  OrderRecord o = sampleOrder();
  o.userCode = "ann,\"o'hara\"";
  o.item = "Crème brûlée \\ 🍮\ttab";
  o.area = std::string("nul\0inside", 10);
  auto doc = parseJson(orderJson(o));
  CHECK(std::string(doc["user_code"].GetString()) == o.userCode);
  CHECK(std::string(doc["item"].GetString()) == o.item);
  CHECK(std::string(doc["area"].GetString(), doc["area"].GetStringLength()) == o.area);
}

TEST_CASE("menu prices are strings with two decimals") {
  CHECK(menuJson({{"Chips", 250}, {"Water", 0}}) ==
        R"({"items":[{"item":"Chips","price":"2.50"},{"item":"Water","price":"0.00"}]})");
}

TEST_CASE("orders, motd and postcode documents have the agreed shapes") {
  CHECK(ordersJson({}) == R"({"orders":[]})");
  auto doc = parseJson(ordersJson({sampleOrder(), sampleOrder()}));
  CHECK(doc["orders"].Size() == 2);
  CHECK(motdJson("Hello\n") == R"({"motd":"Hello\n"})");
  CHECK(postcodeJson({"SW1A 1AA", "unverified", false}) ==
        R"({"post_code":"SW1A 1AA","area":"unverified","verified":false})");
}

TEST_CASE("a rejection carries the schema's code name and the message") {
  CHECK(rejectionJson({rpc::RejectCode::POSTCODE_NOT_FOUND, "Not found."}) ==
        R"({"rejected":{"code":"POSTCODE_NOT_FOUND","message":"Not found."}})");
  CHECK(errorJson("USAGE", "Unknown command 'x'.") ==
        R"({"error":{"code":"USAGE","message":"Unknown command 'x'."}})");
}

TEST_CASE("status JSON lists every replica with its role, and the postcode services") {
  ClusterStatus s;
  s.frontend = "just.hungry";
  s.primary = "replica.server1";
  s.replicas.push_back({"replica.server1", "127.0.0.1:9001", "READY", "primary", 5, 0, 10, false});
  s.replicas.push_back({"replica.server3", "127.0.0.1:9003", "DOWN", "down", -1, 3, 7, true});
  s.heartbeatMs = 500;
  s.postcodeServices.push_back({"https://api.postcodes.io", "failing", 900, 12, 4});
  s.cacheHits = 9;
  s.cacheMisses = 2;
  s.whenUnreachable = "accept";
  auto doc = parseJson(statusJson(s));
  CHECK(std::string(doc["frontend"].GetString()) == "just.hungry");
  CHECK(std::string(doc["primary"].GetString()) == "replica.server1");
  REQUIRE(doc["replicas"].Size() == 2);
  auto& down = doc["replicas"][1];
  CHECK(std::string(down["role"].GetString()) == "down");
  CHECK(down["last_seen_ms_ago"].GetInt64() == -1);
  CHECK(down["lag"].GetUint64() == 3);
  CHECK(down["order_count"].GetUint64() == 7);
  CHECK(down["content_differs"].GetBool());
  CHECK(doc["heartbeat_ms"].GetUint() == 500);
  CHECK(std::string(doc["postcode_services"][0]["state"].GetString()) == "failing");
  CHECK(doc["postcode_services"][0]["retry_in_ms"].GetInt64() == 900);
  CHECK(doc["cache_hits"].GetUint64() == 9);
  CHECK(doc["cache_misses"].GetUint64() == 2);
  CHECK(std::string(doc["when_unreachable"].GetString()) == "accept");
}

}  // namespace jh::test

namespace jh::test {

TEST_CASE(
    "a page of orders as the primary sent it has next_cursor, and conflict only where it is true") {
  capnp::MallocMessageBuilder message;
  auto page = message.initRoot<rpc::OrdersResult>();
  auto list = page.initOrders(2);
  OrderRecord plain = sampleOrder();
  toWire(plain, list[0]);
  toWire(plain, list[1]);
  list[1].setConflict(true);
  page.setNextCursor("c-7");
  auto doc = parseJson(ordersPageJson(page.asReader()));
  REQUIRE(doc["orders"].Size() == 2);
  CHECK(std::string(doc["orders"][0]["price"].GetString()) == "11.85");
  CHECK_FALSE(doc["orders"][0].HasMember("conflict"));
  CHECK(doc["orders"][1]["conflict"].GetBool());
  CHECK(std::string(doc["next_cursor"].GetString()) == "c-7");
  CHECK(parseJson(orderJson(plain)) == doc["orders"][0]);
}

TEST_CASE("events name their kind in words, status carries the counters the live view reads") {
  std::vector<ClusterEvent> events = {{3, 1700000000123, rpc::EventKind::PROMOTED,
                                       "replica.server2", 4,
                                       "replica.server2 is now the primary."}};
  auto doc = parseJson(eventsJson(events));
  REQUIRE(doc["events"].Size() == 1);
  CHECK(doc["events"][0]["id"].GetUint64() == 3);
  CHECK(doc["events"][0]["at_ms"].GetInt64() == 1700000000123);
  CHECK(std::string(doc["events"][0]["kind"].GetString()) == "promoted");
  CHECK(std::string(doc["events"][0]["replica"].GetString()) == "replica.server2");
  CHECK(doc["events"][0]["count"].GetUint64() == 4);
  ClusterStatus s;
  s.ordersPlaced = 12;
  s.ordersFailed = 2;
  s.lastEvent = 3;
  auto status = parseJson(statusJson(s));
  CHECK(status["orders_placed"].GetUint64() == 12);
  CHECK(status["orders_failed"].GetUint64() == 2);
  CHECK(status["last_event"].GetUint64() == 3);
}

}  // namespace jh::test
