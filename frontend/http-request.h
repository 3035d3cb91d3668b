// What an HTTP request asks of the front-end (DESIGN.md §6), read at the edge: the route, the
// query, the order in a JSON body, and every refusal with its status code, before anything deeper
// sees the request. Pure functions over text, so that the fuzzer and the tests need no network.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "schema/answers/front-end-values.h"
#include "schema/orders/order.h"

namespace jh {

// Bodies above this are refused (413) before they are read: an order is three short strings.
constexpr uint64_t MAX_HTTP_BODY = 8192;

// The parts of a request's head that the door looks at.
struct HttpRequestHead {
  std::string_view method;  // "GET", "POST"…
  std::string_view target;  // "/api/orders?user=ann"
  std::optional<std::string_view> host;
  std::optional<std::string_view> origin;
  std::optional<std::string_view> contentType;
  std::optional<std::string_view> idempotencyKey;
  std::optional<uint64_t> contentLength;  // nullopt: absent (or chunked)
};

// A request refused by the door itself, or a desk answer turned into a refusal.
struct HttpRefusal {
  unsigned status;      // 400, 403, 404, 405, 413, 415, 422, 429, 503…
  std::string code;     // "INVALID_REQUEST", "NOT_FOUND"…, or a schema code ("UNKNOWN_ITEM")
  std::string message;  // one plain sentence for a person
  std::string allow;    // 405 only: the methods the route takes ("GET, HEAD")
};

enum class Route { PAGE, MOTD, MENU, ORDERS, POSTCODE, STATUS, EVENTS };

struct RouteMatch {
  Route route;
  bool post = false;       // POST (else GET or HEAD)
  std::string_view path;   // undecoded, without the query
  std::string_view query;  // after '?', undecoded; "" when none
};

// What the request asks for, once read.
struct PageCall {
  std::string file;  // a file of the page folder: "index.html", "app.js"…
};
struct MotdCall {};
struct MenuCall {};
struct OrdersCall {
  std::string userCode;
  uint32_t limit = 0;  // 0: the default page
  std::string cursor;
};
struct PlaceCall {
  OrderRequest request;  // orderId from the Idempotency-Key header
};
struct PostcodeCall {
  std::string postCode;  // as typed (percent-decoded)
};
struct StatusCall {};
struct EventsCall {
  uint64_t after = 0;
};
using HttpCall = std::variant<PageCall, MotdCall, MenuCall, OrdersCall, PlaceCall, PostcodeCall,
                              StatusCall, EventsCall>;

// The route of `method target`: 404 for an unknown path, 405 (with `allow`) for a method the
// route does not take.
std::variant<RouteMatch, HttpRefusal> matchRoute(std::string_view method, std::string_view target);

// Whether the route reads what a guessed user code or postcode would reveal, or writes: those
// draw on the client address's rate limit.
bool isRateLimited(const RouteMatch& match);

// Checks made before a body is read: for a POST, the Origin (403 unless it is the page's own),
// the Content-Type (415 unless JSON), the Content-Length (413 above MAX_HTTP_BODY) and the
// Idempotency-Key (400 when missing).
std::optional<HttpRefusal> checkHead(const RouteMatch& match, const HttpRequestHead& head);

// The call, from the head and the whole body: or 400 for a bad query, a bad percent escape,
// malformed JSON, a field missing, of the wrong type or unknown.
std::variant<HttpCall, HttpRefusal> readCall(const RouteMatch& match, const HttpRequestHead& head,
                                             std::string_view body);

// matchRoute, checkHead and readCall in turn, and 413 for a body above MAX_HTTP_BODY whatever its
// Content-Length said: what the door does with a request, less the rate limit and the I/O.
std::variant<HttpCall, HttpRefusal> interpretRequest(const HttpRequestHead& head,
                                                     std::string_view body);

// Decodes %XX escapes (and '+' as a space, when `plusIsSpace`); nullopt for a malformed escape.
std::optional<std::string> percentDecode(std::string_view text, bool plusIsSpace);

}  // namespace jh
