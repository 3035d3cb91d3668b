// The HTTP door in-process, over loopback, in front of the desk with fake replicas: status codes
// and JSON for each route, the page and its policy, refusals that store nothing, the rate limit,
// and the timeouts that close slow and idle connections.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "frontend/front-end-shared.h"
#include "frontend/http-door.h"
#include "tests/frontend/desk-rig.h"
#include "tests/schema/parse-json.h"
#include "tests/schema/temp-dir.h"
#include "tests/support/harness/loopback-listener.h"

using jh::test::DeskRig;
using jh::test::parseJson;

namespace {

struct Reply {
  int status = 0;  // 0: no reply before the connection closed
  std::string head;
  std::string body;

  std::optional<std::string> header(std::string name) const {
    auto lower = [](std::string s) {
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    };
    std::string h = lower(head);
    size_t at = h.find("\r\n" + lower(name) + ":");
    if (at == std::string::npos) return std::nullopt;
    size_t begin = head.find_first_not_of(' ', at + 3 + name.size());
    return head.substr(begin, head.find("\r\n", begin) - begin);
  }
  std::string code() const { return parseJson(body)["rejected"]["code"].GetString(); }
};

Reply parseReply(const std::string& raw) {
  Reply r;
  size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return r;
  r.status = std::atoi(raw.c_str() + 9);
  r.head = raw.substr(0, end + 2);
  r.body = raw.substr(end + 4);
  return r;
}

// Whether `raw` holds a whole reply: its head and as many body bytes as its Content-Length says.
bool complete(const std::string& raw) {
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  Reply r = parseReply(raw.substr(0, end + 4));
  auto length = r.header("Content-Length");
  return raw.size() >= end + 4 + (length ? std::stoul(*length) : 0);
}

// Reads one reply (a HEAD's has no body), or until the connection closes.
kj::Promise<void> readReply(kj::AsyncIoStream& in, std::string& out, bool head) {
  auto buffer = kj::heapArray<char>(4096);
  auto read = in.tryRead(buffer.begin(), 1, buffer.size());
  return read.then([&in, &out, head, buffer = kj::mv(buffer)](size_t n) -> kj::Promise<void> {
    if (n == 0) return kj::READY_NOW;
    out.append(buffer.begin(), n);
    if (head ? out.find("\r\n\r\n") != std::string::npos : complete(out)) return kj::READY_NOW;
    return readReply(in, out, head);
  });
}

kj::Promise<void> readAll(kj::AsyncIoStream& in, std::string& out) {
  auto buffer = kj::heapArray<char>(4096);
  auto read = in.tryRead(buffer.begin(), 1, buffer.size());
  return read.then([&in, &out, buffer = kj::mv(buffer)](size_t n) -> kj::Promise<void> {
    if (n == 0) return kj::READY_NOW;
    out.append(buffer.begin(), n);
    return readAll(in, out);
  });
}

struct DoorRig : DeskRig {
  explicit DoorRig(jh::HttpConfig http = {})
      : httpConfig(withPage(std::move(http))), page(httpConfig.pageDir),
        limiter(httpConfig.ratePerS, httpConfig.rateBurst) {
    door = kj::heap<jh::HttpDoor>(*desk, httpConfig, page, io.provider->getTimer(), limiter);
    listener = jh::test::listenOnFreePort(io.provider->getNetwork(), io.waitScope);
    serving = door->listen(*listener).eagerlyEvaluate(
        [](kj::Exception&& e) { FAIL(e.getDescription().cStr()); });
    REQUIRE(primaryIs("r1"));
  }

  static jh::HttpConfig withPage(jh::HttpConfig c) {
    c.pageDir = JH_SOURCE_DIR "/resources/web";
    return c;
  }

  kj::Own<kj::AsyncIoStream> connect() {
    return io.provider->getNetwork()
        .parseAddress("127.0.0.1", listener->getPort())
        .wait(io.waitScope)
        ->connect()
        .wait(io.waitScope);
  }

  // Sends `request` as is on a new connection and reads one reply (bounded).
  Reply raw(const std::string& request) {
    auto c = connect();
    c->write(request.data(), request.size()).wait(io.waitScope);
    std::string got;
    bool head = request.rfind("HEAD ", 0) == 0;
    io.provider->getTimer()
        .timeoutAfter(5 * kj::SECONDS, readReply(*c, got, head))
        .wait(io.waitScope);
    return parseReply(got);
  }

