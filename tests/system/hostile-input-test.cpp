// Hostile bytes on the replicas' and the front-end's ports (issue 7, point 1): garbage, HTTP,
// frame headers announcing gigantic messages, silent and idle connections by the thousand, and
// fields far over their limits. The server drops the offender, stays up and keeps serving others.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include <kj/async-io.h>

#include "schema/just-hungry.capnp.h"
#include "schema/orders/order.h"
#include "schema/orders/postcode-format.h"
#include "schema/rpc/rpc-link.h"
#include "tests/system/system-checks.h"

using namespace jh::test;
using namespace std::chrono_literals;

namespace {

const std::string PRIMARY = "replica.server1";
const std::string SECRET = "hostile-input-test cluster secret";
constexpr size_t HUGE_FIELD = 10u << 20;  // 10 MB: far over every field limit, under capnp's 64 MB

uint16_t portOf(const std::string& address) {
  return static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

// One raw TCP connection to 127.0.0.1, for bytes that no Cap'n Proto peer would send.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    timeval limit{3, 0};  // bounds connect() too
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      int e = errno;
      ::close(fd_);
      throw std::runtime_error("connect to port " + std::to_string(port) + ": " + std::strerror(e));
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(RawConnection&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  RawConnection& operator=(RawConnection&&) = delete;

  // Sends all of `bytes`; false when the server closed (or reset) the connection first.
  bool send(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // Whether the server closes (or resets) the connection within `timeout`; whatever it sends
  // before that is read and ignored.
  bool closedByServerWithin(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return false;
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0 && errno != EINTR && errno != EAGAIN) return true;  // ECONNRESET
    }
  }

 private:
  int fd_ = -1;
};

std::string le32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

// A Cap'n Proto stream frame header: (segment count - 1), then the first segment's size in words.
std::string frameHeader(uint32_t segmentCountMinusOne, uint32_t firstSegmentWords) {
  return le32(segmentCountMinusOne) + le32(firstSegmentWords);
}

std::string randomBytes(uint64_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

struct Attack {
  std::string name;
  std::string bytes;
};

// What a server must drop at once: nothing in these can ever become a message it accepts.
std::vector<Attack> droppedAttacks() {
  std::vector<Attack> attacks;
  for (uint64_t seed : {1, 2, 3})
    attacks.push_back(
        {"4 KB of random bytes, seed " + std::to_string(seed), randomBytes(seed, 4096)});
  attacks.push_back(
      {"an HTTP GET",
       "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"});
  attacks.push_back(
      {"a frame header announcing one segment of 2^29 words (4 GB)", frameHeader(0, 1u << 29)});
  attacks.push_back(
      {"a frame header announcing one segment of 2^32-1 words", frameHeader(0, 0xffffffffu)});
  attacks.push_back(
      {"a frame header announcing 4,294,967,295 segments", frameHeader(0xfffffffeu, 1)});
  attacks.push_back({"a frame header whose segment count wraps to 0", frameHeader(0xffffffffu, 1)});
  attacks.push_back({"a frame header announcing 600 segments",
                     frameHeader(599, 1) + std::string(600 * 4, '\x01')});
  return attacks;
}

std::string fdLimitOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Max open files", 0) == 0) return line;
  }
  return "(unknown)";
}

size_t openFdsOf(pid_t pid) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

// Raises this test process's own soft descriptor limit to at least `wanted` (within the hard
// limit); returns the soft limit now in force.
rlim_t raiseOwnFdLimit(rlim_t wanted) {
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  if (r.rlim_cur >= wanted) return r.rlim_cur;
  rlimit raised = r;
  raised.rlim_cur = std::max(wanted, r.rlim_cur);
  if (raised.rlim_max != RLIM_INFINITY && raised.rlim_max < wanted)
    raised.rlim_max = wanted;  // root may
  if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    raised.rlim_max = r.rlim_max;
    raised.rlim_cur = std::min(wanted, r.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &raised);
  }
  ::getrlimit(RLIMIT_NOFILE, &r);
  return r.rlim_cur;
}

