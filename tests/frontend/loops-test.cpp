// The front-end's several event loops, in-process: the postcode book shared by two loops' services
// (one cache, one request for a postcode asked on both), the lead loop's status and feed answered
// to a desk on another loop, with the orders of both counted, and the heartbeat set on every
// loop; connections spread over the loops' sockets of one port, which no other socket may share;
// the loops' threads stopped together, a failing one reported; and the choice of their number.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include <kj/async-io.h>

#include "frontend/front-end-shared.h"
#include "frontend/loop-threads.h"
#include "frontend/order-desk.h"
#include "frontend/postcodes/postcode-service.h"
#include "frontend/replica-router.h"
#include "frontend/shared-port.h"
#include "schema/runtime/daemon.h"
#include "tests/frontend/desk-rig.h"
#include "tests/frontend/fake-postcodes-process.h"
#include "tests/schema/answers/read-reply.h"
#include "tests/support/harness/harness-util.h"

using jh::PostcodeAnswer;
using jh::PostcodeBook;
using jh::PostcodeService;
using jh::test::answered;
using jh::test::DeskRig;
using jh::test::FakePostcodesProcess;
using jh::test::runUntil;
using Kind = PostcodeAnswer::Kind;

namespace {

jh::PostcodeConfig postcodesAt(const std::string& url, uint32_t timeoutMs = 2000) {
  jh::PostcodeConfig config;
  config.urls = {url};
  config.timeoutMs = timeoutMs;
  return config;
}

// A second loop of the rig's front-end, on a thread of its own: its own router (to the rig's fake
// replicas, served by the rig's loop, which the test keeps running), postcode service and desk,
// joined to the rig's shared part as loop 1. `work` runs there with the desk and the loop.
void onSecondLoop(DeskRig& rig, kj::Function<void(jh::OrderDesk&, kj::AsyncIoContext&)> work,
                  std::atomic<bool>& done) {
  auto io = kj::setupAsyncIo();
  jh::ReplicaRouter router(rig.config, "fe", io.provider->getNetwork(), io.provider->getTimer(), "",
                           &rig.shared->routing(), 1);
  router.start().wait(io.waitScope);
  jh::PostcodeService postcodes(rig.shared->postcodes(), io.provider->getTimer());
  jh::OrderDesk desk(rig.config, "fe", router, postcodes, io.provider->getTimer(), *rig.shared, 1);
  runUntil(io, [&]() { return !router.primaryName().empty(); });
  work(desk, io);
  done = true;
}

// Why a SharedPort could not be made on `address` ("" when it could).
std::string sharedPortFailure(const std::string& address, size_t copies) {
  try {
    jh::SharedPort port(address, copies);
  } catch (const kj::Exception& e) { return e.getDescription().cStr(); }
  return "";
}

jh::OrderRequest order(const std::string& id) { return {id, "ann", "hamburger", "AB10 1AB"}; }

}  // namespace

TEST_CASE("a postcode answered on one loop is in the cache of the other, without a request") {
  FakePostcodesProcess fake;
  PostcodeBook book(postcodesAt(fake.url()));
  auto io = kj::setupAsyncIo();
  PostcodeService first(book, io.provider->getTimer());
  CHECK(first.lookup("AB10 1AB").wait(io.waitScope).kind == Kind::FOUND);
  REQUIRE(fake.requests() == 1);

  std::optional<PostcodeAnswer> cached;
  std::thread([&]() {
    auto own = kj::setupAsyncIo();
    PostcodeService second(book, own.provider->getTimer());
    cached = second.cached("AB10 1AB");
  }).join();
  REQUIRE(cached.has_value());
  CHECK(cached->area == "Aberdeen City");
  CHECK(fake.requests() == 1);
  CHECK(first.stats().cacheHits == 1);  // the book's counts, whichever loop asked
}

TEST_CASE(
    "one postcode asked on two loops at once is one request, and both are answered "
    "(timing-dependent: 1.5 s)") {
  FakePostcodesProcess fake("hang");
  PostcodeBook book(postcodesAt(fake.url(), 1500));
  auto io = kj::setupAsyncIo();
  PostcodeService first(book, io.provider->getTimer());
  kj::Promise<PostcodeAnswer> asked = first.lookup("AB10 1AB");
  REQUIRE(jh::test::waitUntil([&] { return fake.requests() == 1; }, std::chrono::seconds(5)));

  std::optional<PostcodeAnswer> second;
  std::thread other([&]() {
    auto own = kj::setupAsyncIo();
    PostcodeService service(book, own.provider->getTimer());
    second = service.lookup("ab10 1ab").wait(own.waitScope);
  });
  // The hung request times out on this loop; the other loop's caller gets the same answer.
  PostcodeAnswer answer = asked.wait(io.waitScope);
  other.join();
  CHECK(answer.kind == Kind::UNREACHABLE);
  REQUIRE(second.has_value());
  CHECK(second->kind == Kind::UNREACHABLE);
  CHECK(fake.requests() == 1);
}

