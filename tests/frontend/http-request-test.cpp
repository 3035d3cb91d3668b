// Reading HTTP requests at the edge: routes, methods, queries, the order body, and the checks made
// before a body is read. Every refusal carries the status code the API promises.
#include <doctest/doctest.h>

#include <string>

#include "frontend/http-request.h"

using jh::HttpCall;
using jh::HttpRefusal;
using jh::HttpRequestHead;

namespace {

HttpRequestHead get(std::string_view target) {
  return {"GET", target, "127.0.0.1:8080", {}, {}, {}, {}};
}

HttpRequestHead post(std::string_view body, std::string_view key = "k-1") {
  return {"POST", "/api/orders", "127.0.0.1:8080", {}, "application/json", key, body.size()};
}

// The refusal `interpretRequest` gives, or a 0 status when it gives a call.
HttpRefusal refusal(const HttpRequestHead& head, std::string_view body = {}) {
  auto result = jh::interpretRequest(head, body);
  if (auto* no = std::get_if<HttpRefusal>(&result)) return *no;
  return {0, "", "", ""};
}

template <typename T>
T callOf(const HttpRequestHead& head, std::string_view body = {}) {
  auto result = jh::interpretRequest(head, body);
  if (auto* no = std::get_if<HttpRefusal>(&result))
    FAIL("refused: " << no->status << " " << no->message);
  REQUIRE(std::holds_alternative<T>(std::get<HttpCall>(result)));
  return std::get<T>(std::get<HttpCall>(result));
}

}  // namespace

TEST_CASE("each route of the API and the page's files are found, anything else is 404") {
  CHECK(callOf<jh::PageCall>(get("/")).file == "index.html");
  CHECK(callOf<jh::PageCall>(get("/app.js")).file == "app.js");
  CHECK(callOf<jh::PageCall>(get("/app.css?v=2")).file == "app.css");
  callOf<jh::MotdCall>(get("/api/motd"));
  callOf<jh::MenuCall>(get("/api/menu"));
  callOf<jh::StatusCall>(get("/api/status"));
  CHECK(callOf<jh::EventsCall>(get("/api/events?after=17")).after == 17);
  CHECK(callOf<jh::EventsCall>(get("/api/events")).after == 0);
  for (const char* target :
       {"/api", "/api/", "/api/motd/", "/api/Orders", "/app.js/", "/../etc/passwd", "/index.htm",
        "/cluster.json", "//api/motd", "/api/postcodes", "xapp.js", "app.js"}) {
    CAPTURE(target);
    HttpRefusal r = refusal(get(target));
    CHECK(r.status == 404);
    CHECK(r.code == "NOT_FOUND");
  }
}

TEST_CASE("a method a route does not take is 405 with the methods it does take") {
  HttpRequestHead head = get("/api/menu");
  head.method = "POST";
  HttpRefusal r = refusal(head);
  CHECK(r.status == 405);
  CHECK(r.allow == "GET, HEAD");
  head = get("/api/orders?user=ann");
  head.method = "DELETE";
  r = refusal(head);
  CHECK(r.status == 405);
  CHECK(r.allow == "GET, HEAD, POST");
  head.method = "OPTIONS";  // a CORS preflight is refused too: no other site may write
  CHECK(refusal(head).status == 405);
  head = get("/api/motd");
  head.method = "HEAD";
  callOf<jh::MotdCall>(head);
  head.method =
      "GE\xb0";  // a refusal's message holds no bytes that are not UTF-8 (found by the fuzzer)
  CHECK(refusal(head).message == "That method is not allowed here.");
}

