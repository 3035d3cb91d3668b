// The JSON documents of the client's --json and of the front-end's HTTP API (DESIGN.md §2, §6),
// written with RapidJSON's Writer. Keys are the CSV column names; a price is a string ("7.85") so
// that no float ever touches money.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schema/answers/front-end-values.h"
#include "schema/just-hungry.capnp.h"
#include "schema/orders/order.h"

namespace jh {

// {"order_id", "user_code", "item", "price", "time_stamp", "post_code", "area", "status",
// "origin", "incarnation", "seq"}, and "conflict": true on a later order under a key in use
std::string orderJson(const OrderRecord& order);
// {"orders": [order…]}
std::string ordersJson(const std::vector<OrderRecord>& orders);
// One page as the primary sent it: {"orders": [order…], "next_cursor"} ("" on the last page);
// `page` must hold orders, not a rejection.
std::string ordersPageJson(rpc::OrdersResult::Reader page);
// {"items": [{"item", "price"}…]}
std::string menuJson(const std::vector<MenuEntry>& items);
// {"motd"}
std::string motdJson(const std::string& motd);
// {"post_code", "area", "verified"}
std::string postcodeJson(const PostcodeInfo& info);
// {"frontend", "primary", "replicas": [{"name", "address", "state", "role", "last_seen_ms_ago",
// "lag", "order_count", "row_count", "fetched", "content_differs", "diverged"}…], "heartbeat_ms",
// "postcode_services": [{"url", "state", "retry_in_ms", "requests", "failures"}…], "cache_hits",
// "cache_misses", "when_unreachable", "orders_placed", "orders_failed", "last_event"}
std::string statusJson(const ClusterStatus& status);
// {"id", "at_ms", "kind" ("replica-down", "promoted"…), "replica", "count", "message"}
std::string eventJson(const ClusterEvent& event);
// {"events": [event…]}
std::string eventsJson(const std::vector<ClusterEvent>& events);
// {"rejected": {"code": "UNKNOWN_ITEM", "message"}}: refused by the service, or by the client
// before asking it (a bad user code), or UNAVAILABLE when no front-end answered.
std::string rejectionJson(const Rejection& rejection);
// The same for a refusal that has no code in the schema (the HTTP door's own: "NOT_FOUND"…).
std::string rejectionJson(std::string_view code, std::string_view message);
// {"error": {"code", "message"}}: the command line or the cluster file is wrong (exit code 2).
std::string errorJson(std::string_view code, std::string_view message);

}  // namespace jh