  Reply send(const std::string& method, const std::string& target, const std::string& body = {},
             const std::string& headers = {}) {
    std::string request =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers;
    if (method == "POST") request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    return raw(request + "\r\n" + body);
  }

  Reply order(const std::string& key, const std::string& body, const std::string& more = {}) {
    std::string headers = "Content-Type: application/json\r\n" + more;
    if (!key.empty()) headers += "Idempotency-Key: " + key + "\r\n";
    return send("POST", "/api/orders", body, headers);
  }

  jh::HttpConfig httpConfig;
  jh::WebPage page;
  jh::RateLimiter limiter;
  kj::Own<jh::HttpDoor> door;
  kj::Own<kj::ConnectionReceiver> listener;
  kj::Promise<void> serving = nullptr;
};

const std::string ANN_HAMBURGER =
    R"({"user_code":"ann","item":"hamburger","post_code":"ab10 1ab"})";

}  // namespace

TEST_CASE(
    "an order through HTTP is 201 with the stored order, 201 and the same order on a repeat, 409 "
    "with another body under the key") {
  DoorRig rig;
  Reply first = rig.order("key-1", ANN_HAMBURGER);
  REQUIRE(first.status == 201);
  CHECK(first.header("Content-Type") == "application/json; charset=utf-8");
  auto doc = parseJson(first.body);
  CHECK(std::string(doc["order_id"].GetString()) == "key-1");
  CHECK(std::string(doc["item"].GetString()) == "HAMBURGER");
  CHECK(std::string(doc["price"].GetString()) == "7.85");
  CHECK(std::string(doc["area"].GetString()) == "Aberdeen City");

  Reply again = rig.order("key-1", ANN_HAMBURGER);
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  CHECK(rig.fakes[0].orders.size() == 1);

  Reply other =
      rig.order("key-1", R"({"user_code":"ann","item":"Fish, \"Chips\"","post_code":"AB10 1AB"})");
  CHECK(other.status == 409);
  CHECK(other.code() == "CONFLICTING_ORDER_ID");

  Reply listed = rig.send("GET", "/api/orders?user=ann");
  REQUIRE(listed.status == 200);
  auto list = parseJson(listed.body);
  REQUIRE(list["orders"].Size() == 1);
  CHECK(std::string(list["orders"][0]["order_id"].GetString()) == "key-1");
  CHECK(list.HasMember("next_cursor"));
}

TEST_CASE(
    "refusals of the desk have their status codes: 422 for what was asked, 404 for an unknown "
    "postcode, 503 with Retry-After") {
  DoorRig rig;
  CHECK(rig.order("k-2", R"({"user_code":"ann","item":"PIZZA","post_code":"AB10 1AB"})").status ==
        422);
  CHECK(rig.order("k-3", R"({"user_code":"ann","item":"HAMBURGER","post_code":"A B10 1AB"})")
            .status == 422);
  CHECK(rig.order("k-4", R"({"user_code":"","item":"HAMBURGER","post_code":"AB10 1AB"})").status ==
        422);
  Reply badKey = rig.order(std::string(65, 'k'), ANN_HAMBURGER);
  CHECK(badKey.status == 400);
  CHECK(badKey.code() == "INVALID_ORDER");
  Reply unknown = rig.send("GET", "/api/postcodes/ZZ9%209ZZ");
  CHECK(unknown.status == 404);
  CHECK(unknown.code() == "POSTCODE_NOT_FOUND");
  Reply found = rig.send("GET", "/api/postcodes/m11ad");
  REQUIRE(found.status == 200);
  CHECK(std::string(parseJson(found.body)["area"].GetString()) == "Manchester");
  CHECK(rig.send("GET", "/api/orders?user=%01").status == 422);
  CHECK(rig.fakes[0].orders.empty());

  for (size_t i = 0; i < 3; ++i) rig.fakes[i].dead = true;
  Reply down = rig.order("k-5", ANN_HAMBURGER);
  CHECK(down.status == 503);
  CHECK(down.code() == "UNAVAILABLE");
  CHECK(down.header("Retry-After") == "1");
  CHECK(rig.send("GET", "/api/orders?user=ann").status == 503);
}

