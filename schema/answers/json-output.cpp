// The one place where JSON is written.
#include "schema/answers/json-output.h"

#include <kj/debug.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "schema/answers/event-kind.h"
#include "schema/orders/money.h"

namespace jh {

namespace {

// A Writer that takes std::string_view, so that no text is cut at a NUL or measured twice.
class JsonOut {
 public:
  JsonOut() : writer_(buffer_) {}

  JsonOut& key(std::string_view k) {
    writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    return *this;
  }
  JsonOut& string(std::string_view v) {
    writer_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    return *this;
  }
  JsonOut& number(uint64_t v) {
    writer_.Uint64(v);
    return *this;
  }
  JsonOut& number(int64_t v) {
    writer_.Int64(v);
    return *this;
  }
  JsonOut& boolean(bool v) {
    writer_.Bool(v);
    return *this;
  }
  JsonOut& beginObject() {
    writer_.StartObject();
    return *this;
  }
  JsonOut& endObject() {
    writer_.EndObject();
    return *this;
  }
  JsonOut& beginArray() {
    writer_.StartArray();
    return *this;
  }
  JsonOut& endArray() {
    writer_.EndArray();
    return *this;
  }

  std::string done() {
    KJ_ASSERT(writer_.IsComplete(), "unbalanced JSON document");
    return std::string(buffer_.GetString(), buffer_.GetSize());
  }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

void writeOrder(JsonOut& j, const OrderView& o, bool conflict) {
  j.beginObject();
  j.key("order_id").string(o.orderId);
  j.key("user_code").string(o.userCode);
  j.key("item").string(o.item);
  j.key("price").string(formatPrice(o.pricePence));
  j.key("time_stamp").string(o.timeStamp);
  j.key("post_code").string(o.postCode);
  j.key("area").string(o.area);
  j.key("status").string(o.status);
  j.key("origin").string(o.origin);
  j.key("incarnation").number(o.incarnation);
  j.key("seq").number(o.seq);
  if (conflict) j.key("conflict").boolean(true);
  j.endObject();
}

void writeOrder(JsonOut& j, const OrderRecord& o) { writeOrder(j, o.view(), o.conflict); }

std::string_view view(capnp::Text::Reader t) { return {t.begin(), t.size()}; }

// The order's text as it lies in the message: nothing is copied.
OrderView wireView(rpc::Order::Reader o) {
  return {view(o.getOrderId()),   view(o.getUserCode()), view(o.getItem()), o.getPricePence(),
          view(o.getTimeStamp()), view(o.getPostCode()), view(o.getArea()), view(o.getStatus()),
          view(o.getOrigin()),    o.getIncarnation(),    o.getSeq()};
}

void writeEvent(JsonOut& j, const ClusterEvent& e) {
  j.beginObject();
  j.key("id").number(e.id);
  j.key("at_ms").number(e.atMs);
  j.key("kind").string(eventKindName(e.kind));
  j.key("replica").string(e.replica);
  j.key("count").number(e.count);
  j.key("message").string(e.message);
  j.endObject();
}

void writeCodeAndMessage(JsonOut& j, std::string_view wrapper, std::string_view code,
                         std::string_view message) {
  j.beginObject().key(wrapper).beginObject();
  j.key("code").string(code);
  j.key("message").string(message);
  j.endObject().endObject();
}

}  // namespace

std::string orderJson(const OrderRecord& order) {
  JsonOut j;
  writeOrder(j, order);
  return j.done();
}

std::string ordersJson(const std::vector<OrderRecord>& orders) {
  JsonOut j;
  j.beginObject().key("orders").beginArray();
  for (auto& o : orders) writeOrder(j, o);
  j.endArray().endObject();
  return j.done();
}

std::string ordersPageJson(rpc::OrdersResult::Reader page) {
  KJ_REQUIRE(page.isOrders(), "a rejection is not a page of orders");
  JsonOut j;
  j.beginObject().key("orders").beginArray();
  for (auto o : page.getOrders()) writeOrder(j, wireView(o), o.getConflict());
  j.endArray();
  j.key("next_cursor").string(view(page.getNextCursor()));
  j.endObject();
  return j.done();
}

std::string menuJson(const std::vector<MenuEntry>& items) {
  JsonOut j;
  j.beginObject().key("items").beginArray();
  for (auto& i : items) {
    j.beginObject();
    j.key("item").string(i.item);
    j.key("price").string(formatPrice(i.pricePence));
    j.endObject();
  }
  j.endArray().endObject();
  return j.done();
}

std::string motdJson(const std::string& motd) {
  JsonOut j;
  j.beginObject().key("motd").string(motd).endObject();
  return j.done();
}

std::string postcodeJson(const PostcodeInfo& info) {
  JsonOut j;
  j.beginObject();
  j.key("post_code").string(info.postCode);
  j.key("area").string(info.area);
  j.key("verified").boolean(info.verified);
  j.endObject();
  return j.done();
}

std::string statusJson(const ClusterStatus& s) {
  JsonOut j;
  j.beginObject();
  j.key("frontend").string(s.frontend);
  j.key("primary").string(s.primary);
  j.key("replicas").beginArray();
  for (auto& r : s.replicas) {
    j.beginObject();
    j.key("name").string(r.name);
    j.key("address").string(r.address);
    j.key("state").string(r.state);
    j.key("role").string(r.role);
    j.key("last_seen_ms_ago").number(r.lastSeenMsAgo);
    j.key("lag").number(r.lag);
    j.key("order_count").number(r.orderCount);
    j.key("row_count").number(r.rowCount);
    j.key("fetched").number(r.fetched);
    j.key("content_differs").boolean(r.contentDiffers);
    j.key("diverged").boolean(r.diverged);
    j.endObject();
  }
  j.endArray();
  j.key("heartbeat_ms").number(uint64_t(s.heartbeatMs));
  j.key("postcode_services").beginArray();
  for (auto& p : s.postcodeServices) {
    j.beginObject();
    j.key("url").string(p.url);
    j.key("state").string(p.state);
    j.key("retry_in_ms").number(p.retryInMs);
    j.key("requests").number(p.requests);
    j.key("failures").number(p.failures);
    j.endObject();
  }
  j.endArray();
  j.key("cache_hits").number(s.cacheHits);
  j.key("cache_misses").number(s.cacheMisses);
  j.key("when_unreachable").string(s.whenUnreachable);
  j.key("orders_placed").number(s.ordersPlaced);
  j.key("orders_failed").number(s.ordersFailed);
  j.key("last_event").number(s.lastEvent);
  j.endObject();
  return j.done();
}

std::string eventJson(const ClusterEvent& event) {
  JsonOut j;
  writeEvent(j, event);
  return j.done();
}

std::string eventsJson(const std::vector<ClusterEvent>& events) {
  JsonOut j;
  j.beginObject().key("events").beginArray();
  for (auto& e : events) writeEvent(j, e);
  j.endArray().endObject();
  return j.done();
}

std::string rejectionJson(const Rejection& rejection) {
  JsonOut j;
  writeCodeAndMessage(j, "rejected", rejectCodeName(rejection.code), rejection.message);
  return j.done();
}

std::string rejectionJson(std::string_view code, std::string_view message) {
  JsonOut j;
  writeCodeAndMessage(j, "rejected", code, message);
  return j.done();
}

std::string errorJson(std::string_view code, std::string_view message) {
  JsonOut j;
  writeCodeAndMessage(j, "error", code, message);
  return j.done();
}

}  // namespace jh
