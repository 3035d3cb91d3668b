// The client's --json documents (DESIGN.md §2), written with RapidJSON's Writer. Keys are the CSV
// column names; a price is a string ("7.85") so that no float ever touches money.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "client/front-end-api.h"

namespace jh::client {

// {"order_id", "user_code", "item", "price", "time_stamp", "post_code", "area", "status",
// "origin", "seq"}
std::string orderJson(const OrderRecord& order);
// {"orders": [order…]}
std::string ordersJson(const std::vector<OrderRecord>& orders);
// {"items": [{"item", "price"}…]}
std::string menuJson(const std::vector<MenuEntry>& items);
// {"motd"}
std::string motdJson(const std::string& motd);
// {"post_code", "area", "verified"}
std::string postcodeJson(const PostcodeInfo& info);
// {"frontend", "primary", "replicas": [{"name", "address", "state", "role", "last_seen_ms_ago",
// "lag", "order_count", "content_differs"}…], "heartbeat_ms", "postcode_services": [{"url",
// "state", "retry_in_ms", "requests", "failures"}…], "cache_hits", "cache_misses",
// "when_unreachable", "orders_placed", "orders_failed", "last_event"}
std::string statusJson(const ClusterStatus& status);
// {"id", "at_ms", "kind" ("replica-down", "promoted"…), "replica", "count", "message"}
std::string eventJson(const TimelineEvent& event);
// {"events": [event…]}
std::string eventsJson(const std::vector<TimelineEvent>& events);
// {"rejected": {"code": "UNKNOWN_ITEM", "message"}}: refused by the service, or by the client
// before asking it (a bad user code), or UNAVAILABLE when no front-end answered.
std::string rejectionJson(const Rejection& rejection);
// {"error": {"code", "message"}}: the command line or the cluster file is wrong (exit code 2).
std::string errorJson(std::string_view code, std::string_view message);

}  // namespace jh::client