TEST_CASE(
    "the page is served with a policy that allows only its own files, and nothing carries "
    "Access-Control-Allow-Origin") {
  DoorRig rig;
  Reply page = rig.send("GET", "/");
  REQUIRE(page.status == 200);
  CHECK(page.header("Content-Type") == "text/html; charset=utf-8");
  CHECK(page.header("Content-Security-Policy").value_or("").find("default-src 'self'") !=
        std::string::npos);
  CHECK(page.header("X-Content-Type-Options") == "nosniff");
  CHECK(page.body.find("<script src=\"app.js\"") != std::string::npos);
  CHECK(page.body.find("<script>") ==
        std::string::npos);  // no inline script, which the policy would refuse
  Reply script = rig.send("GET", "/app.js");
  CHECK(script.header("Content-Type") == "text/javascript; charset=utf-8");
  for (const Reply& r :
       {page, script, rig.send("GET", "/api/menu"), rig.order("k-1", ANN_HAMBURGER),
        rig.send("OPTIONS", "/api/orders", {}, "Origin: http://evil.example\r\n")}) {
    CHECK_FALSE(r.header("Access-Control-Allow-Origin").has_value());
  }
  Reply head = rig.send("HEAD", "/api/menu");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
}

TEST_CASE(
    "an order from another site, malformed JSON, a wrong type, a missing key or an oversized body "
    "is refused and nothing is stored") {
  DoorRig rig;
  CHECK(rig.order("k-1", ANN_HAMBURGER, "Origin: http://evil.example\r\n").status == 403);
  CHECK(rig.order("k-2", R"({"user_code":"ann","item":"HAMBURGER")").status == 400);
  CHECK(rig.order("k-3", R"({"user_code":"ann","item":7,"post_code":"AB10 1AB"})").status == 400);
  CHECK(rig.order("", ANN_HAMBURGER).status == 400);
  CHECK(rig.send("POST", "/api/orders", ANN_HAMBURGER,
                 "Content-Type: text/plain\r\nIdempotency-Key: k-4\r\n")
            .status == 415);
  // A Content-Length over the limit is answered at once, without waiting for the body.
  Reply big = rig.raw(
      "POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Idempotency-Key: k-5\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n{");
  CHECK(big.status == 413);
  // Chunked, with no length: read up to the limit, then refused.
  std::string chunk(jh::MAX_HTTP_BODY + 10, ' ');
  char size[32];
  std::snprintf(size, sizeof size, "%zx", chunk.size());
  Reply chunked = rig.raw(
      "POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Idempotency-Key: k-6\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
      std::string(size) + "\r\n" + chunk + "\r\n0\r\n\r\n");
  CHECK(chunked.status == 413);
  CHECK(rig.send("GET", "/nothing-here").status == 404);
  CHECK(rig.send("DELETE", "/api/orders").header("Allow") == "GET, HEAD, POST");
  Reply garbage = rig.raw("\x16\x03\x01 not http at all\r\n\r\n");  // TLS, say
  CHECK(garbage.status == 501);                                     // no such method
  CHECK(garbage.code() == "INVALID_REQUEST");
  Reply badHeader = rig.raw("GET /api/motd HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n");
  CHECK(badHeader.status == 400);
  CHECK(badHeader.code() == "INVALID_REQUEST");
  CHECK(rig.fakes[0].orders.empty());
  CHECK(rig.fakes[0].placeOrdersCalls == 0);
}

TEST_CASE(
    "reads of orders beyond the burst are 429 with Retry-After, while the status stays readable") {
  jh::HttpConfig http;
  http.ratePerS = 1;
  http.rateBurst = 3;
  DoorRig rig(http);
  for (int i = 0; i < 3; ++i)
    REQUIRE(rig.send("GET", "/api/orders?user=guess" + std::to_string(i)).status == 200);
  Reply limited = rig.send("GET", "/api/orders?user=guess3");
  CHECK(limited.status == 429);
  CHECK(limited.code() == "TOO_MANY_REQUESTS");
  CHECK(limited.header("Retry-After") == "1");
  CHECK(rig.send("GET", "/api/postcodes/AB101AB").status == 429);
  CHECK(rig.order("k-1", ANN_HAMBURGER).status == 429);
  CHECK(rig.send("GET", "/api/status").status == 200);
  CHECK(rig.fakes[0].orders.empty());
}