// Checks that the cluster still serves someone who was not part of the attack: the attacked
// process runs (and, for a replica, answers health() READY), and a fresh user's order (placed
// by replica 1, the primary, which nothing should have displaced), list and status all succeed.
// With `newConnections` false, the attacked replica is not asked directly: while a flood holds all
// its descriptors, only connections made before the flood (the front-end's) can be served.
void checkStillServing(TestCluster& cluster, const std::string& attacked, const std::string& what,
                       bool newConnections = true) {
  static int users = 0;
  std::string user = "bystander-" + std::to_string(++users);
  INFO("after " << what << " on " << attacked);
  CHECK(cluster.isRunning(attacked));
  if (attacked != TestCluster::FRONTEND && newConnections) {
    auto h = cluster.replicaHealth(attacked);
    CHECK(h.has_value());
    if (h) CHECK(h->state == "READY");
  }
  auto placed = cluster.runClient({"--user", user, "--json", "order", "CHIPS", "AB10 1AB"}, 10s);
  INFO("order: " << placed.out << placed.err);
  CHECK(placed.exitCode == 0);
  CHECK(jsonField(placed.out, "origin") == PRIMARY);
  auto listed = cluster.runClient({"--user", user, "--json", "orders"}, 10s);
  INFO("orders: " << listed.out << listed.err);
  CHECK(listed.exitCode == 0);
  CHECK(idsInOrdersJson(listed.out).size() == (placed.exitCode == 0 ? 1u : 0u));
  auto status = cluster.runClient({"--json", "status"}, 10s);
  INFO("status: " << status.out << status.err);
  CHECK(status.exitCode == 0);
}

// The outcome of one direct RPC: a reply (placed, listed or rejected with a code) or a failure.
struct CallOutcome {
  bool replied = false;
  std::string rejected;  // the reject code's name, when the reply was a rejection
  std::string failure;   // the exception's description, when the call failed
  bool disconnected = false;
};

// Runs `call(client)` on a thread with its own event loop (the test thread has none), bounded by
// 20 s. With `gateSecret`, the connection first presents it to the replica's ReplicaGate, as the
// front-end and the other replicas do.
template <typename Interface, typename Call>
CallOutcome callDirect(const std::string& address, Call call,
                       std::optional<std::string> gateSecret = std::nullopt) {
  CallOutcome out;
  std::thread worker([&]() {
    try {
      auto io = kj::setupAsyncIo();
      auto& timer = io.provider->getTimer();
      kj::Maybe<jh::RpcLink::Opener> opener;
      if (gateSecret) opener = jh::replicaOpener(*gateSecret);
      jh::RpcLink link(io.provider->getNetwork(), timer, address, 2000, kj::mv(opener));
      auto reply = link.get<Interface>().then(
          [&](typename Interface::Client client) { return call(client); });
      out = timer.timeoutAfter(20 * kj::SECONDS, kj::mv(reply)).wait(io.waitScope);
    } catch (const kj::Exception& e) {
      out.failure = e.getDescription().cStr();
      out.disconnected = e.getType() == kj::Exception::Type::DISCONNECTED;
    }
  });
  worker.join();
  return out;
}

template <typename Result>
CallOutcome outcomeOf(Result result) {
  CallOutcome out;
  out.replied = true;
  if (result.isRejected()) out.rejected = jh::rejectCodeName(result.getRejected().getCode());
  return out;
}

// A text field of `size` bytes, filled in place (no 10 MB temporaries).
void fillText(capnp::Text::Builder text, char c) { std::memset(text.begin(), c, text.size()); }

// Refused with one of `codes`, or dropped: anything but a placed order, a hang or a crash.
bool refusedOrDropped(const CallOutcome& o, const std::vector<std::string>& codes) {
  if (!o.replied) return o.disconnected;
  for (auto& c : codes) {
    if (o.rejected == c) return true;
  }
  return false;
}

