// Orders: CSV rows, wire form, and the checks on user input.
#include "schema/orders/order.h"

#include <charconv>
#include <cstring>
#include <chrono>
#include <random>

#include <fmt/format.h>

#include "schema/orders/csv.h"
#include "schema/orders/money.h"
#include "schema/orders/postcode-format.h"

namespace jh {

const std::vector<std::string_view>& orderCsvHeader() {
  static const std::vector<std::string_view> header = {
      "order_id", "user_code", "item",   "price",       "time_stamp", "post_code",
      "area",     "status",    "origin", "incarnation", "seq"};
  return header;
}

const std::vector<std::string_view>& orderCsvHeaderBeforeIncarnations() {
  static const std::vector<std::string_view> header = {"order_id",   "user_code", "item", "price",
                                                       "time_stamp", "post_code", "area", "status",
                                                       "origin",     "seq"};
  return header;
}

void appendOrderCsv(std::string& out, const OrderRecord& o) {
  // The header's order; price and numbers never need quotes. (Field by field, without the
  // temporary strings and vector of appendCsvRecord: this runs for every order on the primary's
  // event loop.)
  for (std::string_view field :
       {std::string_view(o.orderId), std::string_view(o.userCode), std::string_view(o.item)}) {
    appendCsvField(out, field);
    out.push_back(',');
  }
  appendPrice(out, o.pricePence);
  for (std::string_view field :
       {std::string_view(o.timeStamp), std::string_view(o.postCode), std::string_view(o.area),
        std::string_view(o.status), std::string_view(o.origin)}) {
    out.push_back(',');
    appendCsvField(out, field);
  }
  char number[24];
  out.push_back(',');
  out.append(number, std::to_chars(number, number + sizeof number, o.incarnation).ptr);
  out.push_back(',');
  out.append(number, std::to_chars(number, number + sizeof number, o.seq).ptr);
  out.append("\r\n");
}

namespace {
// A decimal number of at most 19 digits (so that it fits 64 bits).
std::optional<uint64_t> parseCount(std::string_view text) {
  uint64_t n = 0;
  if (text.empty() || text.size() > 19 ||
      std::from_chars(text.data(), text.data() + text.size(), n).ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return n;
}
}  // namespace

std::optional<OrderView> orderFromCsv(const std::vector<std::string_view>& f, std::string& error) {
  bool beforeIncarnations = f.size() == orderCsvHeaderBeforeIncarnations().size();
  if (f.size() != orderCsvHeader().size() && !beforeIncarnations) {
    error = fmt::format("expected {} fields, found {}", orderCsvHeader().size(), f.size());
    return std::nullopt;
  }
  auto price = parsePrice(f[3]);
  if (!price) {
    error = fmt::format("bad price '{}'", f[3]);
    return std::nullopt;
  }
  std::optional<uint64_t> incarnation = beforeIncarnations ? 0 : parseCount(f[9]);
  if (!incarnation) {
    error = fmt::format("bad incarnation '{}'", f[9]);
    return std::nullopt;
  }
  std::string_view seqText = beforeIncarnations ? f[9] : f[10];
  auto seq = parseCount(seqText);
  if (!seq) {
    error = fmt::format("bad seq '{}'", seqText);
    return std::nullopt;
  }
  OrderView o{f[0], f[1], f[2], *price, f[4], f[5], f[6], f[7], f[8], *incarnation, *seq};
  if (o.seq == 0 || o.origin.empty() || o.orderId.empty()) {
    error = "empty order_id or origin, or seq 0";
    return std::nullopt;
  }
  return o;
}

std::optional<OrderRecord> orderFromCsv(const std::vector<std::string>& fields,
                                        std::string& error) {
  std::vector<std::string_view> views(fields.begin(), fields.end());
  auto order = orderFromCsv(views, error);
  if (!order) return std::nullopt;
  return order->record();
}

void toWire(const OrderView& o, rpc::Order::Builder out) {
  // (Text::Reader wants a NUL after the text, which a view of a CSV buffer does not have.)
  auto copy = [](capnp::Text::Builder to, std::string_view from) {
    if (!from.empty()) memcpy(to.begin(), from.data(), from.size());
  };
  auto size = [](std::string_view t) { return static_cast<unsigned>(t.size()); };
  copy(out.initOrderId(size(o.orderId)), o.orderId);
  copy(out.initUserCode(size(o.userCode)), o.userCode);
  copy(out.initItem(size(o.item)), o.item);
  out.setPricePence(o.pricePence);
  copy(out.initTimeStamp(size(o.timeStamp)), o.timeStamp);
  copy(out.initPostCode(size(o.postCode)), o.postCode);
  copy(out.initArea(size(o.area)), o.area);
  copy(out.initStatus(size(o.status)), o.status);
  copy(out.initOrigin(size(o.origin)), o.origin);
  out.setIncarnation(o.incarnation);
  out.setSeq(o.seq);
}

uint64_t orderWireWords(const OrderView& o) {
  auto text = [](std::string_view t) { return (t.size() + 8) / 8; };  // with its NUL, rounded up
  constexpr uint64_t STRUCT =
      4 + 8 + 4;  // data and pointer sections, plus a result union around it
  return STRUCT + text(o.orderId) + text(o.userCode) + text(o.item) + text(o.timeStamp) +
         text(o.postCode) + text(o.area) + text(o.status) + text(o.origin);
}

capnp::MessageSize placeOrderSize(std::string_view orderId, std::string_view userCode,
                                  std::string_view item, std::string_view postCode) {
  return {8 + (orderId.size() + userCode.size() + item.size() + postCode.size()) / 8 + 4, 0};
}

OrderRecord fromWire(rpc::Order::Reader in) {
  return OrderRecord{in.getOrderId(),   in.getUserCode(),    in.getItem(), in.getPricePence(),
                     in.getTimeStamp(), in.getPostCode(),    in.getArea(), in.getStatus(),
                     in.getOrigin(),    in.getIncarnation(), in.getSeq(),  in.getConflict()};
}

namespace {

// Decodes one UTF-8 code point at s[i]; returns its length, or 0 if the bytes are not valid
// UTF-8 (overlong forms, surrogates and values past U+10FFFF included).
size_t decodeUtf8(std::string_view s, size_t i, char32_t& cp) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t MIN_FOR_LEN[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < MIN_FOR_LEN[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool isControl(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029;
}

// Why `text` is not printable UTF-8 of at most `maxChars` characters, naming it `what`.
std::optional<std::string> checkPrintable(std::string_view text, std::string_view what,
                                          size_t maxChars) {
  size_t count = 0;
  for (size_t i = 0; i < text.size();) {
    if (text[i] >= 0x20 && text[i] < 0x7F) {  // printable ASCII, most text: no decoding
      ++i;
      if (++count > maxChars) break;
      continue;
    }
    char32_t cp;
    size_t len = decodeUtf8(text, i, cp);
    if (len == 0) return fmt::format("The {} is not valid UTF-8.", what);
    if (isControl(cp)) return fmt::format("The {} contains a control character.", what);
    i += len;
    if (++count > maxChars) break;
  }
  if (count > maxChars) return fmt::format("The {} is longer than {} characters.", what, maxChars);
  return std::nullopt;
}

}  // namespace

bool isUtf8(std::string_view text) {
  char32_t cp = 0;
  for (size_t i = 0; i < text.size();) {
    size_t n = decodeUtf8(text, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::optional<std::string> checkUserCode(std::string_view code) {
  if (code.empty()) return "The user code is empty.";
  if (auto bad = checkPrintable(code, "user code", MAX_USER_CODE)) return bad;
  // Printable, but two codes differing only by invisible spaces at the ends would be two users.
  if (code.front() == ' ' || code.back() == ' ') {
    return "The user code starts or ends with a space.";
  }
  return std::nullopt;
}

std::optional<std::string> checkOrderId(std::string_view id) {
  if (id.empty() || id.size() > MAX_ORDER_ID) {
    return fmt::format("An order id has 1 to {} characters.", MAX_ORDER_ID);
  }
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return "An order id may hold only letters, digits and - _ . :";
  }
  return std::nullopt;
}

std::optional<std::string> checkItemText(std::string_view item) {
  if (item.empty()) return "No item was named.";
  if (item.size() > MAX_ITEM) return fmt::format("An item name has at most {} bytes.", MAX_ITEM);
  return checkPrintable(item, "item name", MAX_ITEM);
}

std::optional<std::string> checkOrderFields(const OrderRecord& o) {
  if (auto bad = checkOrderId(o.orderId)) return bad;
  if (auto bad = checkUserCode(o.userCode)) return bad;
  if (auto bad = checkItemText(o.item)) return bad;
  if (o.pricePence < 0 || o.pricePence > MAX_PRICE_PENCE) return "The price is out of range.";
  // "2026-11-21T22:31:05.123Z"
  static constexpr std::string_view SHAPE = "dddd-dd-ddTdd:dd:dd.dddZ";
  bool stamped = o.timeStamp.size() == SHAPE.size();
  for (size_t i = 0; stamped && i < SHAPE.size(); ++i) {
    char c = o.timeStamp[i];
    stamped = SHAPE[i] == 'd' ? (c >= '0' && c <= '9') : c == SHAPE[i];
  }
  if (!stamped) return "The time stamp is not UTC ISO 8601 with milliseconds.";
  if (!isNormalisedPostcode(o.postCode)) return "The postcode is not normalised.";
  if (o.area.empty()) return "The order has no delivery area.";
  return checkPrintable(o.area, "delivery area", MAX_AREA);
}

std::string utcTimestamp(std::chrono::system_clock::time_point at) {
  // Calendar arithmetic, not gmtime_r() and fmt's chrono formatting: the front-end stamps every
  // order with this, and those took about 2,400 instructions of its ~80,000 per order.
  using namespace std::chrono;
  auto ms = floor<milliseconds>(at);
  auto day = floor<days>(ms);
  year_month_day date{day};
  hh_mm_ss clock{ms - day};
  char out[] = "0000-00-00T00:00:00.000Z";
  auto put = [&out](size_t at, size_t digits, unsigned value) {
    for (size_t i = at + digits; i-- > at; value /= 10)
      out[i] = static_cast<char>('0' + value % 10);
  };
  put(0, 4, static_cast<unsigned>(static_cast<int>(date.year())));
  put(5, 2, static_cast<unsigned>(date.month()));
  put(8, 2, static_cast<unsigned>(date.day()));
  put(11, 2, static_cast<unsigned>(clock.hours().count()));
  put(14, 2, static_cast<unsigned>(clock.minutes().count()));
  put(17, 2, static_cast<unsigned>(clock.seconds().count()));
  put(20, 3, static_cast<unsigned>(clock.subseconds().count()));
  return std::string(out, sizeof(out) - 1);
}

std::string utcTimestampNow() { return utcTimestamp(std::chrono::system_clock::now()); }

std::string newOrderId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull);
}

const char* rejectCodeName(rpc::RejectCode code) {
  switch (code) {
    case rpc::RejectCode::INVALID_USER_CODE: return "INVALID_USER_CODE";
    case rpc::RejectCode::UNKNOWN_ITEM: return "UNKNOWN_ITEM";
    case rpc::RejectCode::INVALID_POSTCODE: return "INVALID_POSTCODE";
    case rpc::RejectCode::POSTCODE_NOT_FOUND: return "POSTCODE_NOT_FOUND";
    case rpc::RejectCode::UNAVAILABLE: return "UNAVAILABLE";
    case rpc::RejectCode::CONFLICTING_ORDER_ID: return "CONFLICTING_ORDER_ID";
    case rpc::RejectCode::INVALID_ORDER: return "INVALID_ORDER";
    case rpc::RejectCode::NOT_READY: return "NOT_READY";
    case rpc::RejectCode::TOO_MANY_ORDERS: return "TOO_MANY_ORDERS";
  }
  return "UNKNOWN";
}

}  // namespace jh
