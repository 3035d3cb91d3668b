// PostcodeService against real jh-fake-postcodes processes on loopback: answers, the cache,
// shared requests, failover between urls, the breaker, and a loop that never blocks.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include <kj/async-io.h>

#include "frontend/postcodes/postcode-service.h"
#include "tests/frontend/fake-postcodes-process.h"
#include "tests/support/harness/harness-util.h"

using jh::PostcodeAnswer;
using jh::PostcodeConfig;
using jh::PostcodeService;
using jh::test::FakePostcodesProcess;
using Kind = PostcodeAnswer::Kind;

namespace {

PostcodeConfig configFor(std::vector<std::string> urls, uint32_t timeoutMs = 2000,
                         uint32_t breakerMs = 60000) {
  PostcodeConfig config;
  config.urls = std::move(urls);
  config.timeoutMs = timeoutMs;
  config.breakerMs = breakerMs;
  return config;
}

// An address where nothing listens: connections are refused.
std::string deadUrl() { return "http://127.0.0.1:" + std::to_string(jh::test::pickFreePort()); }

// One event loop and one service per test.
struct Fixture {
  explicit Fixture(const PostcodeConfig& config)
      : io(kj::setupAsyncIo()), service(config, io.provider->getTimer()) {}

  PostcodeAnswer lookup(const std::string& input) {
    return service.lookup(input).wait(io.waitScope);
  }
  jh::PostcodeUrlStatus url(size_t i) { return service.stats().urls.at(i); }

  kj::AsyncIoContext io;
  PostcodeService service;
};

}  // namespace

TEST_CASE("a known postcode is found, normalised, with its delivery area") {
  FakePostcodesProcess fake;
  Fixture f(configFor({fake.url()}));
  PostcodeAnswer answer = f.lookup("ab10  1ab");
  CHECK(answer.kind == Kind::FOUND);
  CHECK(answer.postCode == "AB10 1AB");
  CHECK(answer.area == "Aberdeen City");
  CHECK(f.lookup("m11ad").area == "Manchester");
  CHECK(f.url(0).state == "ok");
  CHECK(f.url(0).requests == 2);
}

TEST_CASE("not found, terminated and invalid postcodes are told apart") {
  FakePostcodesProcess fake;
  Fixture f(configFor({fake.url()}));
  PostcodeAnswer unknown = f.lookup("ID1 1QE");
  CHECK(unknown.kind == Kind::NOT_FOUND);
  CHECK(unknown.postCode == "ID1 1QE");
  PostcodeAnswer terminated = f.lookup("AB1 0AA");
  CHECK(terminated.kind == Kind::NOT_FOUND);
  CHECK(terminated.message.find("terminated in 1996") != std::string::npos);
  PostcodeAnswer invalid = f.lookup("FOO");
  CHECK(invalid.kind == Kind::INVALID);
  CHECK(invalid.postCode.empty());
  CHECK(invalid.message == "\"FOO\" is not a valid UK postcode (such as SW1A 1AA).");
}

TEST_CASE("malformed input is refused locally without sending any request") {
  FakePostcodesProcess fake;
  Fixture f(configFor({fake.url()}));
  for (const std::string& input :
       {std::string("FOO"), std::string(300, 'A'), std::string("../"), std::string(""),
        std::string("AB10 1AB/../x"), std::string("AB10%201AB")}) {
    CAPTURE(input);
    PostcodeAnswer answer = f.lookup(input);
    CHECK(answer.kind == Kind::INVALID);
    CHECK(answer.postCode.empty());
    CHECK_FALSE(answer.message.empty());
  }
  CHECK(fake.requests() == 0);
  CHECK(f.service.stats().cacheMisses == 0);
  CHECK(f.url(0).requests == 0);
}

TEST_CASE("a repeated postcode, found or not, is answered from the cache without a request") {
  FakePostcodesProcess fake;
  Fixture f(configFor({fake.url()}));
  CHECK(f.lookup("AB10 1AB").kind == Kind::FOUND);
  CHECK(f.lookup("ab101ab").kind == Kind::FOUND);
  CHECK(f.lookup("ID1 1QE").kind == Kind::NOT_FOUND);
  CHECK(f.lookup("id11qe").kind == Kind::NOT_FOUND);
  CHECK(fake.requests() == 2);
  jh::PostcodeStats stats = f.service.stats();
  CHECK(stats.cacheHits == 2);
  CHECK(stats.cacheMisses == 2);
}

TEST_CASE("concurrent look-ups of one postcode share a single request") {
  FakePostcodesProcess fake("slow:200");
  Fixture f(configFor({fake.url()}));
  auto first = f.service.lookup("AB10 1AB");
  auto second = f.service.lookup("ab10 1ab");
  CHECK(first.wait(f.io.waitScope).area == "Aberdeen City");
  CHECK(second.wait(f.io.waitScope).area == "Aberdeen City");
  CHECK(fake.requests() == 1);
  CHECK(f.service.stats().cacheMisses == 1);
}