// Fills every field of `order` as the front-end would, for order id `id`.
void setWellFormed(jh::rpc::Order::Builder order, const std::string& id) {
  order.setOrderId(id);
  order.setUserCode("mallory");
  order.setItem("CHIPS");
  order.setPricePence(295);
  order.setTimeStamp("2026-11-21T10:00:00.000Z");
  order.setPostCode("AB10 1AB");
  order.setArea("Aberdeen City");
  order.setStatus("CONFIRMED");
}

// placeOrder sent straight to a replica: a well-formed order but for `field`, which is 10 MB.
CallOutcome placeOnReplica(const std::string& address, const std::string& field) {
  return callDirect<jh::rpc::Replica>(
      address,
      [&](jh::rpc::Replica::Client r) {
        auto req = r.placeOrderRequest();
        auto order = req.initOrder();
        setWellFormed(order, "huge-" + field);
        if (field == "userCode") fillText(order.initUserCode(HUGE_FIELD), 'u');
        if (field == "orderId") fillText(order.initOrderId(HUGE_FIELD), 'i');
        if (field == "item") fillText(order.initItem(HUGE_FIELD), 'I');
        if (field == "postCode") fillText(order.initPostCode(HUGE_FIELD), 'P');
        if (field == "area") fillText(order.initArea(HUGE_FIELD), 'a');
        if (field == "timeStamp") fillText(order.initTimeStamp(HUGE_FIELD), '2');
        if (field == "status") fillText(order.initStatus(HUGE_FIELD), 'S');
        return req.send().then([](auto reply) { return outcomeOf(reply.getResult()); });
      },
      SECRET);
}

// A cluster as deployed: the replicas' ports closed to callers without the cluster secret.
ClusterOptions guarded() {
  ClusterOptions o;
  o.secret = SECRET;
  return o;
}

}  // namespace

TEST_CASE(
    "random bytes, an HTTP request and frame headers announcing gigantic messages are dropped on a "
    "replica's and the front-end's ports, and both keep serving") {
  TestCluster cluster(guarded());
  for (const std::string& target : {PRIMARY, std::string(TestCluster::FRONTEND)}) {
    uint16_t port = portOf(cluster.address(target));
    for (auto& attack : droppedAttacks()) {
      INFO(attack.name << " on " << target << " (port " << port << ")");
      RawConnection hostile(port);
      hostile.send(attack.bytes);  // the server may close before it has all of them
      CHECK(hostile.closedByServerWithin(3s));
      checkStillServing(cluster, target, attack.name);
    }
  }
}

TEST_CASE(
    "well-framed messages of random words on a replica's and the front-end's ports leave both "
    "serving") {
  TestCluster cluster(guarded());
  for (const std::string& target : {PRIMARY, std::string(TestCluster::FRONTEND)}) {
    uint16_t port = portOf(cluster.address(target));
    for (uint64_t seed = 0; seed < 100; ++seed) {
      std::mt19937_64 rng(seed);
      uint32_t words = 1 + static_cast<uint32_t>(rng() % 64);
      std::string body = randomBytes(seed + 1000, words * 8);
      if (seed % 2 == 0)
        body.replace(0, 8, std::string("\x00\x00\x00\x00\x01\x00\x01\x00", 8));  // a struct root
      RawConnection hostile(port);
      hostile.send(frameHeader(0, words) + body);
      // Some of these decode as messages the server waits on; closing ends them all.
      hostile.closedByServerWithin(20ms);
    }
    checkStillServing(cluster, target, "100 frames of random words");
  }
}