TEST_CASE(
    "a page of orders is read from the query, decoded, a missing user or a bad limit is 400") {
  auto call =
      callOf<jh::OrdersCall>(get("/api/orders?user=ann%20o%27hara&limit=5&cursor=c%2B1&x=ignored"));
  CHECK(call.userCode == "ann o'hara");
  CHECK(call.limit == 5);
  CHECK(call.cursor == "c+1");
  CHECK(callOf<jh::OrdersCall>(get("/api/orders?user=a+b")).userCode == "a b");
  CHECK(callOf<jh::OrdersCall>(get("/api/orders?user=%C3%A9")).userCode == "\xC3\xA9");
  CHECK(callOf<jh::OrdersCall>(get("/api/orders?user=")).userCode.empty());  // the desk refuses it
  CHECK(callOf<jh::OrdersCall>(get("/api/orders?user=ann")).limit == 0);
  for (const char* target :
       {"/api/orders", "/api/orders?limit=5", "/api/orders?user=ann&limit=0",
        "/api/orders?user=ann&limit=1001", "/api/orders?user=ann&limit=-1",
        "/api/orders?user=ann&limit=5x", "/api/orders?user=%zz", "/api/orders?user=%4",
        "/api/orders?user=a&user=b", "/api/events?after=x", "/api/events?after=-1"}) {
    CAPTURE(target);
    HttpRefusal r = refusal(get(target));
    CHECK(r.status == 400);
    CHECK(r.code == "INVALID_REQUEST");
    CHECK_FALSE(r.message.empty());
  }
}

TEST_CASE("a postcode in the path is percent-decoded as typed, spaces and all") {
  CHECK(callOf<jh::PostcodeCall>(get("/api/postcodes/ab10%201ab")).postCode == "ab10 1ab");
  CHECK(callOf<jh::PostcodeCall>(get("/api/postcodes/AB10+1AB")).postCode == "AB10+1AB");
  CHECK(callOf<jh::PostcodeCall>(get("/api/postcodes/%C2%A0AB101AB")).postCode ==
        "\xC2\xA0"
        "AB101AB");
  CHECK(callOf<jh::PostcodeCall>(get("/api/postcodes/")).postCode.empty());
  CHECK(refusal(get("/api/postcodes/AB10%2")).status == 400);
}

TEST_CASE("an order body gives the order, its id from the Idempotency-Key") {
  const std::string body = R"({"user_code":"ann","item":"HAMBURGER","post_code":"AB10 1AB"})";
  auto call = callOf<jh::PlaceCall>(post(body, "key-9"), body);
  CHECK(call.request.orderId == "key-9");
  CHECK(call.request.userCode == "ann");
  CHECK(call.request.item == "HAMBURGER");
  CHECK(call.request.postCode == "AB10 1AB");
  const std::string escapes =
      R"({"post_code":"x","item":"Fish, \"Chips\"","user_code":"a\u0000b\u00e9"})";
  auto escaped = callOf<jh::PlaceCall>(post(escapes), escapes);
  CHECK(escaped.request.item == "Fish, \"Chips\"");
  CHECK(escaped.request.userCode == std::string("a\0b\xC3\xA9", 5));  // the desk refuses the NUL
}

TEST_CASE(
    "malformed JSON, a field missing, of the wrong type or unknown, and invalid UTF-8 are 400") {
  for (const char* body :
       {"", "{", "[]", "\"ann\"", "null", R"({"user_code":"ann","item":"X","post_code":"Y"} x)",
        R"({"user_code":"ann","item":"X"})", R"({"user_code":1,"item":"X","post_code":"Y"})",
        R"({"user_code":"ann","item":["X"],"post_code":"Y"})",
        R"({"user_code":"ann","item":"X","post_code":null})",
        R"({"user_code":"ann","item":"X","post_code":"Y","price":"0.01"})",
        "{\"user_code\":\"\xff\",\"item\":\"X\",\"post_code\":\"Y\"}"}) {
    CAPTURE(body);
    HttpRefusal r = refusal(post(body), body);
    CHECK(r.status == 400);
    CHECK(r.code == "INVALID_REQUEST");
  }
  // A \u escape of a lone surrogate decodes to bytes that are not UTF-8, in a name or a value.
  for (const char* body : {R"({"user_code\uDFFF":"ann","item":"X","post_code":"Y"})",
                           R"({"user_code":"ann\uDC00x","item":"X","post_code":"Y"})"}) {
    CAPTURE(body);
    HttpRefusal r = refusal(post(body), body);
    CHECK(r.status == 400);
    CHECK(r.message.find("not a Unicode character") != std::string::npos);
  }
  // An unknown field's name is quoted cut at a character, not a byte: 63 ASCII letters, then é.
  const std::string longName = R"({")" + std::string(63, 'x') + "\xC3\xA9" + R"(":"1"})";
  HttpRefusal cut = refusal(post(longName), longName);
  CHECK(cut.message.find(std::string(63, 'x') + "\"") != std::string::npos);
  // Deep nesting is read without recursion, and refused.
  std::string deep(100000, '[');
  CHECK(refusal(post(deep), deep).status == 413);
  std::string nested = std::string(4000, '[') + std::string(4000, ']');
  CHECK(refusal(post(nested), nested).status == 400);
}

