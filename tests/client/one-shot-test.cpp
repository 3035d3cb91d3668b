// The one-shot commands against a fake front-end on loopback: JSON and text output, exit codes,
// and what is refused before any call.
#include <doctest/doctest.h>

#include "client/command-line.h"
#include "client/interactive.h"
#include "client/one-shot.h"
#include "tests/client/client-rig.h"
#include "tests/schema/parse-json.h"

namespace jh::client::test {

using jh::test::parseJson;

namespace {

std::string rejectedCode(const std::string& text) {
  auto doc = parseJson(text);
  REQUIRE(doc.HasMember("rejected"));
  return doc["rejected"]["code"].GetString();
}

}  // namespace

TEST_CASE("motd, menu, validate and status each print one JSON document and exit 0") {
  ClientRig rig;
  CHECK(rig.run({"--json", "motd"}) == EXIT_DONE);
  CHECK(rig.run({"--json", "menu"}) == EXIT_DONE);
  CHECK(rig.run({"--json", "validate", "sw1a1aa"}) == EXIT_DONE);
  CHECK(rig.run({"--json", "status"}) == EXIT_DONE);
  std::istringstream lines(rig.out.str());
  std::string motd, menu, validate, status;
  std::getline(lines, motd);
  std::getline(lines, menu);
  std::getline(lines, validate);
  std::getline(lines, status);
  CHECK(motd == R"({"motd":"Today: half-price pizza."})");
  CHECK(parseJson(menu)["items"].Size() == 3);
  CHECK(std::string(parseJson(menu)["items"][0]["price"].GetString()) == "7.85");
  CHECK(validate == R"({"post_code":"SW1A 1AA","area":"Westminster, London","verified":true})");
  CHECK(parseJson(status)["replicas"].Size() == 3);
  CHECK(std::string(parseJson(status)["replicas"][2]["role"].GetString()) == "down");
  CHECK(rig.err.str().empty());
}

TEST_CASE("a placed order is printed as the stored order and then listed by orders") {
  ClientRig rig;
  CHECK(rig.run({"--json", "--user", "ann", "order", "Margherita pizza", "sw1a1aa", "--id",
                 "id-1"}) == EXIT_DONE);
  auto order = parseJson(rig.out.str());
  CHECK(std::string(order["order_id"].GetString()) == "id-1");
  CHECK(std::string(order["user_code"].GetString()) == "ann");
  CHECK(std::string(order["price"].GetString()) == "7.85");
  CHECK(std::string(order["post_code"].GetString()) == "SW1A 1AA");
  CHECK(std::string(order["status"].GetString()) == "CONFIRMED");
  CHECK(order["seq"].GetUint64() == 1);

  rig.out.str("");
  CHECK(rig.run({"--json", "--user", "ann", "orders"}) == EXIT_DONE);
  auto orders = parseJson(rig.out.str());
  REQUIRE(orders["orders"].Size() == 1);
  CHECK(std::string(orders["orders"][0]["order_id"].GetString()) == "id-1");
}

TEST_CASE("an order without --id gets a fresh order id") {
  ClientRig rig;
  CHECK(rig.run({"--json", "--user", "ann", "order", "Margherita pizza", "SW1A 1AA"}) == EXIT_DONE);
  CHECK(rig.run({"--json", "--user", "ann", "order", "Margherita pizza", "SW1A 1AA"}) == EXIT_DONE);
  REQUIRE(rig.fake.orderIds.size() == 2);
  CHECK(rig.fake.orderIds[0] != rig.fake.orderIds[1]);
  CHECK_FALSE(checkOrderId(rig.fake.orderIds[0]));
}

TEST_CASE(
    "an unknown item, a malformed postcode and an unknown postcode exit 1 with their "
    "codes") {
  ClientRig rig;
  CHECK(rig.run({"--json", "--user", "ann", "order", "Caviar", "SW1A 1AA"}) == EXIT_REJECTED);
  CHECK(rejectedCode(rig.out.str()) == "UNKNOWN_ITEM");
  rig.out.str("");
  CHECK(rig.run({"--json", "--user", "ann", "order", "Margherita pizza", "FOO"}) == EXIT_REJECTED);
  CHECK(rejectedCode(rig.out.str()) == "INVALID_POSTCODE");
  rig.out.str("");
  CHECK(rig.run({"--json", "validate", "ZZ1 1ZZ"}) == EXIT_REJECTED);
  CHECK(rejectedCode(rig.out.str()) == "POSTCODE_NOT_FOUND");
}

TEST_CASE(
    "an order takes the dish by its number on the menu or by its name in any case, as the "
    "interactive client does") {
  ClientRig rig;
  CHECK(rig.run({"--json", "--user", "ann", "order", "2", "SW1A 1AA"}) == EXIT_DONE);
  CHECK(std::string(parseJson(rig.out.str())["item"].GetString()) == "Crème brûlée");
  rig.out.str("");
  CHECK(rig.run({"--json", "--user", "ann", "order", "MARGHERITA PIZZA", "SW1A 1AA"}) == EXIT_DONE);
  CHECK(std::string(parseJson(rig.out.str())["item"].GetString()) == "Margherita pizza");
  CHECK(rig.fake.orderIds.size() == 2);
}

TEST_CASE(
    "an order of a dish not on the menu exits 1 naming the closest dish, and places "
    "nothing") {
  ClientRig rig;
  CHECK(rig.run({"--user", "ann", "order", "pizza", "SW1A 1AA"}) == EXIT_REJECTED);
  CHECK(rig.err.str() == "\"pizza\" is not on the menu. Did you mean \"Margherita pizza\"?\n");
  CHECK(rig.run({"--json", "--user", "ann", "order", "4", "SW1A 1AA"}) == EXIT_REJECTED);
  auto doc = parseJson(rig.out.str());
  CHECK(std::string(doc["rejected"]["code"].GetString()) == "UNKNOWN_ITEM");
  CHECK(std::string(doc["rejected"]["message"].GetString()) ==
        "There is no dish 4 on the menu; give a number from 1 to 3 or a name.");
  CHECK(rig.fake.orderIds.empty());
}

TEST_CASE("the one-shot order and the interactive dish prompt refuse a dish in the same words") {
  for (std::string dish : {"pizza", "9", "brulee", "sushi"}) {
    CAPTURE(dish);
    ClientRig rig;
    CHECK(rig.run({"--user", "ann", "order", dish, "SW1A 1AA"}) == EXIT_REJECTED);
    std::string sentence = rig.err.str();
    REQUIRE(!sentence.empty());
    std::istringstream in("ann\n1\n" + dish + "\n\n4\n");
    std::ostringstream out;
    StreamLineInput input(in, out);
    InteractiveSession session(rig.client, input, out, Style(false));
    CHECK(session.run().wait(rig.io.waitScope) == EXIT_DONE);
    CHECK(out.str().find("(number or name, empty to go back) " + dish + "\n" + sentence) !=
          std::string::npos);
  }
}

TEST_CASE("every rejection code exits 1, except UNAVAILABLE which exits 3") {
  for (auto code : {rpc::RejectCode::INVALID_USER_CODE, rpc::RejectCode::UNKNOWN_ITEM,
                    rpc::RejectCode::INVALID_POSTCODE, rpc::RejectCode::POSTCODE_NOT_FOUND,
                    rpc::RejectCode::UNAVAILABLE, rpc::RejectCode::CONFLICTING_ORDER_ID,
                    rpc::RejectCode::INVALID_ORDER, rpc::RejectCode::NOT_READY,
                    rpc::RejectCode::TOO_MANY_ORDERS}) {
    CAPTURE(rejectCodeName(code));
    ClientRig rig;
    rig.fake.refuseOrders = code;
    int exit = rig.run({"--json", "--user", "ann", "order", "Margherita pizza", "SW1A 1AA"});
    CHECK(exit == (code == rpc::RejectCode::UNAVAILABLE ? EXIT_UNAVAILABLE : EXIT_REJECTED));
    CHECK(rejectedCode(rig.out.str()) == rejectCodeName(code));
  }
}

TEST_CASE("the same --id with the same order places it once, with another item it conflicts") {
  ClientRig rig;
  std::vector<std::string> order = {"--json",           "--user",   "ann",  "order",
                                    "Margherita pizza", "SW1A 1AA", "--id", "same-1"};
  CHECK(rig.run(order) == EXIT_DONE);
  CHECK(rig.run(order) == EXIT_DONE);
  rig.out.str("");
  CHECK(rig.run({"--json", "--user", "ann", "orders"}) == EXIT_DONE);
  CHECK(parseJson(rig.out.str())["orders"].Size() == 1);
  rig.out.str("");
  CHECK(rig.run({"--json", "--user", "ann", "order", "Crème brûlée", "SW1A 1AA", "--id",
                 "same-1"}) == EXIT_REJECTED);
  CHECK(rejectedCode(rig.out.str()) == "CONFLICTING_ORDER_ID");
}

TEST_CASE("a bad user code (empty, 65 characters, a control character) exits 1 before any call") {
  for (std::string code :
       {std::string(), std::string(65, 'a'), std::string("ann\x01"), std::string("ann\nbob")}) {
    CAPTURE(code);
    ClientRig rig;
    CHECK(rig.run({"--json", "--user", code, "order", "Margherita pizza", "SW1A 1AA"}) ==
          EXIT_REJECTED);
    CHECK(rejectedCode(rig.out.str()) == "INVALID_USER_CODE");
    CHECK(rig.run({"--user", code, "orders"}) == EXIT_REJECTED);
    CHECK(rig.run({"--user", code, "menu"}) == EXIT_REJECTED);
    CHECK(rig.fake.calls == 0);
    CHECK(rig.client.attemptsMade() == 0);
    CHECK(rig.server.connectionsAccepted() == 0);
  }
}

TEST_CASE("a user code of 64 characters, with a comma, quotes and non-ASCII, is accepted") {
  ClientRig rig;
  std::string code = "ann,\"o'hara\" Zoë 🍕";
  size_t characters = 0;
  for (char c : code) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  code += std::string(MAX_USER_CODE - characters, 'x');
  REQUIRE_FALSE(checkUserCode(code));
  CHECK(rig.run({"--json", "--user", code, "order", "Margherita pizza", "SW1A 1AA"}) == EXIT_DONE);
  CHECK(std::string(parseJson(rig.out.str())["user_code"].GetString()) == code);
}

TEST_CASE("a bad --id exits 1 before any call") {
  ClientRig rig;
  CHECK(rig.run({"--json", "--user", "ann", "order", "Margherita pizza", "SW1A 1AA", "--id",
                 "no spaces"}) == EXIT_REJECTED);
  CHECK(rejectedCode(rig.out.str()) == "INVALID_ORDER");
  CHECK(rig.fake.calls == 0);
}

TEST_CASE("usage errors exit 2 without any call, as JSON with --json") {
  ClientRig rig;
  CHECK(rig.run({"--json", "fly"}) == EXIT_USAGE);
  CHECK(rig.out.str() == R"({"error":{"code":"USAGE","message":"Unknown command 'fly'."}})"
                         "\n");
  CHECK(rig.run({"orders"}) == EXIT_USAGE);
  CHECK(rig.err.str().find("needs --user CODE") != std::string::npos);
  CHECK(rig.fake.calls == 0);
}

TEST_CASE("without --json a rejection is one sentence on stderr and nothing on stdout") {
  ClientRig rig;
  CHECK(rig.run({"--user", "ann", "order", "Margherita pizza", "FOO"}) == EXIT_REJECTED);
  CHECK(rig.out.str().empty());
  CHECK(rig.err.str() == "'FOO' is not a UK postcode.\n");
}

TEST_CASE("without --json results are text for people, with prices in pounds") {
  ClientRig rig;
  CHECK(rig.run({"menu"}) == EXIT_DONE);
  CHECK(rig.out.str().find("  1) Margherita pizza") != std::string::npos);
  CHECK(rig.out.str().find("£7.85") != std::string::npos);
  rig.out.str("");
  CHECK(rig.run({"--user", "ann", "order", "Margherita pizza", "sw1a1aa", "--id", "t-1"}) ==
        EXIT_DONE);
  CHECK(rig.out.str() ==
        "Order placed: Margherita pizza, £7.85, to SW1A 1AA (Westminster, London).\n"
        "Order id: t-1\n"
        "Time:     2026-11-21 22:31:05 UTC\n");
  rig.out.str("");
  CHECK(rig.run({"validate", "UN1 1UN"}) == EXIT_DONE);
  CHECK(rig.out.str() ==
        "UN1 1UN: its area could not be checked (the postcode service is unreachable).\n");
}

TEST_CASE("a front-end that answers UNAVAILABLE gives exit 3") {
  ClientRig rig;
  rig.fake.unavailable = true;
  CHECK(rig.run({"--json", "menu"}) == EXIT_UNAVAILABLE);
  CHECK(rejectedCode(rig.out.str()) == "UNAVAILABLE");
}

TEST_CASE("no front-end that can be reached gives exit 3 and a rejection UNAVAILABLE") {
  auto io = kj::setupAsyncIo();
  FrontEndClient client(io.provider->getNetwork(), io.provider->getTimer(),
                        {NodeConfig{"just.hungry", LoopbackServer::closedAddress(), ""}},
                        quickPolicy());
  std::ostringstream out, err;
  Reporter reporter(out, err, true);
  CommandLine cl;
  cl.json = true;
  cl.command = {"motd"};
  CHECK(runOneShot(cl, client, reporter).wait(io.waitScope) == EXIT_UNAVAILABLE);
  CHECK(rejectedCode(out.str()) == "UNAVAILABLE");
  CHECK(client.attemptsMade() == quickPolicy().attempts);

  Reporter text(out, err, false);
  cl.json = false;
  CHECK(runOneShot(cl, client, text).wait(io.waitScope) == EXIT_UNAVAILABLE);
  CHECK(err.str().rfind("The service is unavailable: no front-end answered after 3 attempts", 0) ==
        0);
}

}  // namespace jh::client::test
