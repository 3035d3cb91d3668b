// An order as plain C++ (OrderRecord owns its text, OrderView views text kept elsewhere), its CSV
// row and its wire form, and the checks that every part applies to what a user may type.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/just-hungry.capnp.h"

namespace jh {

constexpr size_t MAX_USER_CODE = 64;              // characters (code points), DESIGN.md §3
constexpr size_t MAX_ORDER_ID = 64;               // bytes
constexpr size_t MAX_ITEM = 200;                  // bytes
constexpr size_t MAX_AREA = 200;                  // characters
constexpr int64_t MAX_PRICE_PENCE = 100'000'000;  // £1,000,000: no dish costs more
// A page of a user's orders (getOrders): the default, and the most one page holds.
constexpr uint32_t DEFAULT_ORDERS_PAGE = 100;
constexpr uint32_t MAX_ORDERS_PAGE = 1000;
constexpr std::string_view STATUS_CONFIRMED = "CONFIRMED";
// How reads show a stored order that fewer backups hold than min_acks asks for (DESIGN.md §4).
constexpr std::string_view STATUS_PENDING = "PENDING";
constexpr std::string_view AREA_UNVERIFIED = "unverified";

struct OrderRecord;

// An order's fields as views of text kept elsewhere (a CSV buffer, a stored row, a record).
struct OrderView {
  std::string_view orderId;
  std::string_view userCode;
  std::string_view item;
  int64_t pricePence = 0;
  std::string_view timeStamp;
  std::string_view postCode;
  std::string_view area;
  std::string_view status;
  std::string_view origin;
  uint64_t incarnation = 0;
  uint64_t seq = 0;

  OrderRecord record() const;
  // The idempotency key is (user_code, order_id): a repeat carries the same key.
  bool sameKey(const OrderView& other) const {
    return orderId == other.orderId && userCode == other.userCode;
  }
  // Whether an order under the same key asks for the same thing (else the two conflict).
  bool sameRequest(const OrderView& other) const {
    return userCode == other.userCode && item == other.item && postCode == other.postCode;
  }
};

struct OrderRecord {
  std::string orderId;
  std::string userCode;
  std::string item;
  int64_t pricePence = 0;
  std::string timeStamp;
  std::string postCode;
  std::string area;
  std::string status;
  std::string origin;
  uint64_t incarnation = 0;
  uint64_t seq = 0;
  // In reads only (never stored): a different order was acknowledged earlier under this key.
  bool conflict = false;

  OrderView view() const {
    return {orderId, userCode, item,   pricePence,  timeStamp, postCode,
            area,    status,   origin, incarnation, seq};
  }
  // Whether a repeated placeOrder asks for the same thing as this stored order.
  bool sameRequest(const OrderView& other) const { return view().sameRequest(other); }
  bool sameRequest(const OrderRecord& other) const { return sameRequest(other.view()); }
  bool operator==(const OrderRecord&) const = default;
};

inline OrderRecord OrderView::record() const {
  return {std::string(orderId),
          std::string(userCode),
          std::string(item),
          pricePence,
          std::string(timeStamp),
          std::string(postCode),
          std::string(area),
          std::string(status),
          std::string(origin),
          incarnation,
          seq,
          false};
}

// The header of orders.csv, in column order.
const std::vector<std::string_view>& orderCsvHeader();
// The header of files written before incarnations: rows without the incarnation column, read as
// incarnation 0. Such a file keeps its header and rows; rows appended to it have the column.
const std::vector<std::string_view>& orderCsvHeaderBeforeIncarnations();

// Appends the order as one CSV record (CRLF-terminated).
void appendOrderCsv(std::string& out, const OrderRecord& order);

// Reads an order from one CSV record's fields (the view's text is theirs): 11 fields, or the 10
// of a row written before incarnations (incarnation 0). On failure returns nullopt and sets
// `error`.
std::optional<OrderView> orderFromCsv(const std::vector<std::string_view>& fields,
                                      std::string& error);
std::optional<OrderRecord> orderFromCsv(const std::vector<std::string>& fields, std::string& error);

// The stored order; a read sets `status` (PENDING) and `conflict` on the builder afterwards.
void toWire(const OrderView& order, rpc::Order::Builder out);
inline void toWire(const OrderRecord& order, rpc::Order::Builder out) { toWire(order.view(), out); }
OrderRecord fromWire(rpc::Order::Reader in);

// Upper bound of the words one order takes on the wire (struct, text, one result wrapper), for
// Cap'n Proto size hints: a message whose hint fits is built in one small segment instead of the
// default 8 KiB one that capnp otherwise calloc()s for every call and every reply.
uint64_t orderWireWords(const OrderView& order);
inline uint64_t orderWireWords(const OrderRecord& order) { return orderWireWords(order.view()); }
// A message holding a list of orders, each given by `viewOf(element)`.
template <typename Orders, typename ViewOf>
capnp::MessageSize ordersWireSize(const Orders& orders, ViewOf viewOf) {
  uint64_t words = 16;  // the root struct, list tags and small fields beside the list
  for (auto& o : orders) words += orderWireWords(viewOf(o));
  return {words, 0};
}
inline capnp::MessageSize ordersWireSize(const std::vector<OrderRecord>& orders) {
  return ordersWireSize(orders, [](const OrderRecord& o) { return o.view(); });
}
// FrontEnd.placeOrder's parameters.
capnp::MessageSize placeOrderSize(std::string_view orderId, std::string_view userCode,
                                  std::string_view item, std::string_view postCode);

// Each returns nullopt when the input is acceptable, else one sentence saying why not.
// Whether `text` is valid UTF-8: no overlong forms, surrogates or values past U+10FFFF.
bool isUtf8(std::string_view text);
std::optional<std::string> checkUserCode(std::string_view code);
std::optional<std::string> checkOrderId(std::string_view id);
std::optional<std::string> checkItemText(std::string_view item);

// Whether an order's fields, all but origin, incarnation, seq and status, are what the front-end
// makes: the checks above, a price of 0..MAX_PRICE_PENCE, a time stamp of the form
// utcTimestampNow() gives, a normalised postcode and a printable area of at most MAX_AREA
// characters. A replica stores nothing else, whoever sends it.
std::optional<std::string> checkOrderFields(const OrderRecord& order);

// `at` in UTC as "2026-11-21T22:31:05.123Z" (milliseconds truncated), for years 0 to 9999.
std::string utcTimestamp(std::chrono::system_clock::time_point at);
// Now, as utcTimestamp() writes it.
std::string utcTimestampNow();

// A random (version 4) UUID, the default order_id.
std::string newOrderId();

// "INVALID_USER_CODE" for rpc::RejectCode::INVALID_USER_CODE, and so on.
const char* rejectCodeName(rpc::RejectCode code);

}  // namespace jh