TEST_CASE(
    "a silent connection and connections stalled halfway through a frame do not hold up other "
    "clients") {
  TestCluster cluster(guarded());
  for (const std::string& target : {PRIMARY, std::string(TestCluster::FRONTEND)}) {
    uint16_t port = portOf(cluster.address(target));
    RawConnection silent(port);
    RawConnection halfHeader(port);
    CHECK(halfHeader.send(le32(0)));  // four of the header's eight bytes
    RawConnection halfBody(port);
    CHECK(halfBody.send(frameHeader(0, 100) + std::string(8 * 10, '\0')));  // 10 of 100 words
    RawConnection nearLimit(port);
    CHECK(nearLimit.send(frameHeader(0, (8u << 20) - 1)));  // just under 64 MB, never sent
    auto began = std::chrono::steady_clock::now();
    checkStillServing(cluster, target, "a silent connection and three stalled frames");
    auto tookMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - began)
                      .count();
    MESSAGE("order, list and status with four stalled connections to " << target << ": " << tookMs
                                                                       << " ms");
    CHECK(tookMs < 10000);
  }
}

TEST_CASE(
    "a thousand idle connections on a replica's and on the front-end's port leave ordering, "
    "listing and status working") {
  constexpr size_t IDLE = 1000;
  rlim_t own = raiseOwnFdLimit(2 * IDLE + 256);
  REQUIRE_MESSAGE(own >= 2 * IDLE + 64,
                  "this test needs " << 2 * IDLE + 64 << " descriptors; the limit is " << own);
  TestCluster cluster(guarded());
  for (const std::string& name : {PRIMARY, std::string(TestCluster::FRONTEND)}) {
    MESSAGE(name << " (pid " << cluster.pid(name) << "): " << fdLimitOf(cluster.pid(name)));
  }
  std::vector<RawConnection> idle;
  idle.reserve(2 * IDLE);
  for (const std::string& target : {PRIMARY, std::string(TestCluster::FRONTEND)}) {
    uint16_t port = portOf(cluster.address(target));
    for (size_t i = 0; i < IDLE; ++i) idle.emplace_back(port);
  }
  // Let both servers accept them all before anyone else asks.
  waitUntil(
      [&]() {
        return openFdsOf(cluster.pid(PRIMARY)) >= IDLE &&
               openFdsOf(cluster.pid(TestCluster::FRONTEND)) >= IDLE;
      },
      5s, 50ms);
  MESSAGE("open descriptors with " << IDLE << " idle connections each: " << PRIMARY << " "
                                   << openFdsOf(cluster.pid(PRIMARY)) << ", front-end "
                                   << openFdsOf(cluster.pid(TestCluster::FRONTEND)));
  checkStillServing(cluster, PRIMARY, "1,000 idle connections to it and 1,000 to the front-end");
  checkStillServing(cluster, TestCluster::FRONTEND,
                    "1,000 idle connections to it and 1,000 to replica 1");
  idle.clear();
  checkStillServing(cluster, PRIMARY, "2,000 idle connections closed at once");
}

// With the descriptor limit that most systems give a process (1024), a thousand-odd idle
// connections are enough to run a server out of descriptors. It must refuse what it cannot take,
// keep serving the connections it has, and take new ones again once descriptors are free.
TEST_CASE(
    "a replica at a 1024-descriptor limit keeps serving its front-end and accepts again once idle "
    "connections close") {
  constexpr size_t FLOOD = 1100;
  REQUIRE(raiseOwnFdLimit(FLOOD + 256) >= FLOOD + 64);
  TestCluster cluster(guarded());
  pid_t pid = cluster.pid(PRIMARY);
  rlimit limit{1024, 1024};
  REQUIRE(::prlimit(pid, RLIMIT_NOFILE, &limit, nullptr) == 0);
  {
    std::vector<RawConnection> flood;
    uint16_t port = portOf(cluster.address(PRIMARY));
    for (size_t i = 0; i < FLOOD; ++i) flood.emplace_back(port);  // the excess waits in the backlog
    CHECK(waitUntil([&]() { return openFdsOf(pid) >= 1000; }, 10s));  // accepted up to its limit
    MESSAGE(PRIMARY << " holds " << openFdsOf(pid) << " descriptors with " << FLOOD
                    << " connections pending");
    // The front-end's own connection to replica 1 was made before the flood: it still works.
    checkStillServing(cluster, PRIMARY,
                      std::to_string(FLOOD) + " idle connections held against a 1024 limit",
                      /*newConnections=*/false);
  }
  bool servesAgain =
      waitUntil([&]() { return cluster.replicaHealth(PRIMARY).has_value(); }, 5s, 100ms);
  INFO(PRIMARY << " log:\n" << tailLines(cluster.logText(PRIMARY), 10));
  CHECK(servesAgain);
  if (servesAgain) {
    checkStillServing(cluster, PRIMARY, "the flood's connections closed");
  } else if (cluster.isRunning(PRIMARY)) {
    MESSAGE(PRIMARY << " is still running but answers nothing (hung); killing it");
    cluster.kill(PRIMARY, SIGKILL);  // it would ignore TERM too: don't wait out the grace period
  } else {
    MESSAGE(PRIMARY << " has exited");
  }
}