TEST_CASE(
    "a desk on another loop answers status and events from the lead loop, with every loop's "
    "orders") {
  DeskRig rig;
  REQUIRE(rig.primaryIs("r1"));
  REQUIRE(answered(rig.wait(rig.desk->placeOrder(order("lead-1")))));
  uint64_t leadEvents = rig.router->events().lastId();

  std::atomic<bool> done{false};
  jh::ClusterStatus seen;
  std::vector<jh::ClusterEvent> events;
  bool placed = false;
  std::thread other([&]() {
    onSecondLoop(
        rig,
        [&](jh::OrderDesk& desk, kj::AsyncIoContext& io) {
          placed = answered(desk.placeOrder(order("other-1")).wait(io.waitScope)) != nullptr;
          seen = desk.status().wait(io.waitScope);
          events = desk.events(0).wait(io.waitScope);
          desk.setHeartbeat(70).wait(io.waitScope);
        },
        done);
  });
  // The lead's loop runs meanwhile: the other loop's questions are answered on it.
  bool finished = runUntil(
      rig.io, [&]() { return done.load(); }, 10 * kj::SECONDS);
  other.join();
  REQUIRE(finished);
  CHECK(placed);
  CHECK(seen.ordersPlaced == 2);
  CHECK(seen.primary == "r1");
  CHECK(seen.lastEvent == leadEvents);
  REQUIRE(events.size() == leadEvents);  // the lead's feed, not the second router's
  CHECK(events.back().id == leadEvents);
  CHECK(rig.router->heartbeatMs() == 70);
}

TEST_CASE(
    "a call on another loop that finds the primary dead is reported to the lead, which fails over "
    "for every loop") {
  DeskRig rig(2000, 60000);  // no heartbeat after the first: only the report can tell the lead
  REQUIRE(rig.primaryIs("r1"));
  std::atomic<int> phase{0};
  std::atomic<bool> done{false};
  std::string before, after;
  std::thread other([&]() {
    onSecondLoop(
        rig,
        [&](jh::OrderDesk& desk, kj::AsyncIoContext& io) {
          auto first = desk.placeOrder(order("other-1")).wait(io.waitScope);
          if (answered(first)) before = answered(first)->origin;
          phase = 1;
          while (phase != 2) std::this_thread::yield();
          auto second = desk.placeOrder(order("other-2")).wait(io.waitScope);
          if (answered(second)) after = answered(second)->origin;
        },
        done);
  });
  REQUIRE(runUntil(
      rig.io, [&]() { return phase == 1; }, 10 * kj::SECONDS));
  rig.fakes[0].dead = true;
  phase = 2;
  bool finished = runUntil(
      rig.io, [&]() { return done.load(); }, 10 * kj::SECONDS);
  other.join();
  REQUIRE(finished);
  CHECK(before == "r1");
  CHECK(after == "r2");
  CHECK(rig.router->primaryName() == "r2");
  auto placed = rig.wait(rig.desk->placeOrder(order("lead-1")));
  REQUIRE(answered(placed));
  CHECK(answered(placed)->origin == "r2");
}

TEST_CASE("connections to a shared port are spread over its loops, each accepting its own") {
  uint16_t picked = jh::test::pickFreePort();
  jh::SharedPort port("127.0.0.1:" + std::to_string(picked), 2);
  REQUIRE(port.port() == picked);
  std::atomic<int> accepted[2] = {0, 0};
  std::atomic<bool> stop{false};
  auto serve = [&](size_t i) {
    auto io = kj::setupAsyncIo();
    auto listener = port.take(i, *io.lowLevelProvider);
    kj::Vector<kj::Own<kj::AsyncIoStream>> kept;
    std::function<kj::Promise<void>()> acceptLoop = [&]() {
      return listener->accept().then([&](kj::Own<kj::AsyncIoStream> s) {
        kept.add(kj::mv(s));
        ++accepted[i];
        return acceptLoop();
      });
    };
    auto serving = acceptLoop().eagerlyEvaluate(nullptr);
    runUntil(
        io, [&]() { return stop.load(); }, 20 * kj::SECONDS);
  };
  // This thread's loop first, as the front-end's main() makes the lead's: a process's first loop
  // fills a static table inside libkj, and two threads filling it at once meet at a guard that is
  // safe but invisible to ThreadSanitizer (tests/support/tsan-suppressions.txt).
  auto io = kj::setupAsyncIo();
  std::thread a(serve, 0), b(serve, 1);
  kj::Vector<kj::Own<kj::AsyncIoStream>> clients;
  for (int i = 0; i < 32; ++i) {
    auto address =
        io.provider->getNetwork().parseAddress("127.0.0.1", port.port()).wait(io.waitScope);
    clients.add(address->connect().wait(io.waitScope));
  }
  bool all = jh::test::waitUntil([&] { return accepted[0] + accepted[1] == 32; },
                                 std::chrono::seconds(10));
  stop = true;
  a.join();
  b.join();
  REQUIRE(all);
  // The kernel hashes each connection to one socket: with 32, both get some (all on one: 2^-31).
  CHECK(accepted[0] > 0);
  CHECK(accepted[1] > 0);
}