TEST_CASE(
    "when the first url is dead the answer comes from the second, and the dead one is skipped") {
  FakePostcodesProcess fake;
  Fixture f(configFor({deadUrl(), fake.url()}));
  CHECK(f.lookup("AB10 1AB").area == "Aberdeen City");
  CHECK(f.url(0).state == "failing");
  CHECK(f.url(0).failures == 1);
  CHECK(f.url(0).retryInMs > 0);
  CHECK(f.url(1).state == "ok");

  CHECK(f.lookup("AB11 5QN").kind == Kind::FOUND);
  CHECK(f.url(0).requests == 1);  // skipped while its breaker is open
  CHECK(f.url(1).requests == 2);
  CHECK(fake.requests() == 2);
}

TEST_CASE("once every url has failed, UNREACHABLE comes back without sending a request") {
  FakePostcodesProcess fake("error500");
  Fixture f(configFor({fake.url()}));
  PostcodeAnswer first = f.lookup("AB10 1AB");
  CHECK(first.kind == Kind::UNREACHABLE);
  CHECK(first.postCode == "AB10 1AB");
  CHECK(first.message == "postcodes.io could not be reached.");
  CHECK(fake.requests() == 1);
  CHECK(f.lookup("AB11 5QN").kind == Kind::UNREACHABLE);
  CHECK(f.lookup("AB10 1AB").kind == Kind::UNREACHABLE);
  CHECK(fake.requests() == 1);
  CHECK(f.url(0).state == "failing");
  CHECK(f.url(0).requests == 1);
}

TEST_CASE(
    "a failing url is tried again once its breaker period is over (timing-dependent: 150 ms)") {
  FakePostcodesProcess fake("error500");
  Fixture f(configFor({fake.url()}, 2000, 150));
  CHECK(f.lookup("AB10 1AB").kind == Kind::UNREACHABLE);
  fake.setMode("normal");
  kj::Timer& timer = f.io.provider->getTimer();
  for (int i = 0; i < 100 && f.url(0).retryInMs > 0; ++i) {
    timer.afterDelay(10 * kj::MILLISECONDS).wait(f.io.waitScope);
  }
  REQUIRE(f.url(0).retryInMs == 0);
  CHECK(f.lookup("AB10 1AB").kind == Kind::FOUND);
  CHECK(f.url(0).state == "ok");
  CHECK(fake.requests() == 2);
}

TEST_CASE("UNREACHABLE is never cached") {
  FakePostcodesProcess fake("error500");
  Fixture f(configFor({fake.url()}, 2000, 0));
  CHECK(f.lookup("AB10 1AB").kind == Kind::UNREACHABLE);
  fake.setMode("normal");
  CHECK(f.lookup("AB10 1AB").kind == Kind::FOUND);
  CHECK(fake.requests() == 2);
}

TEST_CASE("a server that hangs, closes, errs or sends a proxy's HTML page is unreachable") {
  for (const char* mode : {"hang", "close", "error500", "html"}) {
    CAPTURE(mode);
    FakePostcodesProcess fake(mode);
    Fixture f(configFor({fake.url()}, 300));
    CHECK(f.lookup("AB10 1AB").kind == Kind::UNREACHABLE);
    CHECK(fake.requests() == 1);
    CHECK(f.url(0).failures == 1);
    CHECK(f.url(0).state == "failing");
  }
}

TEST_CASE("a hung request delays only its own caller: cached and new look-ups still complete") {
  FakePostcodesProcess fake;
  Fixture f(configFor({fake.url()}, 20000));
  CHECK(f.lookup("AB10 1AB").kind == Kind::FOUND);
  fake.setMode("hang");
  bool hungDone = false;
  auto hung = f.service.lookup("AB11 5QN")
                  .then([&](PostcodeAnswer&&) { hungDone = true; })
                  .eagerlyEvaluate(nullptr);
  REQUIRE(jh::test::waitUntil([&] { return fake.requests() == 2; }, std::chrono::seconds(5)));
  CHECK(f.lookup("AB10 1AB").kind == Kind::FOUND);  // from the cache
  fake.setMode("normal");
  CHECK(f.lookup("AB12 3AB").kind == Kind::FOUND);  // a new request beside the hung one
  CHECK(fake.requests() == 3);
  CHECK_FALSE(hungDone);
  CHECK_FALSE(hung.poll(f.io.waitScope));
}

TEST_CASE(
    "destroying the service rejects a hung look-up without waiting for its timeout "
    "(timing-dependent: 5 s of 20 s)") {
  FakePostcodesProcess fake("hang");
  auto io = kj::setupAsyncIo();
  auto service = kj::heap<PostcodeService>(configFor({fake.url()}, 20000), io.provider->getTimer());
  kj::Promise<PostcodeAnswer> hung = service->lookup("AB10 1AB");
  REQUIRE(jh::test::waitUntil([&] { return fake.requests() == 1; }, std::chrono::seconds(5)));
  auto start = std::chrono::steady_clock::now();
  service = nullptr;
  CHECK_THROWS(hung.wait(io.waitScope));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}
