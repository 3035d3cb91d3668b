// jh-fake-postcodes against what the real postcodes.io 18.0.1 answered (edge-cases.jsonl), and
// its test-only controls: modes, request counting, SIGTERM.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "tests/frontend/fake-postcodes-process.h"
#include "tests/support/harness/loopback-http.h"
#include "tests/support/fake-postcodes/fake-mode.h"
#include "tests/support/fake-postcodes/postcode-syntax.h"
#include "tests/support/harness/child-process.h"
#include "tests/support/harness/harness-util.h"

using namespace std::chrono_literals;
using jh::test::FakePostcodesProcess;
using jh::test::httpExchange;

namespace {

std::string text(const rapidjson::Value& object, const char* name) {
  auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsString()) return {};
  return {member->value.GetString(), member->value.GetStringLength()};
}

bool wellFormed(const std::u32string& text) { return jh::fake::wellFormedPostcode(text); }

}  // namespace

TEST_CASE("the fake answers every recorded postcodes.io request with the same status and bytes") {
  FakePostcodesProcess fake;
  std::ifstream in(std::string(JH_POSTCODES_FIXTURES_DIR) + "/edge-cases.jsonl");
  REQUIRE(in);
  std::string line;
  int replayed = 0;
  while (std::getline(in, line)) {
    rapidjson::Document recorded;
    recorded.Parse(line.c_str(), line.size());
    REQUIRE_FALSE(recorded.HasParseError());
    std::string method = text(recorded, "method");
    std::string path = text(recorded, "path");
    CAPTURE(method);
    CAPTURE(path);
    CAPTURE(text(recorded, "note"));
    auto reply = httpExchange(fake.port(), method, path, text(recorded, "req_body"),
                              text(recorded, "req_type"));
    CHECK(reply.status == recorded["status"].GetInt());
    CHECK(reply.body == text(recorded, "body"));
    if (recorded["content_type"].IsString()) {
      CHECK(reply.contentType == text(recorded, "content_type"));
    }
    ++replayed;
  }
  CHECK(replayed == 49);
}

TEST_CASE("the fake checks the format as postcodes.io does: white space only between the halves") {
  CHECK(wellFormed(U"AB10 1AB"));
  CHECK(wellFormed(U"  ab101ab\t"));
  CHECK(wellFormed(U"AB10\u00a0\u3000 1AB"));
  CHECK(wellFormed(U"M1 1AD"));
  CHECK_FALSE(wellFormed(U"A B10 1AB"));
  CHECK_FALSE(wellFormed(U"AB10 1 AB"));
  CHECK_FALSE(wellFormed(U"GIR 0AA"));
  CHECK_FALSE(wellFormed(U"AB10 1ÄB"));
  CHECK_FALSE(wellFormed(U""));
  CHECK(wellFormed(U"\ufeffAB10 1AB\r\n"));
  CHECK_FALSE(wellFormed(U"A99A 9AA"));  // one letter and a four-character outward code
  // postcodes.io takes any amount of padding: the front-end's limit on input is not the fake's.
  CHECK(wellFormed(std::u32string(300, U' ') + U"AB10 1AB"));
  CHECK(jh::fake::lookupKey(U" ab10\u00a01ab ") == "AB101AB");
  CHECK_FALSE(jh::fake::decodePathSegment("AB10%ZZ1AB"));
  CHECK_FALSE(jh::fake::decodePathSegment("%C0%80"));
}

TEST_CASE("fake modes parse from their names and reject anything else") {
  using Kind = jh::fake::FakeMode::Kind;
  auto slow = jh::fake::parseFakeMode(" slow:250\n");
  REQUIRE(slow);
  CHECK(slow->kind == Kind::SLOW);
  CHECK(slow->delayMs == 250);
  CHECK(jh::fake::fakeModeName(*slow) == "slow:250");
  for (const char* name : {"normal", "error500", "html", "hang", "close"}) {
    auto mode = jh::fake::parseFakeMode(name);
    REQUIRE(mode);
    CHECK(jh::fake::fakeModeName(*mode) == name);
  }
  for (const char* bad : {"", "slow", "slow:", "slow:-1", "slow:1x", "Normal", "sleep"}) {
    CAPTURE(bad);
    CHECK_FALSE(jh::fake::parseFakeMode(bad));
  }
}