TEST_CASE("a port where another socket listens is refused, even to another shared port") {
  auto ports = jh::test::pickFreePorts(2);
  std::string address = "127.0.0.1:" + std::to_string(ports[0]);
  jh::SharedPort first(address, 2);
  CHECK(sharedPortFailure(address, 2) ==
        "cannot listen on " + address + ": address already in use");

  auto io = kj::setupAsyncIo();
  std::string taken = "127.0.0.1:" + std::to_string(ports[1]);
  auto plain = jh::listenOn(io.provider->getNetwork(), taken, io.waitScope);
  CHECK(sharedPortFailure(taken, 1) == "cannot listen on " + taken + ": address already in use");
}

// The one bind to port 0 in the tests (tests/lint/check-port-zero.sh allows it by its marker):
// "port 0 picks one port for all" (shared-port.h) is what this case checks, and only a bind to
// port 0 makes the kernel pick. Its port comes from the ephemeral range, where no test server is
// ever told to listen (they take pickFreePort()'s, below it), and nothing connects to it.
TEST_CASE("port 0 gives every copy of a shared port the one port the kernel picked for the first") {
  jh::SharedPort any("127.0.0.1:0", 4);  // port-0-on-purpose: the feature under test
  REQUIRE(any.copies() == 4);
  REQUIRE(any.port() != 0);
  std::string address = "127.0.0.1:" + std::to_string(any.port());
  CHECK(sharedPortFailure(address, 1) ==
        "cannot listen on " + address + ": address already in use");
  auto io = kj::setupAsyncIo();
  for (size_t i = 0; i < any.copies(); ++i) {
    CHECK(any.take(i, *io.lowLevelProvider)->getPort() == any.port());
  }
}

TEST_CASE("the loops' threads run until stopped, and stop() resolves once every one has returned") {
  auto io = kj::setupAsyncIo();
  std::atomic<int> running{0};
  std::atomic<int> returned{0};
  jh::LoopThreads loops(3, [&](size_t, kj::AsyncIoContext& own, kj::Promise<void> stop) {
    ++running;
    stop.wait(own.waitScope);
    ++returned;
  });
  REQUIRE(runUntil(io, [&]() { return running == 2; }));
  CHECK(returned == 0);
  loops.stop().wait(io.waitScope);
  CHECK(returned == 2);
}

TEST_CASE("a loop whose body fails is reported to loop 0") {
  auto io = kj::setupAsyncIo();
  jh::LoopThreads loops(2, [](size_t, kj::AsyncIoContext&, kj::Promise<void>) {
    throw std::runtime_error("cannot listen on 127.0.0.1:1: permission denied");
  });
  CHECK_THROWS_WITH(loops.failed().wait(io.waitScope), doctest::Contains("permission denied"));
  loops.stop().wait(io.waitScope);
}

TEST_CASE(
    "the number of loops: --threads, then JH_FRONTEND_THREADS, then the cluster file, then the "
    "cores up to 8") {
  jh::NodeConfig self;
  ::unsetenv("JH_FRONTEND_THREADS");
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  CHECK(jh::chooseLoopCount(std::nullopt, self) == std::min<size_t>(cores, jh::DEFAULT_LOOPS_CAP));
  self.threads = 3;
  CHECK(jh::chooseLoopCount(std::nullopt, self) == 3);
  ::setenv("JH_FRONTEND_THREADS", "5", 1);
  CHECK(jh::chooseLoopCount(std::nullopt, self) == 5);
  CHECK(jh::chooseLoopCount(std::string("1"), self) == 1);
  CHECK_THROWS_AS(jh::chooseLoopCount(std::string("0"), self), jh::ConfigError);
  CHECK_THROWS_AS(jh::chooseLoopCount(std::string("65"), self), jh::ConfigError);
  CHECK_THROWS_AS(jh::chooseLoopCount(std::string("two"), self), jh::ConfigError);
  ::unsetenv("JH_FRONTEND_THREADS");
}