TEST_CASE(
    "the front-end at a 1024-descriptor limit stays up and accepts clients again once idle "
    "connections close") {
  constexpr size_t FLOOD = 1100;
  REQUIRE(raiseOwnFdLimit(FLOOD + 256) >= FLOOD + 64);
  TestCluster cluster(guarded());
  pid_t pid = cluster.pid(TestCluster::FRONTEND);
  rlimit limit{1024, 1024};
  REQUIRE(::prlimit(pid, RLIMIT_NOFILE, &limit, nullptr) == 0);
  {
    std::vector<RawConnection> flood;
    uint16_t port = portOf(cluster.address(TestCluster::FRONTEND));
    for (size_t i = 0; i < FLOOD; ++i) flood.emplace_back(port);
    CHECK(waitUntil([&]() { return openFdsOf(pid) >= 1000; }, 10s));  // accepted up to its limit
    CHECK(cluster.isRunning(TestCluster::FRONTEND));
  }
  bool servesAgain = waitUntil([&]() { return cluster.frontendStatus().has_value(); }, 5s, 100ms);
  INFO("front-end log:\n" << tailLines(cluster.logText(TestCluster::FRONTEND), 10));
  CHECK(servesAgain);
  if (servesAgain)
    checkStillServing(cluster, TestCluster::FRONTEND, "the flood's connections closed");
}

// "Max open files" of /proc/PID/limits: {soft, hard}, as written there.
std::pair<std::string, std::string> fdLimitsOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream fields(line.substr(std::string("Max open files").size()));
    std::string soft, hard;
    fields >> soft >> hard;
    return {soft, hard};
  }
  return {};
}

TEST_CASE(
    "the front-end and the replicas, started under a soft descriptor limit of 1024, raise it to "
    "the hard limit") {
  REQUIRE(raiseOwnFdLimit(4096) >= 1024);
  rlimit own{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &own) == 0);
  if (own.rlim_max <= 1024) {
    MESSAGE("the hard descriptor limit here is " << own.rlim_max << ": nothing to raise to");
    return;
  }
  rlimit low{1024, own.rlim_max};
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
  std::optional<TestCluster> cluster;
  try {
    cluster.emplace(guarded());  // its processes inherit the low soft limit
  } catch (...) {
    ::setrlimit(RLIMIT_NOFILE, &own);
    throw;
  }
  ::setrlimit(RLIMIT_NOFILE, &own);
  std::string hard = std::to_string(own.rlim_max);
  std::vector<std::string> names = cluster->replicaNames();
  names.push_back(TestCluster::FRONTEND);
  for (const std::string& name : names) {
    INFO(name);
    auto [soft, hardNow] = fdLimitsOf(cluster->pid(name));
    CHECK(soft == hard);
    CHECK(hardNow == hard);
  }
  CHECK(cluster->logText(TestCluster::FRONTEND)
            .find("raised the limit on open descriptors from 1024 to " + hard) !=
        std::string::npos);
}

