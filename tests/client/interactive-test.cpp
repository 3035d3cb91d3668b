// The interactive client driven by a script, as a person at a terminal would drive it.
#include <doctest/doctest.h>

#include <map>

#include "client/command-line.h"
#include "client/interactive.h"
#include "tests/client/client-rig.h"

namespace jh::client::test {

namespace {

// Runs a session over `script` (one answer a line) against the rig's fake front-end; returns
// the exit code, with the screens in `transcript`.
int session(ClientRig& rig, const std::string& script, std::string& transcript,
            FrontEndApi* api = nullptr, std::optional<std::string> userCode = std::nullopt) {
  std::istringstream in(script);
  std::ostringstream out;
  StreamLineInput input(in, out);
  InteractiveSession s(api ? *api : rig.client, input, out, Style(false), userCode);
  int exit = s.run().wait(rig.io.waitScope);
  transcript = out.str();
  return exit;
}

// A person at a terminal, from a script of one answer a line: "^C" is Ctrl-C, "^D" is Ctrl-D,
// and "<up>" recalls the latest line answered to a prompt of the same history, as libedit's Up
// does. The transcript is what the terminal would show.
class ScriptedInput final : public LineInput {
 public:
  ScriptedInput(const std::string& script, std::ostream& echo) : lines_(script), echo_(echo) {}

  Answer readLine(const std::string& prompt, const std::string& history) override {
    echo_ << prompt;
    std::string line;
    if (!std::getline(lines_, line)) {
      echo_ << '\n';
      return Answer{Answer::Kind::END, {}};
    }
    if (line == "^C" || line == "^D") {
      echo_ << (line == "^C" ? "^C\n" : "\n");
      return Answer{line == "^C" ? Answer::Kind::CANCEL : Answer::Kind::BACK, {}};
    }
    auto& earlier = histories_[history];
    if (line == "<up>") line = earlier.empty() ? "" : earlier.back();
    if (!line.empty()) earlier.push_back(line);
    echo_ << line << '\n';
    return Answer{Answer::Kind::LINE, line};
  }

 private:
  std::istringstream lines_;
  std::ostream& echo_;
  std::map<std::string, std::vector<std::string>> histories_;
};

// Ctrl-C pressed on demand while the session waits for the front-end.
class FakeCtrlC final : public Interrupts {
 public:
  kj::Promise<void> next() override {
    auto paf = kj::newPromiseAndFulfiller<void>();
    pending_ = kj::mv(paf.fulfiller);
    return kj::mv(paf.promise);
  }
  // Presses Ctrl-C: the session's current wait, if any, ends.
  void press() {
    if (pending_.get() != nullptr) pending_->fulfill();
  }

 private:
  kj::Own<kj::PromiseFulfiller<void>> pending_;
};

// Runs a session as session() does, but through ScriptedInput and with `ctrlC` for the waits.
int personSession(ClientRig& rig, const std::string& script, std::string& transcript,
                  FrontEndApi* api = nullptr, Interrupts* ctrlC = nullptr) {
  std::ostringstream out;
  ScriptedInput input(script, out);
  InteractiveSession s(api ? *api : rig.client, input, out, Style(false), std::nullopt, ctrlC);
  int exit = s.run().wait(rig.io.waitScope);
  transcript = out.str();
  return exit;
}

bool has(const std::string& transcript, const std::string& text) {
  return transcript.find(text) != std::string::npos;
}

// The widest line, in columns (one per code point).
size_t widest(const std::string& transcript) {
  size_t most = 0;
  std::istringstream lines(transcript);
  for (std::string line; std::getline(lines, line);) {
    size_t columns = 0;
    for (char c : line) columns += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    most = std::max(most, columns);
  }
  return most;
}

// Passes every call on to `inner`: the base of the fakes below, which change one or two calls.
class ForwardingApi : public FrontEndApi {
 public:
  explicit ForwardingApi(FrontEndApi& inner) : inner_(inner) {}