TEST_CASE("the fake will not start without a port, nor on port 0, whose port is ephemeral") {
  auto missing = jh::test::runCommand({JH_FAKE_POSTCODES_BIN}, 10s);
  CHECK(missing.exitCode != 0);
  CHECK(missing.err.find("--port is required") != std::string::npos);
  // Refused before any bind: the port-0 guard's marker says it on purpose.
  auto zero =
      jh::test::runCommand({JH_FAKE_POSTCODES_BIN, "--port", "0"}, 10s);  // port-0-on-purpose
  CHECK(zero.exitCode != 0);
  CHECK(zero.err.find("expected a port number 1-65535") != std::string::npos);
}

TEST_CASE("the fake counts /postcodes/ requests until reset, and not its control requests") {
  FakePostcodesProcess fake;
  CHECK(fake.requests() == 0);
  CHECK(httpExchange(fake.port(), "GET", "/postcodes/AB101AB").status == 200);
  CHECK(httpExchange(fake.port(), "GET", "/postcodes/FOO").status == 404);
  CHECK(httpExchange(fake.port(), "GET", "/ping").status == 200);
  CHECK(fake.requests() == 2);
  fake.resetRequests();
  CHECK(fake.requests() == 0);
  CHECK(httpExchange(fake.port(), "POST", "/__fake/mode", "sideways").status == 400);
  CHECK(httpExchange(fake.port(), "GET", "/__fake/mode").body == "normal\n");
}

TEST_CASE("the fake's failure modes: a 500, a proxy's HTML page, a closed connection, no answer") {
  FakePostcodesProcess fake("error500");
  auto error = httpExchange(fake.port(), "GET", "/postcodes/AB101AB");
  CHECK(error.status == 500);
  fake.setMode("html");
  auto html = httpExchange(fake.port(), "GET", "/postcodes/AB101AB");
  CHECK(html.status == 502);
  CHECK(html.contentType == "text/html");
  CHECK(html.body.find("<html>") == 0);
  fake.setMode("close");
  CHECK(httpExchange(fake.port(), "GET", "/postcodes/AB101AB").status == 0);
  fake.setMode("hang");
  CHECK(httpExchange(fake.port(), "GET", "/postcodes/AB101AB", {}, {}, 300ms).status == 0);
  CHECK(fake.requests() == 4);
  fake.setMode("normal");
  CHECK(httpExchange(fake.port(), "GET", "/postcodes/AB101AB").status == 200);
}

TEST_CASE("a slow answer delays only its own connection (timing-dependent: slow is 3 s)") {
  FakePostcodesProcess fake("slow:3000");
  std::atomic<int> slowStatus{-1};
  std::jthread slow(
      [&] { slowStatus = httpExchange(fake.port(), "GET", "/postcodes/AB101AB").status; });
  REQUIRE(jh::test::waitUntil([&] { return fake.requests() == 1; }, 5s, 5ms));
  fake.setMode("normal");
  CHECK(httpExchange(fake.port(), "GET", "/postcodes/ID11QE").status == 404);
  CHECK(slowStatus == -1);
  slow.join();
  CHECK(slowStatus == 200);
}

TEST_CASE("the fake answers many concurrent connections") {
  FakePostcodesProcess fake;
  std::atomic<int> answered{0};
  {
    std::vector<std::jthread> clients;
    for (int c = 0; c < 16; ++c) {
      clients.emplace_back([&] {
        for (int i = 0; i < 10; ++i) {
          if (httpExchange(fake.port(), "GET", "/postcodes/AB101AB").status == 200) ++answered;
        }
      });
    }
  }
  CHECK(answered == 160);
  CHECK(fake.requests() == 160);
}

TEST_CASE("the fake exits 0 on SIGTERM") {
  FakePostcodesProcess fake;
  CHECK(fake.stop() == 0);
}
