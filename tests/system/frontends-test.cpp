// Two front-ends listed in the cluster file: killing one does not stop a client that knows both,
// whether it runs one command at a time or a person is in the middle of a session.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include "tests/system/system-checks.h"

using namespace jh::test;
using namespace std::chrono_literals;

namespace {

ClusterOptions twoFrontEnds() {
  ClusterOptions o;
  o.frontends = 2;
  return o;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// An interactive jh-client whose keyboard is a FIFO: type() sends a line, waitFor() polls its
// screen (standard output, in a file) for a text.
class TypedSession {
 public:
  explicit TypedSession(const TestCluster& cluster)
      : input_(cluster.dir() + "/client.in"), screen_(cluster.dir() + "/logs/client.out") {
    REQUIRE(mkfifo(input_.c_str(), 0600) == 0);
    // Opened for reading and writing, so that neither this open nor the client's blocks.
    keyboard_ = open(input_.c_str(), O_RDWR | O_CLOEXEC);
    REQUIRE(keyboard_ >= 0);
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{cluster.binary("jh-client"), "--cluster", cluster.clusterFile()},
        cluster.dir(), screen_, cluster.dir() + "/logs/client.err", input_);
  }
  ~TypedSession() {
    if (keyboard_ >= 0) close(keyboard_);
  }

  void type(const std::string& line) {
    std::string text = line + "\n";
    REQUIRE(write(keyboard_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }
  // Whether the screen shows `text` at least `times` times within `timeout`.
  bool waitFor(const std::string& text, size_t times = 1,
               std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    return waitUntil([&]() { return count(screen(), text) >= times; }, timeout);
  }
  std::string screen() const { return readFile(screen_); }
  ChildProcess& process() { return *process_; }

 private:
  std::string input_;
  std::string screen_;
  int keyboard_ = -1;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace

TEST_CASE(
    "with two front-ends listed, jh-client orders through the other when one is killed, "
    "either one") {
  TestCluster cluster(twoFrontEnds());
  CHECK(cluster.frontendNames() == std::vector<std::string>{"just.hungry", "just.hungry.2"});
  auto first = cluster.runClient({"--user", "gil", "--json", "order", "HAMBURGER", "AB10 1AB"});
  REQUIRE(first.exitCode == 0);

  REQUIRE(cluster.kill(TestCluster::FRONTEND, SIGKILL));
  REQUIRE(waitUntil([&]() { return !cluster.isRunning(TestCluster::FRONTEND); }, 5s));
  auto second = cluster.runClient({"--user", "gil", "--json", "order", "CHIPS", "AB10 1AB"});
  INFO(second.out << second.err);
  REQUIRE(second.exitCode == 0);

  // And the other way round: the first back, the second killed.
  cluster.start(TestCluster::FRONTEND);
  REQUIRE(cluster.waitFrontendUp());
  REQUIRE(cluster.kill("just.hungry.2", SIGKILL));
  auto third = cluster.runClient({"--user", "gil", "--json", "order", "FISH FINGERS", "AB10 1AB"});
  INFO(third.out << third.err);
  REQUIRE(third.exitCode == 0);

  auto listed = cluster.runClient({"--user", "gil", "--json", "orders"});  // newest first
  CHECK(idsInOrdersJson(listed.out) == std::vector<std::string>{jsonField(third.out, "order_id"),
                                                                jsonField(second.out, "order_id"),
                                                                jsonField(first.out, "order_id")});
}

TEST_CASE(
    "an interactive session survives the kill of its front-end, with one line saying it "
    "reconnected") {
  TestCluster cluster(twoFrontEnds());
  TypedSession person(cluster);
  INFO(person.screen());
  REQUIRE(person.waitFor("Your user code: "));
  person.type("hal");
  REQUIRE(person.waitFor("What next?"));
  person.type("1");
  REQUIRE(person.waitFor("Which dish?"));
  person.type("HAMBURGER");
  REQUIRE(person.waitFor("Deliver to which postcode?"));
  person.type("AB10 1AB");
  REQUIRE(person.waitFor("[y/n] "));
  person.type("y");
  REQUIRE(person.waitFor("Order placed: HAMBURGER"));
  REQUIRE(person.waitFor("What next?", 2));

  // The client talks to the first front-end listed; it goes away while the person reads.
  REQUIRE(cluster.kill(TestCluster::FRONTEND, SIGKILL));
  REQUIRE(waitUntil([&]() { return !cluster.isRunning(TestCluster::FRONTEND); }, 5s));
  person.type("2");
  REQUIRE(person.waitFor("Your orders (1)"));
  std::string screen = person.screen();
  CHECK(count(screen,
              "Reconnected to just.hungry.2 (" + cluster.address("just.hungry.2") + ").\n") == 1);
  CHECK(count(screen, "Reconnected") == 1);
  CHECK(screen.find("unavailable") == std::string::npos);

  person.type("4");
  REQUIRE(person.waitFor("Goodbye."));
  REQUIRE(waitUntil([&]() { return !person.process().isRunning(); }, 5s));
  CHECK(person.process().exitStatus() == 0);
}