TEST_CASE(
    "10 MB fields in direct placeOrder and getOrders calls are refused on both ports and nothing "
    "is written") {
  TestCluster cluster(guarded());
  const auto before = snapshotOrderFiles(cluster);
  const std::string frontend = cluster.address(TestCluster::FRONTEND);
  const std::string replica = cluster.address(PRIMARY);

  // The front-end's placeOrder, with one field at a time 10 MB long.
  struct Field {
    std::string name;
    std::vector<std::string> codes;
  };
  for (auto& field : {Field{"userCode", {"INVALID_USER_CODE"}}, Field{"orderId", {"INVALID_ORDER"}},
                      Field{"item", {"UNKNOWN_ITEM", "INVALID_ORDER"}},
                      Field{"postCode", {"INVALID_POSTCODE"}}}) {
    std::string which = field.name;
    auto o = callDirect<jh::rpc::FrontEnd>(frontend, [&](jh::rpc::FrontEnd::Client fe) {
      auto req = fe.placeOrderRequest();
      req.setOrderId("huge-" + which);
      req.setUserCode("mallory");
      req.setItem("CHIPS");
      req.setPostCode("AB10 1AB");
      if (which == "userCode") fillText(req.initUserCode(HUGE_FIELD), 'u');
      if (which == "orderId") fillText(req.initOrderId(HUGE_FIELD), 'i');
      if (which == "item") fillText(req.initItem(HUGE_FIELD), 'I');
      if (which == "postCode") fillText(req.initPostCode(HUGE_FIELD), 'P');
      return req.send().then([](auto reply) { return outcomeOf(reply.getResult()); });
    });
    INFO("front-end placeOrder with a 10 MB " << which << ": rejected " << o.rejected
                                              << ", failure " << o.failure);
    CHECK(refusedOrDropped(o, field.codes));
  }
  auto listed = callDirect<jh::rpc::FrontEnd>(frontend, [&](jh::rpc::FrontEnd::Client fe) {
    auto req = fe.getOrdersRequest();
    fillText(req.initUserCode(HUGE_FIELD), 'u');
    return req.send().then([](auto reply) { return outcomeOf(reply.getResult()); });
  });
  INFO("front-end getOrders with a 10 MB user code: rejected " << listed.rejected << ", failure "
                                                               << listed.failure);
  CHECK(refusedOrDropped(listed, {"INVALID_USER_CODE"}));

  // The primary's placeOrder, straight to its port, bypassing the front-end's checks.
  for (auto& field : {Field{"userCode", {"INVALID_USER_CODE"}}, Field{"orderId", {"INVALID_ORDER"}},
                      Field{"item", {"INVALID_ORDER", "UNKNOWN_ITEM"}}}) {
    auto o = placeOnReplica(replica, field.name);
    INFO("replica placeOrder with a 10 MB " << field.name << ": rejected " << o.rejected
                                            << ", failure " << o.failure);
    CHECK(refusedOrDropped(o, field.codes));
  }
  auto replicaList = callDirect<jh::rpc::Replica>(
      replica,
      [&](jh::rpc::Replica::Client r) {
        auto req = r.getOrdersRequest();
        fillText(req.initUserCode(HUGE_FIELD), 'u');
        return req.send().then([](auto reply) {
          auto o = outcomeOf(reply.getResult());
          if (o.rejected.empty() && reply.getResult().getOrders().size() != 0)
            o.rejected = "(orders listed)";
          return o;
        });
      },
      SECRET);
  INFO("replica getOrders with a 10 MB user code: rejected " << replicaList.rejected << ", failure "
                                                             << replicaList.failure);
  CHECK((replicaList.replied || replicaList.disconnected));
  CHECK(replicaList.rejected != "(orders listed)");

  // No waiting: a replica answers only once what it stored is durable, so the attacked one's file
  // is final now, and the others could only have received a row from it.
  CHECK((snapshotOrderFiles(cluster) == before));
  checkStillServing(cluster, PRIMARY, "10 MB fields in direct calls");
  checkStillServing(cluster, TestCluster::FRONTEND, "10 MB fields in direct calls");
}

