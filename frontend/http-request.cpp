// Reading HTTP requests with RapidJSON; nothing outside this file sees a rapidjson::Value.
#include "frontend/http-request.h"

#include <array>
#include <charconv>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace jh {

namespace {

constexpr std::string_view API = "/api/";
constexpr std::string_view POSTCODES = "/api/postcodes/";
// The page's files, served from the page folder; "/" is index.html.
constexpr std::array<std::string_view, 4> PAGE_FILES = {"index.html", "app.css", "app.js",
                                                        "favicon.svg"};

HttpRefusal badRequest(std::string message) {
  return {400, "INVALID_REQUEST", std::move(message), {}};
}

HttpRefusal tooLarge() {
  return {413,
          "BODY_TOO_LARGE",
          fmt::format("A request body may hold at most {} bytes.", MAX_HTTP_BODY),
          {}};
}

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
  }
  return true;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "application/json", with or without parameters ("; charset=utf-8"), in any case.
bool isJson(std::string_view contentType) {
  return equalsIgnoringCase(trimmed(contentType.substr(0, contentType.find(';'))),
                            "application/json");
}

// Whether `origin` is the page's own: the scheme and the Host the request was sent to.
bool sameOrigin(std::string_view origin, std::optional<std::string_view> host) {
  if (!host || host->empty()) return false;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (origin.size() == scheme.size() + host->size() &&
        equalsIgnoringCase(origin.substr(0, scheme.size()), scheme) &&
        equalsIgnoringCase(origin.substr(scheme.size()), *host)) {
      return true;
    }
  }
  return false;
}

