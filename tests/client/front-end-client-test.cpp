// Fail-over and retries of the client's connection: a dropped connection or a missed deadline
// repeats the same request (an order keeps its id), on the next front-end if there is one, a
// bounded number of times.
#include <unistd.h>

#include <doctest/doctest.h>

#include "tests/client/client-rig.h"

namespace jh::client::test {

namespace {

OrderRequest pizzaFor(std::string user, std::string id) {
  return OrderRequest{std::move(id), std::move(user), "Margherita pizza", "SW1A 1AA"};
}

const OrderRecord& placed(const Reply<OrderRecord>& reply) {
  REQUIRE(std::holds_alternative<OrderRecord>(reply));
  return std::get<OrderRecord>(reply);
}

// A second fake front-end on its own port, in the rig's event loop.
struct SecondFrontEnd {
  explicit SecondFrontEnd(kj::AsyncIoContext& io)
      : own(kj::heap<FakeFrontEnd>()), fake(*own), server(io, kj::mv(own)) {}
  kj::Own<FakeFrontEnd> own;
  FakeFrontEnd& fake;
  LoopbackServer server;
};

}  // namespace

TEST_CASE(
    "an order retried after a dropped connection reuses the same order id and is placed "
    "once") {
  ClientRig rig;
  rig.fake.dropOrders = 1;
  auto reply = rig.client.placeOrder(pizzaFor("ann", "drop-1")).wait(rig.io.waitScope);
  CHECK(placed(reply).orderId == "drop-1");
  CHECK(rig.fake.orderIds == std::vector<std::string>{"drop-1", "drop-1"});
  CHECK(rig.server.connectionsAccepted() == 2);  // it redialled
  auto orders = rig.client.orders("ann").wait(rig.io.waitScope);
  CHECK(std::get<std::vector<OrderRecord>>(orders).size() == 1);
}

TEST_CASE("the client reconnects by itself after the front-end closed an idle connection") {
  ClientRig rig;
  CHECK(std::holds_alternative<std::string>(rig.client.motd().wait(rig.io.waitScope)));
  rig.server.dropConnections();
  CHECK(std::holds_alternative<std::string>(rig.client.motd().wait(rig.io.waitScope)));
  CHECK(rig.server.connectionsAccepted() == 2);
}

TEST_CASE(
    "an order that misses its deadline on one front-end is repeated on the next with the "
    "same order id (timing-dependent: 200 ms deadline)") {
  RetryPolicy policy = quickPolicy();
  policy.callTimeoutMs = 200;
  ClientRig rig(policy);
  SecondFrontEnd second(rig.io);
  FrontEndClient client(
      rig.io.provider->getNetwork(), rig.io.provider->getTimer(),
      {NodeConfig{"fe1", rig.server.address(), ""}, NodeConfig{"fe2", second.server.address(), ""}},
      policy);
  rig.fake.hangOrders = 1;
  auto reply = client.placeOrder(pizzaFor("ann", "slow-1")).wait(rig.io.waitScope);
  CHECK(placed(reply).orderId == "slow-1");
  CHECK(rig.fake.orderIds == std::vector<std::string>{"slow-1"});
  CHECK(second.fake.orderIds == std::vector<std::string>{"slow-1"});
  // The front-end that answered is asked first next time.
  CHECK(std::holds_alternative<std::string>(client.motd().wait(rig.io.waitScope)));
  CHECK(second.fake.calls == 2);
  CHECK(rig.fake.calls == 1);
}

TEST_CASE("a front-end that cannot be reached is skipped for the next one listed") {
  ClientRig rig;
  FrontEndClient client(rig.io.provider->getNetwork(), rig.io.provider->getTimer(),
                        {NodeConfig{"gone", LoopbackServer::closedAddress(), ""},
                         NodeConfig{"fe", rig.server.address(), ""}},
                        quickPolicy());
  auto reply = client.placeOrder(pizzaFor("ann", "skip-1")).wait(rig.io.waitScope);
  CHECK(placed(reply).orderId == "skip-1");
  CHECK(client.attemptsMade() == 2);
}

TEST_CASE(
    "when every attempt fails the request fails as DISCONNECTED after the bounded number "
    "of attempts, with a sentence naming the front-end") {
  ClientRig rig;
  rig.fake.dropOrders = 100;
  auto attempt = rig.client.placeOrder(pizzaFor("ann", "never-1"));
  kj::Maybe<kj::Exception> failure;
  attempt.then([](Reply<OrderRecord>) {}, [&failure](kj::Exception&& e) { failure = kj::mv(e); })
      .wait(rig.io.waitScope);
  KJ_IF_MAYBE (e, failure) {
    CHECK(e->getType() == kj::Exception::Type::DISCONNECTED);
    std::string description = e->getDescription().cStr();
    CHECK(description.find("no front-end answered after 3 attempts") != std::string::npos);
    CHECK(description.find(rig.server.address()) != std::string::npos);
  } else {
    FAIL("the order should have failed");
  }
  CHECK(rig.fake.orderIds == std::vector<std::string>(3, "never-1"));
}

TEST_CASE(
    "a request served over a connection made again reports one reconnection, and the "
    "first connection reports none") {
  ClientRig rig;
  CHECK(std::holds_alternative<std::string>(rig.client.motd().wait(rig.io.waitScope)));
  CHECK_FALSE(rig.client.takeReconnection());
  rig.server.dropConnections();
  CHECK(std::holds_alternative<std::string>(rig.client.motd().wait(rig.io.waitScope)));
  auto again = rig.client.takeReconnection();
  REQUIRE(again);
  CHECK(again->frontEnd == "just.hungry");
  CHECK(again->address == rig.server.address());
  CHECK_FALSE(rig.client.takeReconnection());  // taken once
  CHECK(std::holds_alternative<std::string>(rig.client.motd().wait(rig.io.waitScope)));
  CHECK_FALSE(rig.client.takeReconnection());  // the same connection
}

TEST_CASE(
    "a request after the event loop sat still longer than the call timeout (a person at a "
    "prompt) goes out on the same connection, timing-dependent") {
  RetryPolicy policy = quickPolicy();
  policy.callTimeoutMs = 200;
  ClientRig rig(policy);
  CHECK(std::holds_alternative<std::string>(rig.client.motd().wait(rig.io.waitScope)));
  usleep(400 * 1000);  // the loop does not run, as while readline waits for a line
  CHECK(std::holds_alternative<std::string>(rig.client.motd().wait(rig.io.waitScope)));
  CHECK(rig.server.connectionsAccepted() == 1);
  CHECK(rig.client.attemptsMade() == 2);
  CHECK_FALSE(rig.client.takeReconnection());
}

TEST_CASE("moving to the next front-end after a dropped connection is a reconnection to it") {
  ClientRig rig;
  SecondFrontEnd second(rig.io);
  FrontEndClient client(
      rig.io.provider->getNetwork(), rig.io.provider->getTimer(),
      {NodeConfig{"fe1", rig.server.address(), ""}, NodeConfig{"fe2", second.server.address(), ""}},
      quickPolicy());
  CHECK(std::holds_alternative<std::string>(client.motd().wait(rig.io.waitScope)));
  rig.fake.dropOrders = 1;
  CHECK(placed(client.placeOrder(pizzaFor("ann", "move-1")).wait(rig.io.waitScope)).orderId ==
        "move-1");
  auto again = client.takeReconnection();
  REQUIRE(again);
  CHECK(again->frontEnd == "fe2");
}

TEST_CASE("a refusal is passed on as a value and never retried") {
  ClientRig rig;
  auto reply = rig.client.placeOrder(OrderRequest{"r-1", "ann", "Caviar", "SW1A 1AA"})
                   .wait(rig.io.waitScope);
  REQUIRE(std::holds_alternative<Rejection>(reply));
  CHECK(std::get<Rejection>(reply).code == rpc::RejectCode::UNKNOWN_ITEM);
  CHECK(rig.fake.orderIds.size() == 1);
}

}  // namespace jh::client::test