TEST_CASE(
    "before a body is read: another site's Origin is 403, a body not JSON 415, too long 413, no "
    "key 400") {
  const std::string body = R"({"user_code":"ann","item":"X","post_code":"Y"})";
  HttpRequestHead head = post(body);
  head.origin = "http://127.0.0.1:8080";
  callOf<jh::PlaceCall>(head, body);  // the page's own origin may write
  head.origin = "HTTP://127.0.0.1:8080";
  callOf<jh::PlaceCall>(head, body);
  for (const char* origin : {"http://evil.example", "http://127.0.0.1:8081", "null",
                             "http://127.0.0.1:8080.evil", "http://127.0.0.1"}) {
    CAPTURE(origin);
    head.origin = origin;
    HttpRefusal r = refusal(head, body);
    CHECK(r.status == 403);
    CHECK(r.code == "FORBIDDEN_ORIGIN");
  }
  head = post(body);
  head.host.reset();
  head.origin = "http://127.0.0.1:8080";
  CHECK(refusal(head, body).status == 403);  // without a Host there is no own origin to match

  head = post(body);
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                           "application/jsonp"}) {
    head.contentType = type;
    CHECK(refusal(head, body).status == 415);
  }
  head.contentType.reset();
  CHECK(refusal(head, body).status == 415);
  head.contentType = "Application/JSON; charset=utf-8";
  callOf<jh::PlaceCall>(head, body);

  head = post(body);
  head.contentLength = jh::MAX_HTTP_BODY + 1;
  CHECK(refusal(head, body).status == 413);
  head.contentLength.reset();  // chunked: the length is known only once read
  std::string big(jh::MAX_HTTP_BODY + 1, ' ');
  CHECK(refusal(head, big).status == 413);

  head = post(body);
  head.idempotencyKey.reset();
  HttpRefusal r = refusal(head, body);
  CHECK(r.status == 400);
  CHECK(r.message.find("Idempotency-Key") != std::string::npos);
}

TEST_CASE(
    "reads of orders and postcodes and orders placed draw on the rate limit, the rest do not") {
  auto limited = [](const char* method, const char* target) {
    auto m = jh::matchRoute(method, target);
    REQUIRE(std::holds_alternative<jh::RouteMatch>(m));
    return jh::isRateLimited(std::get<jh::RouteMatch>(m));
  };
  CHECK(limited("GET", "/api/orders?user=ann"));
  CHECK(limited("POST", "/api/orders"));
  CHECK(limited("GET", "/api/postcodes/AB101AB"));
  CHECK_FALSE(limited("GET", "/api/status"));
  CHECK_FALSE(limited("GET", "/api/events?after=3"));
  CHECK_FALSE(limited("GET", "/api/menu"));
  CHECK_FALSE(limited("GET", "/"));
}

TEST_CASE(
    "percent-decoding refuses a cut or non-hex escape and turns + into a space only in queries") {
  CHECK(jh::percentDecode("a%2Fb", false) == "a/b");
  CHECK(jh::percentDecode("a+b", false) == "a+b");
  CHECK(jh::percentDecode("a+b", true) == "a b");
  CHECK(jh::percentDecode("%00", false) == std::string(1, '\0'));
  CHECK_FALSE(jh::percentDecode("%", false));
  CHECK_FALSE(jh::percentDecode("%a", false));
  CHECK_FALSE(jh::percentDecode("%gg", false));
}