// `text` cut to at most `max` bytes without splitting a UTF-8 character (text that RapidJSON
// checked is valid UTF-8; a cut through a character would not be, nor would the JSON it goes into).
std::string_view cutAtCharacter(std::string_view text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// A method named in a sentence: as sent when it is a short token of letters, else in words (what
// arrived may be any bytes, and a refusal's JSON must stay valid UTF-8).
std::string methodInWords(std::string_view method) {
  bool token = !method.empty() && method.size() <= 16;
  for (char c : method) token = token && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
  return token ? std::string(method) : std::string("That method");
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lowerAscii(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

template <typename Number>
std::optional<Number> wholeNumber(std::string_view text) {
  Number n{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// The query's parameters that `wanted` names, decoded; a parameter given twice or badly escaped
// is refused, and others are ignored (a browser may add its own).
struct Query {
  std::array<std::optional<std::string>, 3> values;
};

std::variant<Query, HttpRefusal> readQuery(std::string_view query,
                                           std::array<std::string_view, 3> wanted) {
  Query out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = percentDecode(pair.substr(0, eq), true);
    auto value = percentDecode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!name || !value) return badRequest("The query holds a malformed %-escape.");
    for (size_t i = 0; i < wanted.size(); ++i) {
      if (wanted[i].empty() || *name != wanted[i]) continue;
      if (out.values[i]) return badRequest(fmt::format("The query gives '{}' twice.", wanted[i]));
      out.values[i] = std::move(*value);
    }
  }
  return out;
}

std::variant<HttpCall, HttpRefusal> readOrdersQuery(std::string_view query) {
  auto read = readQuery(query, {"user", "limit", "cursor"});
  if (auto* no = std::get_if<HttpRefusal>(&read)) return std::move(*no);
  auto& q = std::get<Query>(read);
  if (!q.values[0]) return badRequest("Say whose orders: /api/orders?user=CODE.");
  OrdersCall call{std::move(*q.values[0]), 0, q.values[2].value_or("")};
  if (q.values[1]) {
    auto limit = wholeNumber<uint32_t>(*q.values[1]);
    if (!limit || *limit == 0 || *limit > MAX_ORDERS_PAGE) {
      return badRequest(fmt::format("limit must be a whole number from 1 to {}.", MAX_ORDERS_PAGE));
    }
    call.limit = *limit;
  }
  return call;
}

std::variant<HttpCall, HttpRefusal> readEventsQuery(std::string_view query) {
  auto read = readQuery(query, {"after", "", ""});
  if (auto* no = std::get_if<HttpRefusal>(&read)) return std::move(*no);
  auto& after = std::get<Query>(read).values[0];
  if (!after) return EventsCall{};
  auto n = wholeNumber<uint64_t>(*after);
  if (!n) return badRequest("after must be a whole number: the id of the last event seen.");
  return EventsCall{*n};
}

// {"user_code", "item", "post_code"}, each a string, nothing else.
std::variant<HttpCall, HttpRefusal> readOrderBody(std::string_view body, std::string_view key) {
  rapidjson::Document doc;
  // Iterative: no recursion on deep nesting. Invalid UTF-8 is refused here, not stored.
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(body.data(),
                                                                                    body.size());
  if (doc.HasParseError()) {
    std::string why = rapidjson::GetParseError_En(doc.GetParseError());
    while (!why.empty() && why.back() == '.') why.pop_back();
    return badRequest(
        fmt::format("The body is not JSON: {} (at byte {}).", why, doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) {
    return badRequest(R"(The body must be a JSON object: {"user_code", "item", "post_code"}.)");
  }
  constexpr std::array<std::string_view, 3> FIELDS = {"user_code", "item", "post_code"};
  std::array<std::optional<std::string>, 3> values;
  for (auto& m : doc.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    // A \u escape can name a lone surrogate, which RapidJSON decodes without complaint.
    if (!isUtf8(name) ||
        (m.value.IsString() && !isUtf8({m.value.GetString(), m.value.GetStringLength()}))) {
      return badRequest("The body holds a \\u escape that is not a Unicode character.");
    }
    size_t i = 0;
    while (i < FIELDS.size() && FIELDS[i] != name) ++i;
    if (i == FIELDS.size()) {
      return badRequest(
          fmt::format(R"(Unknown field "{}": an order is {{"user_code", "item", "post_code"}}.)",
                      cutAtCharacter(name, 64)));
    }
    if (!m.value.IsString()) return badRequest(fmt::format("{} must be a string.", name));
    values[i] = std::string(m.value.GetString(), m.value.GetStringLength());
  }
  for (size_t i = 0; i < FIELDS.size(); ++i) {
    if (!values[i]) return badRequest(fmt::format("{} is missing.", FIELDS[i]));
  }
  return PlaceCall{OrderRequest{std::string(key), std::move(*values[0]), std::move(*values[1]),
                                std::move(*values[2])}};
}

}  // namespace

std::optional<std::string> percentDecode(std::string_view text, bool plusIsSpace) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hexValue(text[i + 1]), lo = hexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plusIsSpace) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::variant<RouteMatch, HttpRefusal> matchRoute(std::string_view method, std::string_view target) {
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  std::optional<Route> route;
  bool postToo = false;
  if (path == "/") {
    route = Route::PAGE;
  } else if (path.substr(0, POSTCODES.size()) == POSTCODES) {
    route = Route::POSTCODE;
  } else if (path.substr(0, API.size()) == API) {
    std::string_view name = path.substr(API.size());
    if (name == "motd") route = Route::MOTD;
    if (name == "menu") route = Route::MENU;
    if (name == "status") route = Route::STATUS;
    if (name == "events") route = Route::EVENTS;
    if (name == "orders") {
      route = Route::ORDERS;
      postToo = true;
    }
  } else {
    for (std::string_view file : PAGE_FILES) {
      if (path.size() == file.size() + 1 && path[0] == '/' && path.substr(1) == file)
        route = Route::PAGE;
    }
  }
  if (!route) return HttpRefusal{404, "NOT_FOUND", "There is nothing at this address.", {}};
  bool post = method == "POST";
  if (!(method == "GET" || method == "HEAD" || (post && postToo))) {
    return HttpRefusal{405, "METHOD_NOT_ALLOWED",
                       fmt::format("{} is not allowed here.", methodInWords(method)),
                       postToo ? "GET, HEAD, POST" : "GET, HEAD"};
  }
  return RouteMatch{*route, post, path, query};
}

bool isRateLimited(const RouteMatch& match) {
  return match.route == Route::ORDERS || match.route == Route::POSTCODE;
}

std::optional<HttpRefusal> checkHead(const RouteMatch& match, const HttpRequestHead& head) {
  if (head.contentLength && *head.contentLength > MAX_HTTP_BODY) return tooLarge();
  if (!match.post) return std::nullopt;
  // A browser names the page that sends a POST from another site; only our own page may write.
  if (head.origin && !sameOrigin(*head.origin, head.host)) {
    return HttpRefusal{
        403, "FORBIDDEN_ORIGIN", "Orders may only be placed from this service's own page.", {}};
  }
  if (!head.contentType || !isJson(*head.contentType)) {
    return HttpRefusal{
        415, "UNSUPPORTED_MEDIA_TYPE", "An order is sent as Content-Type: application/json.", {}};
  }
  if (!head.idempotencyKey) {
    return badRequest(
        "An order needs an Idempotency-Key header: a new UUID per order, the same on every retry "
        "of it.");
  }
  return std::nullopt;
}

std::variant<HttpCall, HttpRefusal> readCall(const RouteMatch& match, const HttpRequestHead& head,
                                             std::string_view body) {
  switch (match.route) {
    case Route::PAGE:
      return PageCall{std::string(match.path == "/" ? "index.html" : match.path.substr(1))};
    case Route::MOTD: return MotdCall{};
    case Route::MENU: return MenuCall{};
    case Route::STATUS: return StatusCall{};
    case Route::EVENTS: return readEventsQuery(match.query);
    case Route::POSTCODE: {
      auto postcode = percentDecode(match.path.substr(POSTCODES.size()), false);
      if (!postcode) return badRequest("The postcode holds a malformed %-escape.");
      return PostcodeCall{std::move(*postcode)};
    }
    case Route::ORDERS:
      if (!match.post) return readOrdersQuery(match.query);
      return readOrderBody(body, head.idempotencyKey.value_or(""));
  }
  return badRequest("Unknown request.");
}

std::variant<HttpCall, HttpRefusal> interpretRequest(const HttpRequestHead& head,
                                                     std::string_view body) {
  auto matched = matchRoute(head.method, head.target);
  if (auto* no = std::get_if<HttpRefusal>(&matched)) return std::move(*no);
  auto& match = std::get<RouteMatch>(matched);
  if (auto no = checkHead(match, head)) return std::move(*no);
  if (body.size() > MAX_HTTP_BODY) return tooLarge();
  return readCall(match, head, body);
}

}  // namespace jh