  kj::Promise<Reply<std::string>> motd() override { return inner_.motd(); }
  kj::Promise<Reply<std::vector<MenuEntry>>> menu() override { return inner_.menu(); }
  kj::Promise<Reply<std::vector<OrderRecord>>> orders(std::string user) override {
    return inner_.orders(std::move(user));
  }
  kj::Promise<Reply<OrderRecord>> placeOrder(OrderRequest request) override {
    return inner_.placeOrder(std::move(request));
  }
  kj::Promise<Reply<PostcodeInfo>> validatePostcode(std::string postCode) override {
    return inner_.validatePostcode(std::move(postCode));
  }
  kj::Promise<ClusterStatus> status() override { return inner_.status(); }
  kj::Promise<void> setHeartbeat(uint32_t ms) override { return inner_.setHeartbeat(ms); }
  kj::Promise<std::vector<TimelineEvent>> events(uint64_t after) override {
    return inner_.events(after);
  }

 protected:
  FrontEndApi& inner_;
};

// Fails the first `failures` order attempts as if the connection broke, and remembers every
// order id it was asked to place.
class FlakyOrders final : public ForwardingApi {
 public:
  FlakyOrders(FrontEndApi& inner, int failures) : ForwardingApi(inner), failures_(failures) {}
  std::vector<std::string> orderIds;
  std::string failure = "no front-end answered after 4 attempts";

  kj::Promise<Reply<OrderRecord>> placeOrder(OrderRequest request) override {
    orderIds.push_back(request.orderId);
    if (failures_ > 0) {
      --failures_;
      return kj::Exception(kj::Exception::Type::DISCONNECTED, __FILE__, __LINE__,
                           kj::str(failure.c_str()));
    }
    return inner_.placeOrder(std::move(request));
  }

 private:
  int failures_;
};

// Places the first `unanswered` orders on `inner` but does not answer them, pressing Ctrl-C once
// each has landed: the person gave up waiting for an order that the service placed. With
// `hangMotd` or `hangMenu`, that is not answered either and Ctrl-C is pressed while it is
// awaited. An
// unanswered call fails after 30 s, so that a session that does not stop waiting fails its test
// instead of hanging it.
class SlowAnswers final : public ForwardingApi {
 public:
  SlowAnswers(FrontEndApi& inner, FakeCtrlC& ctrlC, kj::Timer& timer, int unanswered)
      : ForwardingApi(inner), ctrlC_(ctrlC), timer_(timer), unanswered_(unanswered) {}
  std::vector<std::string> orderIds;
  bool hangMotd = false;
  bool hangMenu = false;

  kj::Promise<Reply<std::string>> motd() override {
    if (!hangMotd) return inner_.motd();
    hangMotd = false;
    return kj::evalLater([this]() { ctrlC_.press(); }).then([this]() {
      return unanswered<Reply<std::string>>();
    });
  }
  kj::Promise<Reply<std::vector<MenuEntry>>> menu() override {
    if (!hangMenu) return inner_.menu();
    hangMenu = false;
    return kj::evalLater([this]() { ctrlC_.press(); }).then([this]() {
      return unanswered<Reply<std::vector<MenuEntry>>>();
    });
  }
  kj::Promise<Reply<OrderRecord>> placeOrder(OrderRequest request) override {
    orderIds.push_back(request.orderId);
    if (unanswered_ == 0) return inner_.placeOrder(std::move(request));
    --unanswered_;
    return inner_.placeOrder(std::move(request)).then([this](Reply<OrderRecord>) {
      ctrlC_.press();
      return unanswered<Reply<OrderRecord>>();
    });
  }

 private:
  template <typename T>
  kj::Promise<T> unanswered() {
    return timer_.afterDelay(30 * kj::SECONDS).then([]() -> kj::Promise<T> {
      return KJ_EXCEPTION(DISCONNECTED, "the test's call was never answered");
    });
  }