TEST_CASE(
    "a replica's gate refuses a 10 MB secret and a wrong one, and the replica keeps serving") {
  TestCluster cluster(guarded());
  for (size_t size : {HUGE_FIELD, size_t{5}}) {
    auto o = callDirect<jh::rpc::ReplicaGate>(
        cluster.address(PRIMARY), [&](jh::rpc::ReplicaGate::Client gate) {
          auto open = gate.openRequest();
          auto secret = open.initSecret(static_cast<unsigned>(size));
          std::memset(secret.begin(), 's', secret.size());
          // Pipelined on the refused capability: it must fail, never place an order.
          auto req = open.send().getReplica().placeOrderRequest();
          setWellFormed(req.initOrder(), "gate-crasher");
          return req.send().then([](auto reply) { return outcomeOf(reply.getResult()); });
        });
    INFO("open with a " << size << "-byte wrong secret, then placeOrder: "
                        << (o.replied ? "replied " + o.rejected : "failed: " + o.failure));
    CHECK(!o.replied);
    CHECK(idsOnFile(cluster, PRIMARY).count("gate-crasher") == 0);
  }
  checkStillServing(cluster, PRIMARY, "wrong secrets at its gate");
}

// The front-end checks the postcode and stamps the time and area, so it never sends these long;
// but the replica's port is as open as the front-end's, and what a replica stores it fsyncs,
// propagates to every peer and serves to readers forever.
TEST_CASE(
    "a replica's placeOrder refuses a 10 MB postcode, area, time stamp or status and stores "
    "nothing") {
  TestCluster cluster(guarded());
  const auto before = snapshotOrderFiles(cluster);
  for (std::string field : {"postCode", "area", "timeStamp", "status"}) {
    auto o = placeOnReplica(cluster.address(PRIMARY), field);
    INFO("replica placeOrder with a 10 MB " << field << ": rejected " << o.rejected << ", failure "
                                            << o.failure);
    CHECK(refusedOrDropped(o, {"INVALID_ORDER", "INVALID_POSTCODE"}));
  }
  // No waiting: the replica answered only once anything it stored was durable, and the others
  // could only have received a row from it.
  auto after = snapshotOrderFiles(cluster);
  for (auto& name : cluster.replicaNames()) {
    INFO(name << "'s orders.csv went from " << before.at(name).size() << " to "
              << after[name].size() << " bytes");
    CHECK((after[name] == before.at(name)));
  }
  checkStillServing(cluster, PRIMARY, "10 MB fields in direct placeOrder calls");
}

// replicate() is how replicas push orders to each other. Only holders of the cluster secret reach
// it, but a peer with a bug (or an old version) is enough: an order over the field limits must
// not be stored, since it would be fsynced, propagated to every replica and served forever.
TEST_CASE(
    "a replicate call carrying an order with a 10 MB user code stores nothing on any replica") {
  TestCluster cluster(guarded());
  auto pushed = callDirect<jh::rpc::Replica>(
      cluster.address(PRIMARY),
      [&](jh::rpc::Replica::Client r) {
        auto req = r.replicateRequest();
        req.setSender("replica.server2");
        auto order = req.initOrders(1)[0];
        setWellFormed(order, "huge-replicated");
        fillText(order.initUserCode(HUGE_FIELD), 'u');
        order.setOrigin("replica.server2");
        order.setSeq(1);
        return req.send().then([](auto) {
          CallOutcome o;
          o.replied = true;
          return o;
        });
      },
      SECRET);
  MESSAGE("replicate with a 10 MB user code: " << (pushed.replied ? "answered"
                                                                  : "failed: " + pushed.failure));
  // No waiting: replicate answers only once what it stored is durable, and only the attacked
  // replica could have passed the row on.
  for (auto& name : cluster.replicaNames()) {
    INFO(name);
    auto h = cluster.replicaHealth(name);
    REQUIRE(h.has_value());
    CHECK(h->orderCount == 0);
    CHECK(readFile(cluster.replicaDir(name) + "/orders.csv").size() < HUGE_FIELD);
  }
  checkStillServing(cluster, PRIMARY, "a replicate call with a 10 MB user code");
}

