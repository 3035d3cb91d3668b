// interpretRequest, what the HTTP door does with a request short of the rate limit and the I/O, on
// any request. An input is "METHOD TARGET", then "Name: value" lines (Host, Origin, Content-Type,
// Idempotency-Key, Content-Length), an empty line, and the body; a missing part is absent.
// Invariants: a refusal has a status the API promises, a code and a message, and its JSON
// document is valid UTF-8 JSON that reads back the same; a call is one the request asked for
// (an order only from a POST, its id the Idempotency-Key, a page of at most MAX_ORDERS_PAGE, a page
// file of the page's own).
#include <charconv>
#include <optional>
#include <string>

#include <rapidjson/document.h>

#include "frontend/http-request.h"
#include "schema/answers/json-output.h"
#include "tests/fuzz/fuzz-support.h"

namespace {

std::string_view line(std::string_view& rest) {
  size_t end = rest.find('\n');
  std::string_view l = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

struct Parsed {
  jh::HttpRequestHead head;
  std::string_view body;
};

Parsed split(std::string_view input) {
  Parsed p;
  std::string_view rest = input;
  std::string_view first = line(rest);
  size_t space = first.find(' ');
  p.head.method = first.substr(0, space);
  p.head.target = space == std::string_view::npos ? std::string_view() : first.substr(space + 1);
  for (std::string_view h = line(rest); !h.empty(); h = line(rest)) {
    size_t colon = h.find(": ");
    if (colon == std::string_view::npos) continue;
    std::string_view name = h.substr(0, colon), value = h.substr(colon + 2);
    if (name == "Host") p.head.host = value;
    if (name == "Origin") p.head.origin = value;
    if (name == "Content-Type") p.head.contentType = value;
    if (name == "Idempotency-Key") p.head.idempotencyKey = value;
    if (name == "Content-Length") {
      uint64_t n = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (error == std::errc() && end == value.data() + value.size()) p.head.contentLength = n;
    }
  }
  p.body = rest;
  return p;
}

void checkRefusal(const jh::HttpRefusal& r) {
  bool promised = r.status == 400 || r.status == 403 || r.status == 404 || r.status == 405 ||
                  r.status == 413 || r.status == 415;
  JH_FUZZ_CHECK(promised, "a refusal has a status the API promises");
  JH_FUZZ_CHECK(!r.code.empty() && !r.message.empty(), "a refusal has a code and a message");
  JH_FUZZ_CHECK((r.status == 405) == !r.allow.empty(),
                "a 405, and only a 405, says what is allowed");
  std::string json = jh::rejectionJson(r.code, r.message);
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.c_str(), json.size());
  JH_FUZZ_CHECK(!doc.HasParseError(), "a refusal's JSON is valid UTF-8 JSON");
  const auto& message = doc["rejected"]["message"];
  JH_FUZZ_CHECK(std::string_view(message.GetString(), message.GetStringLength()) == r.message,
                "a refusal's message reads back the same");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Parsed in = split(jh::fuzz::asText(data, size));
  auto result = jh::interpretRequest(in.head, in.body);
  if (auto* refusal = std::get_if<jh::HttpRefusal>(&result)) {
    checkRefusal(*refusal);
    return 0;
  }
  const jh::HttpCall& call = std::get<jh::HttpCall>(result);
  JH_FUZZ_CHECK(in.head.method == "GET" || in.head.method == "HEAD" || in.head.method == "POST",
                "only GET, HEAD and POST are served");
  JH_FUZZ_CHECK(!in.head.target.empty() && in.head.target[0] == '/', "a served target is a path");
  if (auto* place = std::get_if<jh::PlaceCall>(&call)) {
    JH_FUZZ_CHECK(in.head.method == "POST", "an order comes only from a POST");
    JH_FUZZ_CHECK(in.head.idempotencyKey && place->request.orderId == *in.head.idempotencyKey,
                  "an order's id is its Idempotency-Key");
    JH_FUZZ_CHECK(in.body.size() <= jh::MAX_HTTP_BODY, "an order's body is within the limit");
  } else {
    JH_FUZZ_CHECK(in.head.method != "POST", "a POST asks only for an order");
  }
  if (auto* orders = std::get_if<jh::OrdersCall>(&call)) {
    JH_FUZZ_CHECK(orders->limit <= jh::MAX_ORDERS_PAGE, "a page holds at most MAX_ORDERS_PAGE");
  }
  if (auto* page = std::get_if<jh::PageCall>(&call)) {
    JH_FUZZ_CHECK(page->file == "index.html" || page->file == "app.css" || page->file == "app.js" ||
                      page->file == "favicon.svg",
                  "only the page's own files are served");
  }
  return 0;
}