  FakeCtrlC& ctrlC_;
  kj::Timer& timer_;
  int unanswered_;
};

}  // namespace

TEST_CASE(
    "a scripted session: user code, motd, order a dish to a postcode, confirm, list "
    "orders, exit") {
  ClientRig rig;
  std::string t;
  int exit = session(rig, "ann\n1\n1\nsw1a1aa\ny\n2\n4\n", t);
  CHECK(exit == EXIT_DONE);
  CAPTURE(t);
  CHECK(has(t, "Your user code: ann\nWelcome, ann.\n\nToday: half-price pizza.\n"));
  CHECK(has(t, "What next?  1) menu and order   2) my orders   3) status   4) exit\n> 1\n"));
  CHECK(has(t, "Menu\n   1) Margherita pizza"));
  CHECK(has(t, "   2) Crème brûlée"));
  CHECK(has(t, "£7.85\n"));
  CHECK(has(t,
            "Deliver to which postcode? (empty to go back) sw1a1aa\n"
            "SW1A 1AA is in Westminster, London.\n"
            "Order Margherita pizza (£7.85) to SW1A 1AA? [y/n] y\n"
            "Order placed: Margherita pizza, £7.85, to SW1A 1AA (Westminster, London).\n"));
  REQUIRE(rig.fake.orderIds.size() == 1);
  CHECK(has(t, "Order id: " + rig.fake.orderIds[0] + "\nTime:     2026-11-21 22:31:05 UTC\n"));
  CHECK(has(t, "Your orders (1)\n  2026-11-21 22:31:05 UTC  Margherita pizza"));
  CHECK(has(t, "    " + rig.fake.orderIds[0] + "  to SW1A 1AA, Westminster, London\n"));
  CHECK(has(t, "> 4\nGoodbye.\n"));
  CHECK_FALSE(has(t, "\x1b"));
  CHECK(widest(t) <= 79);
}

TEST_CASE(
    "a bad user code is explained in a sentence and asked again, and no call is made "
    "until it is good") {
  ClientRig rig;
  std::string t;
  CHECK(session(rig, "\n" + std::string(65, 'a') + "\nann\x07\nann\nexit\n", t) == EXIT_DONE);
  CHECK(has(t, "The user code is empty. Please try again.\n"));
  CHECK(has(t, "The user code is longer than 64 characters. Please try again.\n"));
  CHECK(has(t, "The user code contains a control character. Please try again.\n"));
  CHECK(has(t, "Welcome, ann."));
  CHECK(rig.fake.calls == 1);  // the motd only
}

TEST_CASE("a user code given on the command line is not asked for") {
  ClientRig rig;
  std::string t;
  CHECK(session(rig, "4\n", t, nullptr, "ann") == EXIT_DONE);
  CHECK_FALSE(has(t, "Your user code:"));
  CHECK(has(t, "Welcome, ann."));
}

TEST_CASE("the end of the input at any prompt leaves cleanly with exit 0") {
  for (std::string script : {"", "ann\n", "ann\n1\n", "ann\n1\n2\n", "ann\n1\n2\nSW1A 1AA\n"}) {
    CAPTURE(script);
    ClientRig rig;
    std::string t;
    CHECK(session(rig, script, t) == EXIT_DONE);
    CHECK(has(t, "Goodbye.\n"));
    CHECK(rig.fake.orderIds.empty());
  }
}

TEST_CASE("words work on the home screen, and an unknown choice is explained") {
  ClientRig rig;
  std::string t;
  CHECK(session(rig, "ann\nhelp\nfly\nstatus\norders\nEXIT\n", t) == EXIT_DONE);
  CHECK(widest(t) <= 79);
  CHECK(has(t, "  1 or menu     see the menu and order a dish\n"));
  CHECK(has(t, "'fly' is not a choice here; type 1 to 4, or help.\n"));
  CHECK(has(t, "Front-end fake.frontend, primary replica.server1, heartbeat every 500 ms.\n"));
  CHECK(has(t, "replica.server3"));
  CHECK(has(t, "You have no orders yet.\n"));
  CHECK(has(t, "> EXIT\nGoodbye.\n"));
}

TEST_CASE(
    "a dish picked by name, an unknown dish and an unknown postcode are explained and "
    "asked again") {
  ClientRig rig;
  std::string t;
  CHECK(session(rig, "ann\nmenu\n9\ncrème BRÛLÉE\nCrème brûlée\nZZ1 1ZZ\nFOO\nsw1a 1aa\nyes\n4\n",
                t) == EXIT_DONE);
  CHECK(has(t, "There is no dish 9 on the menu; give a number from 1 to 3 or a name.\n"));
  CHECK(has(t, "\"crème BRÛLÉE\" is not on the menu. Did you mean \"Crème brûlée\"?\n"));
  CHECK(has(t, "The postcode ZZ1 1ZZ was not found.\n"));
  CHECK(has(t, "'FOO' is not a UK postcode.\n"));
  CHECK(has(t, "Order placed: Crème brûlée, £4.50, to SW1A 1AA"));
  CHECK(rig.fake.orderIds.size() == 1);
}

TEST_CASE(
    "declining the confirmation orders nothing and offers another postcode, or going "
    "back with an empty answer") {
  ClientRig rig;
  std::string t;
  CHECK(session(rig, "ann\n1\n1\nSW1A 1AA\nmaybe\nn\n\n\n4\n", t) == EXIT_DONE);
  CAPTURE(t);
  CHECK(has(t, "Please answer y or n.\n"));
  CHECK(has(t,
            "[y/n] n\nNothing was ordered. Give another postcode, or press Enter to go back.\n"
            "Deliver to which postcode? (empty to go back) \n"
            "Which dish? (number or name, empty to go back) \n\nWhat next?"));
  CHECK(rig.fake.orderIds.empty());
}

TEST_CASE(
    "after declining the confirmation, another postcode is asked for and the order goes "
    "there") {
  ClientRig rig;
  std::string t;
  CHECK(session(rig, "ann\n1\n1\nSW1A 1AA\nn\nEC1A 1BB\ny\n4\n", t) == EXIT_DONE);
  CAPTURE(t);
  CHECK(has(t,
            "Order Margherita pizza (£7.85) to EC1A 1BB? [y/n] y\n"
            "Order placed: Margherita pizza, £7.85, to EC1A 1BB"));
  CHECK(rig.fake.orderIds.size() == 1);
}

TEST_CASE("a user code that ends a sentence is welcomed without a second full stop") {
  ClientRig rig;
  std::string t;
  CHECK(session(rig, "alice smith!\n4\n", t) == EXIT_DONE);
  CHECK(has(t, "Welcome, alice smith!\n"));
  CHECK_FALSE(has(t, "!."));
}

TEST_CASE(
    "Ctrl-C at the dish prompt cancels the order and returns to the home prompt, where the "
    "session carries on") {
  ClientRig rig;
  std::string t;
  CHECK(personSession(rig, "ann\n1\n^C\n2\n4\n", t) == EXIT_DONE);
  CAPTURE(t);
  CHECK(has(t,
            "Which dish? (number or name, empty to go back) ^C\n\nWhat next?  1) menu and "
            "order   2) my orders   3) status   4) exit\n> 2\nYou have no orders yet.\n"));
  CHECK(has(t, "> 4\nGoodbye.\n"));
}

TEST_CASE(
    "Ctrl-C at the postcode prompt or at the confirmation cancels the order and returns "
    "home") {
  ClientRig rig;
  std::string t;
  CHECK(personSession(rig, "ann\n1\n1\n^C\n1\n2\nSW1A 1AA\n^C\n4\n", t) == EXIT_DONE);
  CAPTURE(t);
  CHECK(has(t, "Deliver to which postcode? (empty to go back) ^C\n\nWhat next?"));
  CHECK(has(t,
            "Order Crème brûlée (£4.50) to SW1A 1AA? [y/n] ^C\nNothing was ordered.\n\n"
            "What next?"));
  CHECK(rig.fake.orderIds.empty());
}

TEST_CASE("Ctrl-D goes back one prompt: confirmation to postcode, postcode to dish, dish to home") {
  ClientRig rig;
  std::string t;
  CHECK(personSession(rig, "ann\n1\n1\nSW1A 1AA\n^D\n^D\n^D\n3\n4\n", t) == EXIT_DONE);
  CAPTURE(t);
  CHECK(has(t,
            "[y/n] \nNothing was ordered. Give another postcode, or press Enter to go back.\n"
            "Deliver to which postcode? (empty to go back) \n"
            "Which dish? (number or name, empty to go back) \n\nWhat next?"));
  CHECK(has(t, "> 3\nFront-end fake.frontend"));
  CHECK(rig.fake.orderIds.empty());
}

TEST_CASE(
    "Ctrl-C once at the home prompt says how to leave, and a second in a row leaves with "
    "exit 0") {
  ClientRig rig;
  std::string t;
  CHECK(personSession(rig, "ann\n^C\n2\n^C\n^C\n", t) == EXIT_DONE);
  CAPTURE(t);
  // A choice in between starts the count again.
  CHECK(has(t, "> ^C\nPress Ctrl-C again or Ctrl-D to leave.\n> 2\nYou have no orders yet.\n"));
  CHECK(has(t, "> ^C\nPress Ctrl-C again or Ctrl-D to leave.\n> ^C\nGoodbye.\n"));
}

TEST_CASE("Ctrl-D at the home prompt and twice Ctrl-C at the user code prompt leave with exit 0") {
  ClientRig rig;
  std::string t;
  CHECK(personSession(rig, "ann\n^D\nnever read\n", t) == EXIT_DONE);
  CHECK(has(t, "> \nGoodbye.\n"));
  CHECK(personSession(rig, "^C\n^C\nnever read\n", t) == EXIT_DONE);
  CHECK(has(t,
            "Your user code: ^C\nPress Ctrl-C again or Ctrl-D to leave.\nYour user code: ^C\n"
            "Goodbye.\n"));
  CHECK(rig.fake.calls == 1);  // the first session's motd only
}

TEST_CASE(
    "each prompt keeps its own history: Up at the postcode prompt recalls the postcode, "
    "Up at the dish prompt the dish, Up at home the command") {
  ClientRig rig;
  std::string t;
  CHECK(personSession(rig, "ann\n1\n2\nSW1A 1AA\nn\n<up>\ny\n<up>\n<up>\n^C\n4\n", t) == EXIT_DONE);
  CAPTURE(t);
  CHECK(has(t,
            "Nothing was ordered. Give another postcode, or press Enter to go back.\n"
            "Deliver to which postcode? (empty to go back) SW1A 1AA\n"));
  CHECK(has(t, "Order placed: Crème brûlée, £4.50, to SW1A 1AA"));
  CHECK(has(t, "\n> 1\nMenu\n"));  // Up at home: the last command, not a postcode or "y"
  CHECK(has(t, "Which dish? (number or name, empty to go back) 2\n"));
  CHECK(has(t, "Deliver to which postcode? (empty to go back) ^C\n"));
  CHECK(rig.fake.orderIds.size() == 1);
}

TEST_CASE(
    "Ctrl-C while an order waits for the front-end stops waiting, says that it may still "
    "be placed, and trying again places it once with the same order id") {
  ClientRig rig;
  FakeCtrlC ctrlC;
  SlowAnswers slow(rig.client, ctrlC, rig.io.provider->getTimer(), 1);
  std::string t;
  CHECK(personSession(rig, "ann\n1\n1\nSW1A 1AA\ny\ny\n2\n4\n", t, &slow, &ctrlC) == EXIT_DONE);
  CAPTURE(t);
  CHECK(has(t,
            "[y/n] y\nStopped waiting for the service. The order may still be placed; trying "
            "again\nwill not place it twice.\nTry again? [y/n] y\nOrder placed: Margherita "
            "pizza"));
  REQUIRE(slow.orderIds.size() == 2);
  CHECK(slow.orderIds[0] == slow.orderIds[1]);
  CHECK(has(t, "Your orders (1)\n"));
}

TEST_CASE(
    "after Ctrl-C during an order, declining to try again says to check the orders, where "
    "the order that landed shows") {
  ClientRig rig;
  FakeCtrlC ctrlC;
  SlowAnswers slow(rig.client, ctrlC, rig.io.provider->getTimer(), 1);
  std::string t;
  CHECK(personSession(rig, "ann\n1\n1\nSW1A 1AA\ny\nn\n2\n4\n", t, &slow, &ctrlC) == EXIT_DONE);
  CAPTURE(t);
  CHECK(has(t,
            "[y/n] y\nStopped waiting for the service. The order may still be placed; trying "
            "again\nwill not place it twice.\nTry again? [y/n] n\nThe order may not have been "
            "placed; see your orders to check.\n"));
  CHECK(has(t, "Your orders (1)\n"));
  CHECK(slow.orderIds.size() == 1);
}

TEST_CASE("Ctrl-C while the menu is awaited stops waiting and returns to the home prompt") {
  ClientRig rig;
  FakeCtrlC ctrlC;
  SlowAnswers slow(rig.client, ctrlC, rig.io.provider->getTimer(), 0);
  slow.hangMenu = true;
  std::string t;
  CHECK(personSession(rig, "ann\n1\n1\n1\n4\n", t, &slow, &ctrlC) == EXIT_DONE);
  CAPTURE(t);
  CHECK(has(t, "> 1\nStopped waiting for the service.\n\nWhat next?"));
  CHECK(has(t, "> 1\nMenu\n"));  // the second time, the menu comes
  CHECK_FALSE(has(t, "Try again?"));
}

TEST_CASE(
    "when an order cannot be carried out the session says so in one sentence, and a retry "
    "repeats it with the same order id") {
  ClientRig rig;
  FlakyOrders flaky(rig.client, 1);
  std::string t;
  CHECK(session(rig, "ann\n1\n1\nSW1A 1AA\ny\ny\n4\n", t, &flaky) == EXIT_DONE);
  CHECK(has(t,
            "The service is unavailable: no front-end answered after 4 attempts.\n"
            "Trying again is safe: it sends the same order id, so it never orders twice.\n"
            "Try again? [y/n] y\nOrder placed:"));
  REQUIRE(flaky.orderIds.size() == 2);
  CHECK(flaky.orderIds[0] == flaky.orderIds[1]);
  CHECK(rig.fake.orderIds == std::vector<std::string>{flaky.orderIds[0]});
}

TEST_CASE(
    "an order given up after a failure is reported as possibly not placed, and a long "
    "failure sentence is wrapped to fit 80 columns") {
  ClientRig rig;
  FlakyOrders flaky(rig.client, 1);
  flaky.failure =
      "no front-end answered after 4 attempts (just.hungry at 127.0.0.1:9000 could "
      "not be reached)";
  std::string t;
  CHECK(session(rig, "ann\n1\n1\nSW1A 1AA\ny\nn\n4\n", t, &flaky) == EXIT_DONE);
  CHECK(has(t,
            "The service is unavailable: no front-end answered after 4 attempts (just.hungry\n"
            "at 127.0.0.1:9000 could not be reached).\nTrying again is safe: it sends the same "
            "order id, so it never orders twice.\n"
            "Try again? [y/n] n\n"));
  CHECK(has(t, "The order may not have been placed; see your orders to check.\n"));
  CHECK(widest(t) <= 79);
}

TEST_CASE(
    "a broken connection that the client makes again is one line in the session, and the "
    "screen carries on") {
  ClientRig rig;
  rig.fake.dropOrders = 1;
  std::string t;
  CHECK(session(rig, "ann\n1\n1\nSW1A 1AA\ny\n4\n", t) == EXIT_DONE);
  CHECK(
      has(t, "[y/n] y\nReconnected to just.hungry (" + rig.server.address() + ").\nOrder placed:"));
  CHECK(rig.fake.orderIds.size() == 2);  // the same order, sent again
}

TEST_CASE("the home prompt says when the service is unreachable, until a call succeeds again") {
  ClientRig rig;
  FlakyOrders flaky(rig.client, 1);
  std::string t;
  CHECK(session(rig, "ann\n1\n1\nSW1A 1AA\ny\nn\n2\n4\n", t, &flaky) == EXIT_DONE);
  CHECK(has(t,
            "to check.\n\nWhat next?  1) menu and order   2) my orders   3) status   4) "
            "exit\n(service unreachable) > 2\nYou have no orders yet.\n"));
  CHECK(has(t, "\n> 4\nGoodbye.\n"));
}

TEST_CASE("a long message of the day is wrapped to fit 80 columns") {
  ClientRig rig;
  rig.fake.motd =
      "Welcome to Just Hungry! Hot food delivered anywhere in the UK, 11:00 to 23:00 "
      "every day.\nOrder by noon for lunch.\n";
  std::string t;
  CHECK(session(rig, "ann\n4\n", t) == EXIT_DONE);
  CHECK(has(t,
            "Welcome to Just Hungry! Hot food delivered anywhere in the UK, 11:00 to 23:00\n"
            "every day.\nOrder by noon for lunch.\n"));
  CHECK(widest(t) <= 79);
}

TEST_CASE("an unavailable service at the start, when the person declines to retry, exits 3") {
  ClientRig rig;
  rig.fake.unavailable = true;
  std::string t;
  CHECK(session(rig, "ann\nn\n", t) == EXIT_UNAVAILABLE);
  CHECK(has(t, "No replica is ready.\nTry again? [y/n] n\nGoodbye.\n"));
}

TEST_CASE("Ctrl-C while the motd is awaited at the start goes on to the home prompt without it") {
  ClientRig rig;
  FakeCtrlC ctrlC;
  SlowAnswers slow(rig.client, ctrlC, rig.io.provider->getTimer(), 0);
  slow.hangMotd = true;
  std::string t;
  CHECK(personSession(rig, "ann\n2\n4\n", t, &slow, &ctrlC) == EXIT_DONE);
  CAPTURE(t);
  CHECK(
      has(t, "Your user code: ann\nStopped waiting for the service.\nWelcome, ann.\n\nWhat next?"));
  CHECK(has(t, "> 2\nYou have no orders yet.\n"));
  CHECK_FALSE(has(t, "Today:"));
}

}  // namespace jh::client::test