TEST_CASE(
    "timing: a request head trickled in is cut off at the header timeout, and others are served "
    "meanwhile") {
  jh::HttpConfig http;
  http.headerTimeoutMs = 300;
  DoorRig rig(http);
  auto& timer = rig.io.provider->getTimer();
  auto slow = rig.connect();
  std::string got;
  bool closed = false;
  auto reading =
      readAll(*slow, got)
          .then([&closed]() { closed = true; }, [&closed](kj::Exception&&) { closed = true; })
          .eagerlyEvaluate(nullptr);
  auto began = timer.now();
  const std::string head = "GET /api/motd HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  for (size_t i = 0; i < 40 && !closed; ++i) {
    char byte = i < head.size() ? head[i] : 'a';
    kj::evalNow([&]() { return slow->write(&byte, 1); })
        .then([]() {}, [](kj::Exception&&) {})
        .wait(rig.io.waitScope);
    if (i == 3) CHECK(rig.send("GET", "/api/motd").status == 200);
    timer.afterDelay(50 * kj::MILLISECONDS).wait(rig.io.waitScope);
  }
  CHECK(timer.timeoutAfter(2 * kj::SECONDS, kj::mv(reading))
            .then([]() { return true; }, [](kj::Exception&&) { return false; })
            .wait(rig.io.waitScope));
  CHECK(closed);
  CHECK(timer.now() - began < 2 * kj::SECONDS);
  CHECK(got.find("200 OK") == std::string::npos);
}

TEST_CASE(
    "timing: a kept-alive connection serves several requests, then is closed once idle past the "
    "idle timeout") {
  jh::HttpConfig http;
  http.idleTimeoutMs = 200;
  DoorRig rig(http);
  auto& timer = rig.io.provider->getTimer();
  auto c = rig.connect();
  const std::string request = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  c->write(request.data(), request.size()).wait(rig.io.waitScope);
  c->write(request.data(), request.size()).wait(rig.io.waitScope);
  std::string got;
  auto began = timer.now();
  timer.timeoutAfter(3 * kj::SECONDS, readAll(*c, got)).wait(rig.io.waitScope);
  auto took = timer.now() - began;
  size_t replies = 0;
  for (size_t at = got.find("HTTP/1.1 200"); at != std::string::npos;
       at = got.find("HTTP/1.1 200", at + 1))
    ++replies;
  CHECK(replies == 2);
  CHECK(took >= 200 * kj::MILLISECONDS);
  CHECK(took < 3 * kj::SECONDS);
}

TEST_CASE(
    "a request saying Connection: close is answered with Connection: close, and one without it is "
    "kept alive") {
  DoorRig rig;
  for (const char* connection : {"close", "Keep-Alive, Close"}) {
    CAPTURE(connection);
    Reply r = rig.raw(std::string("GET /api/motd HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: ") +
                      connection + "\r\n\r\n");
    CHECK(r.status == 200);
    CHECK(r.header("Connection") == "close");
  }
  Reply kept = rig.raw("GET /api/motd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  CHECK(kept.status == 200);
  CHECK_FALSE(kept.header("Connection").has_value());
}

TEST_CASE(
    "the web page is read once for all of a front-end's loops, and a folder without index.html is "
    "no page at all") {
  jh::WebPage page(JH_SOURCE_DIR "/resources/web");
  REQUIRE(page.exists());
  REQUIRE(page.find("index.html") != nullptr);
  CHECK(page.find("index.html")->contentType == "text/html; charset=utf-8");
  CHECK(page.find("app.js")->contentType == "text/javascript; charset=utf-8");
  CHECK(page.find("secrets.txt") == nullptr);

  jh::test::TempDir half;
  half.write("app.css", "body {}");
  jh::WebPage none(half.path());
  CHECK_FALSE(none.exists());
  CHECK(none.find("app.css") == nullptr);  // not half a page

  jh::ClusterConfig config;
  config.http.pageDir = JH_SOURCE_DIR "/resources/web";
  jh::FrontEndShared shared(config);
  CHECK(&shared.webPage() == &shared.webPage());
}