TEST_CASE(
    "overlong item, postcode, order id and user code through jh-client are refused with exit code "
    "1 and nothing is written") {
  TestCluster cluster(guarded());
  const auto before = snapshotOrderFiles(cluster);
  const std::string longText(100000, 'A');  // under the kernel's 128 KB limit on one argument
  // "AB10 1AB" padded with spaces between the codes to the longest input judged, and one past it.
  const std::string paddedPostcode = "AB10" + std::string(jh::MAX_POSTCODE_INPUT - 7, ' ') + "1AB";
  struct Case {
    std::string what;
    std::vector<std::string> args;
    std::vector<std::string> codes;
  };
  std::vector<Case> cases = {
      {"a 100,000-byte item",
       {"--user", "oscar", "order", longText, "AB10 1AB"},
       {"UNKNOWN_ITEM", "INVALID_ORDER"}},
      {"a 201-byte item",
       {"--user", "oscar", "order", std::string(201, 'C'), "AB10 1AB"},
       {"UNKNOWN_ITEM", "INVALID_ORDER"}},
      {"a 100,000-byte postcode",
       {"--user", "oscar", "order", "CHIPS", longText},
       {"INVALID_POSTCODE"}},
      {"a 257-byte postcode",
       {"--user", "oscar", "order", "CHIPS", " " + paddedPostcode},
       {"INVALID_POSTCODE"}},
      {"a 100,000-byte order id",
       {"--user", "oscar", "order", "CHIPS", "AB10 1AB", "--id", longText},
       {"INVALID_ORDER"}},
      {"a 65-byte order id",
       {"--user", "oscar", "order", "CHIPS", "AB10 1AB", "--id", std::string(65, 'a')},
       {"INVALID_ORDER"}},
      {"a 100,000-byte user code",
       {"--user", longText, "order", "CHIPS", "AB10 1AB"},
       {"INVALID_USER_CODE"}},
      {"a 100,000-byte user code listing", {"--user", longText, "orders"}, {"INVALID_USER_CODE"}},
  };
  for (auto& c : cases) {
    auto args = c.args;
    args.insert(args.begin(), "--json");
    auto r = cluster.runClient(args, 10s);
    INFO(c.what << ": exit " << r.exitCode << ", " << r.out.substr(0, 300) << r.err.substr(0, 300));
    CHECK(r.exitCode == 1);
    bool named = false;
    for (auto& code : c.codes) named = named || r.out.find(code) != std::string::npos;
    CHECK(named);
  }
  CHECK((snapshotOrderFiles(cluster) == before));
  // The longest accepted id, postcode input and a 64-character user code still work: the limits
  // sit where stated.
  auto longest = cluster.runClient({"--user", std::string(64, 'u'), "--json", "order", "CHIPS",
                                    paddedPostcode, "--id", std::string(64, 'a')},
                                   10s);
  INFO(longest.out << longest.err);
  CHECK(longest.exitCode == 0);
  CHECK(jsonField(longest.out, "post_code") == "AB10 1AB");
  REQUIRE(waitOnEveryReplica(cluster, {std::string(64, 'a')}));
  for (auto& name : cluster.replicaNames()) CHECK(cluster.readOrdersCsv(name).size() == 1);
  checkStillServing(cluster, TestCluster::FRONTEND, "overlong fields through jh-client");
}
