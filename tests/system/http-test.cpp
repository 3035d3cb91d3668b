// The HTTP door of a real front-end (DESIGN.md §6): the same orders as the RPC door, idempotent
// through a kill -9 of the primary, and a thousand idle connections that neither HTTP nor RPC
// ordering notices, shed at the header timeout.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "schema/runtime/daemon.h"
#include "tests/support/harness/loopback-http.h"
#include "tests/system/system-checks.h"

using namespace jh::test;
using namespace std::chrono_literals;

namespace {

ClusterOptions withHttp(uint32_t minAcks = 0, std::string settings = "\"rate_per_s\": 0") {
  ClusterOptions o;
  o.http = true;
  o.httpSettings = std::move(settings);
  o.minAcks = minAcks;
  return o;
}

HttpExchange order(const TestCluster& cluster, const std::string& key, const std::string& user,
                   const std::string& item, const std::string& postcode) {
  std::string body =
      R"({"user_code":")" + user + R"(","item":")" + item + R"(","post_code":")" + postcode + "\"}";
  return httpRequest(cluster.httpPort(), "POST", "/api/orders",
                     {{"Content-Type", "application/json"}, {"Idempotency-Key", key}}, body);
}

// A TCP connection to 127.0.0.1:port that sends nothing; -1 when it cannot be made.
int idleConnection(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
  if (fd >= 0) close(fd);
  return -1;
}

// Whether the far end has closed `fd`: what it sent read, then the end of the stream (or a reset).
bool closedByPeer(int fd) {
  for (;;) {
    char buffer[512];
    ssize_t got = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got == 0) return true;
    if (got < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  }
}

}  // namespace

TEST_CASE(
    "a dish ordered through HTTP is 201, a repeat of its key returns it without a second row, "
    "another dish under the key is 409, and jh-client lists it") {
  TestCluster cluster(withHttp());
  HttpExchange first = order(cluster, "web-1", "ann", "hamburger", "ab10 1ab");
  INFO(first.body);
  REQUIRE(first.status == 201);
  CHECK(jsonField(first.body, "order_id") == "web-1");
  CHECK(jsonField(first.body, "price") == "7.85");
  CHECK(jsonField(first.body, "area") == "Aberdeen City");
  HttpExchange again = order(cluster, "web-1", "ann", "HAMBURGER", "AB10 1AB");
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  HttpExchange other = order(cluster, "web-1", "ann", "CHIPS", "AB10 1AB");
  CHECK(other.status == 409);
  CHECK(other.body.find("CONFLICTING_ORDER_ID") != std::string::npos);

  auto listed = httpExchange(cluster.httpPort(), "GET", "/api/orders?user=ann");
  REQUIRE(listed.status == 200);
  auto viaHttp = ordersInJson(listed.body);
  auto viaRpc = cluster.runClient({"--user", "ann", "--json", "orders"});
  INFO(viaRpc.out << viaRpc.err);
  REQUIRE(viaRpc.exitCode == 0);
  CHECK(idsInOrdersJson(viaRpc.out) == std::vector<std::string>{"web-1"});
  REQUIRE(viaHttp);
  REQUIRE(viaHttp->size() == 1);
  CHECK((*viaHttp)[0].timeStamp == jsonField(first.body, "time_stamp"));
  REQUIRE(waitOnEveryReplica(cluster, {"web-1"}));
  for (auto& r : cluster.replicaNames()) CHECK(idsOnFile(cluster, r).count("web-1") == 1);

  auto page = httpExchange(cluster.httpPort(), "GET", "/");
  CHECK(page.status == 200);
  CHECK(page.header("Content-Security-Policy").value_or("").find("default-src 'self'") !=
        std::string::npos);
}

TEST_CASE(
    "an order through HTTP is placed again after a kill -9 of the primary, and its repeat on the "
    "new primary is the same order") {
  TestCluster cluster(withHttp(1));
  HttpExchange first = order(cluster, "web-1", "bea", "CHIPS", "M1 1AD");
  INFO(first.body);
  REQUIRE(first.status == 201);
  REQUIRE(cluster.kill("replica.server1", SIGKILL));
  HttpExchange second = order(cluster, "web-2", "bea", "CHIPS", "M1 1AD");
  INFO(second.body);
  CHECK(second.status == 201);
  CHECK(jsonField(second.body, "origin") == "replica.server2");
  HttpExchange repeat = order(cluster, "web-1", "bea", "CHIPS", "M1 1AD");
  CHECK(repeat.status == 201);
  CHECK(repeat.body == first.body);  // acknowledged with min_acks 1: a backup held it already
  auto status = httpExchange(cluster.httpPort(), "GET", "/api/status");
  CHECK(jsonField(status.body, "primary") == "replica.server2");
  auto listed = ordersInJson(httpExchange(cluster.httpPort(), "GET", "/api/orders?user=bea").body);
  REQUIRE(listed);
  CHECK(listed->size() == 2);
}

TEST_CASE(
    "timing: a thousand idle HTTP connections leave ordering through HTTP and RPC working, and are "
    "closed at the header timeout") {
  jh::raiseDescriptorLimit();  // a thousand descriptors here too
  TestCluster cluster(withHttp(0, "\"rate_per_s\": 0, \"header_timeout_ms\": 3000"));
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    int fd = idleConnection(cluster.httpPort());
    if (fd < 0) break;
    idle.push_back(fd);
  }
  REQUIRE(idle.size() == 1000);
  // One more sends its head a byte at a time, as a slowloris does.
  int slow = idleConnection(cluster.httpPort());
  REQUIRE(slow >= 0);
  REQUIRE(send(slow, "G", 1, MSG_NOSIGNAL) == 1);

  auto began = std::chrono::steady_clock::now();
  CHECK(order(cluster, "busy-1", "cy", "CHIPS", "AB10 1AB").status == 201);
  auto viaRpc = cluster.runClient({"--user", "cy", "--json", "order", "CHIPS", "AB10 1AB"});
  INFO(viaRpc.out << viaRpc.err);
  CHECK(viaRpc.exitCode == 0);
  CHECK(std::chrono::steady_clock::now() - began < 2s);  // well before the idle ones are shed

  bool shed = waitUntil(
      [&]() {
        send(slow, "E", 1, MSG_NOSIGNAL);
        for (int fd : idle) {
          if (!closedByPeer(fd)) return false;
        }
        return closedByPeer(slow);
      },
      10s, 200ms);
  CHECK(shed);
  for (int fd : idle) close(fd);
  close(slow);
  CHECK(order(cluster, "busy-2", "cy", "CHIPS", "AB10 1AB").status == 201);
  CHECK(cluster.stop(TestCluster::FRONTEND) == 0);
}

TEST_CASE(
    "a front-end on two loops without its web page says so once and serves the API alone on every "
    "loop") {
  ClusterOptions o = withHttp();
  o.pageDir = "/nonexistent/just-hungry-page";
  o.environment[TestCluster::FRONTEND] = {"JH_FRONTEND_THREADS=2"};
  TestCluster cluster(o);
  // Each request on a connection of its own: the kernel spreads them over both loops' listeners.
  for (int i = 0; i < 8; ++i) {
    CHECK(httpRequest(cluster.httpPort(), "GET", "/", {}, "").status == 404);
    CHECK(httpRequest(cluster.httpPort(), "GET", "/api/motd", {}, "").status == 200);
  }
  std::string log = cluster.logText(TestCluster::FRONTEND);
  size_t warnings = 0;
  for (size_t at = log.find("no web page"); at != std::string::npos;
       at = log.find("no web page", at + 1))
    ++warnings;
  CHECK(warnings == 1);
}
