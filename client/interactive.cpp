// The interactive client's screens, as a chain of promises: each step asks, calls the front-end
// and hands on to the next.
#include "client/interactive.h"

#include <algorithm>
#include <ostream>
#include <variant>

#include <fmt/format.h>

#include "client/command-line.h"
#include "client/dish-lookup.h"
#include "schema/orders/money.h"

namespace jh::client {

namespace {

const char* HOME_CHOICES = "\nWhat next?  1) menu and order   2) my orders   3) status   4) exit\n";

const char* UNREACHABLE_PROMPT = "(service unreachable) > ";

const char* HELP =
    "Type a number or a word:\n"
    "  1 or menu     see the menu and order a dish\n"
    "  2 or orders   see your orders\n"
    "  3 or status   see how the service is doing\n"
    "  4 or exit     leave (Ctrl-D works too)\n"
    "Tab completes words and dish names; Up and Down recall earlier answers to the\n"
    "same question. Ctrl-C cancels what is under way; Ctrl-D goes back a step.\n";

const char* LEAVE_HINT = "Press Ctrl-C again or Ctrl-D to leave.\n";

const std::vector<std::string> HOME_WORDS = {"menu", "orders", "status", "exit", "help"};

// The prompts' histories: Up at the postcode prompt recalls postcodes, not dishes.
const char* USER_HISTORY = "user";
const char* HOME_HISTORY = "home";
const char* DISH_HISTORY = "dish";
const char* POSTCODE_HISTORY = "postcode";
const char* YES_NO_HISTORY = "yes-no";

using Kind = Answer::Kind;

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : char(c);
  });
  return s;
}

bool isLine(const Answer& a) { return a.kind == Kind::LINE; }

// "Welcome, ann." but "Welcome, alice smith!": no second stop after a code that ends a sentence.
std::string welcomeText(const std::string& userCode) {
  char last = userCode.empty() ? ' ' : userCode.back();
  bool stopped = last == '.' || last == '!' || last == '?';
  return fmt::format("Welcome, {}{}\n", userCode, stopped ? "" : ".");
}

// The rejection when the service answered that it cannot serve now, else nullptr.
template <typename T>
const Rejection* unavailable(const Reply<T>& reply) {
  auto* rejection = std::get_if<Rejection>(&reply);
  return rejection != nullptr && rejection->code == rpc::RejectCode::UNAVAILABLE ? rejection
                                                                                 : nullptr;
}
const Rejection* unavailable(const ClusterStatus&) { return nullptr; }

// After an order was answered "unavailable": it may be stored (and show as PENDING), but a retry
// carries the same order id.
const char* const RETRY_IS_SAFE =
    "Trying again is safe: it sends the same order id, so it never orders twice.\n";

// A Ctrl-C that ended the wait for a request.
struct Cancelled {};

}  // namespace

InteractiveSession::InteractiveSession(FrontEndApi& api, LineInput& input, std::ostream& out,
                                       Style style, std::optional<std::string> userCode,
                                       Interrupts* interrupts)
    : api_(api), input_(input), out_(out), style_(style), userCode_(userCode.value_or("")),
      interrupts_(interrupts) {}

kj::Promise<int> InteractiveSession::run() {
  say(style_.bold("Just Hungry") + "\n");
  if (userCode_.empty() && !askUserCode()) {
    say("Goodbye.\n");
    return EXIT_DONE;
  }
  return retrying<Reply<std::string>>([this]() { return api_.motd(); })
      .then([this](Outcome<Reply<std::string>> motd) -> kj::Promise<int> {
        if (!motd.reply && !motd.cancelled) {
          say("Goodbye.\n");
          return ended_ ? EXIT_DONE : EXIT_UNAVAILABLE;
        }
        // After a Ctrl-C while the motd was awaited, the person goes on without it.
        say(welcomeText(userCode_));
        if (motd.reply) {
          if (auto* text = std::get_if<std::string>(&*motd.reply)) {
            say(fmt::format("\n{}{}", wrapText(*text, 79),
                            text->empty() || text->back() == '\n' ? "" : "\n"));
          } else {
            sayError(rejectionText(std::get<Rejection>(*motd.reply)));
          }
        }
        return home().then([this]() {
          say("Goodbye.\n");
          return EXIT_DONE;
        });
      });
}

bool InteractiveSession::leavesOnCtrlC(bool& pressedBefore) {
  if (pressedBefore) {
    ended_ = true;
    return true;
  }
  pressedBefore = true;
  say(LEAVE_HINT);
  return false;
}

bool InteractiveSession::askUserCode() {
  bool ctrlCBefore = false;
  for (;;) {
    auto answer = ask("Your user code: ", USER_HISTORY);
    if (answer.kind == Kind::CANCEL) {
      if (leavesOnCtrlC(ctrlCBefore)) return false;
      continue;
    }
    if (!isLine(answer)) return false;
    ctrlCBefore = false;
    if (auto why = checkUserCode(answer.text)) {
      say(*why + " Please try again.\n");
      continue;
    }
    userCode_ = answer.text;
    return true;
  }
}

kj::Promise<void> InteractiveSession::home() {
  say(HOME_CHOICES);
  bool ctrlCBefore = false;
  for (;;) {
    auto answer = ask(reachable_ ? "> " : UNREACHABLE_PROMPT, HOME_HISTORY, HOME_WORDS);
    if (answer.kind == Kind::CANCEL) {
      if (leavesOnCtrlC(ctrlCBefore)) return kj::READY_NOW;
      continue;
    }
    if (!isLine(answer)) return kj::READY_NOW;  // Ctrl-D or the end of the input: leave
    ctrlCBefore = false;
    std::string choice = lower(answer.text);
    kj::Promise<void> step = nullptr;
    if (choice == "1" || choice == "menu" || choice == "order") {
      step = order();
    } else if (choice == "2" || choice == "orders") {
      step = showOrders();
    } else if (choice == "3" || choice == "status") {
      step = showStatus();
    } else if (choice == "4" || choice == "exit" || choice == "quit" || choice == "q") {
      ended_ = true;
      return kj::READY_NOW;
    } else if (choice == "help" || choice == "?" || choice.empty()) {
      say(HELP);
      continue;
    } else {
      say(fmt::format("'{}' is not a choice here; type 1 to 4, or help.\n", answer.text));
      continue;
    }
    return step.then([this]() -> kj::Promise<void> {
      if (ended_) return kj::READY_NOW;
      return home();
    });
  }
}

kj::Promise<void> InteractiveSession::order() {
  return retrying<Reply<std::vector<MenuEntry>>>([this]() { return api_.menu(); })
      .then([this](Outcome<Reply<std::vector<MenuEntry>>> menu) -> kj::Promise<void> {
        if (!menu.reply) return kj::READY_NOW;
        if (auto* rejection = std::get_if<Rejection>(&*menu.reply)) {
          sayError(rejectionText(*rejection));
          return kj::READY_NOW;
        }
        auto& items = std::get<std::vector<MenuEntry>>(*menu.reply);
        say(menuText(items, style_));
        if (items.empty()) return kj::READY_NOW;
        return pickItem(std::move(items));
      });
}

kj::Promise<void> InteractiveSession::pickItem(std::vector<MenuEntry> menu) {
  std::vector<std::string> names;
  for (auto& entry : menu) names.push_back(entry.item);
  for (;;) {
    auto answer = ask("Which dish? (number or name, empty to go back) ", DISH_HISTORY, names);
    // Ctrl-C, Ctrl-D and an empty answer all lead back to the home prompt from here.
    if (!isLine(answer) || answer.text.empty()) return kj::READY_NOW;
    auto dish = findDish(menu, answer.text);
    if (auto* rejection = std::get_if<Rejection>(&dish)) {
      sayError(rejection->message);
      continue;
    }
    return askPostcode(std::move(menu), std::get<MenuEntry>(std::move(dish)));
  }
}

kj::Promise<void> InteractiveSession::askPostcode(std::vector<MenuEntry> menu, MenuEntry item) {
  auto answer = ask("Deliver to which postcode? (empty to go back) ", POSTCODE_HISTORY);
  if (answer.kind == Kind::CANCEL || answer.kind == Kind::END) return kj::READY_NOW;
  if (answer.kind == Kind::BACK || answer.text.empty()) return pickItem(std::move(menu));
  return retrying<Reply<PostcodeInfo>>(
             [this, postCode = answer.text]() { return api_.validatePostcode(postCode); })
      .then([this, menu = std::move(menu), item = std::move(item)](
                Outcome<Reply<PostcodeInfo>> check) mutable -> kj::Promise<void> {
        if (!check.reply) return kj::READY_NOW;
        if (auto* rejection = std::get_if<Rejection>(&*check.reply)) {
          sayError(rejectionText(*rejection));
          return askPostcode(std::move(menu), std::move(item));
        }
        auto& where = std::get<PostcodeInfo>(*check.reply);
        say(postcodeText(where));
        return confirmAndPlace(std::move(menu), std::move(item), std::move(where));
      });
}

kj::Promise<void> InteractiveSession::confirmAndPlace(std::vector<MenuEntry> menu, MenuEntry item,
                                                      PostcodeInfo where) {
  auto yes = askYesNo(fmt::format("Order {} ({}) to {}? [y/n] ", item.item,
                                  formatPounds(item.pricePence), where.postCode));
  if (yes.kind == Kind::END) return kj::READY_NOW;
  if (yes.kind == Kind::CANCEL) {
    say("Nothing was ordered.\n");
    return kj::READY_NOW;
  }
  if (yes.kind == Kind::BACK || yes.text == "n") {
    say("Nothing was ordered. Give another postcode, or press Enter to go back.\n");
    return askPostcode(std::move(menu), std::move(item));
  }
  // One id for this attempt and every retry of it: the front-end places it at most once.
  OrderRequest request{newOrderId(), userCode_, item.item, where.postCode};
  return retrying<Reply<OrderRecord>>([this, request]() { return api_.placeOrder(request); }, true)
      .then([this](Outcome<Reply<OrderRecord>> placed) {
        if (!placed.reply) {
          say("The order may not have been placed; see your orders to check.\n");
          return;
        }
        if (auto* rejection = std::get_if<Rejection>(&*placed.reply)) {
          sayError(rejectionText(*rejection));
          return;
        }
        say(orderPlacedText(std::get<OrderRecord>(*placed.reply), style_));
      });
}

kj::Promise<void> InteractiveSession::showOrders() {
  return retrying<Reply<std::vector<OrderRecord>>>([this]() { return api_.orders(userCode_); })
      .then([this](Outcome<Reply<std::vector<OrderRecord>>> orders) {
        if (!orders.reply) return;
        if (auto* rejection = std::get_if<Rejection>(&*orders.reply)) {
          sayError(rejectionText(*rejection));
          return;
        }
        say(ordersText(std::get<std::vector<OrderRecord>>(*orders.reply), style_));
      });
}

kj::Promise<void> InteractiveSession::showStatus() {
  return retrying<ClusterStatus>([this]() { return api_.status(); })
      .then([this](Outcome<ClusterStatus> status) {
        if (status.reply) say(statusText(*status.reply, style_));
      });
}

template <typename T>
kj::Promise<InteractiveSession::Outcome<T>> InteractiveSession::retrying(
    kj::Function<kj::Promise<T>()> call, bool order) {
  using Attempt = std::variant<T, kj::Exception, Cancelled>;
  kj::Promise<Attempt> attempt = kj::evalNow([&call]() { return call(); })
                                     .then([](T value) { return Attempt(std::move(value)); },
                                           [](kj::Exception&& e) { return Attempt(kj::mv(e)); });
  if (interrupts_ != nullptr) {
    // Whichever comes first: the other is cancelled (a request's RPC with it).
    attempt =
        attempt.exclusiveJoin(interrupts_->next().then([]() { return Attempt(Cancelled{}); }));
  }
  return attempt.then(
      [this, call = kj::mv(call), order](Attempt outcome) mutable -> kj::Promise<Outcome<T>> {
        bool cancelled = false;
        if (auto* value = std::get_if<T>(&outcome)) {
          reachable_ = true;
          if (auto again = api_.takeReconnection()) say(style_.dim(reconnectedText(*again)) + "\n");
          const Rejection* rejection = unavailable(*value);
          if (rejection == nullptr) return Outcome<T>{std::move(*value), false};
          reachable_ = false;
          sayError(rejectionText(*rejection), true);
          if (order) say(RETRY_IS_SAFE);
        } else if (auto* e = std::get_if<kj::Exception>(&outcome)) {
          reachable_ = false;
          sayError(failureText(*e), true);
          if (order) say(RETRY_IS_SAFE);
        } else {
          cancelled = true;
          if (!order) {
            say("Stopped waiting for the service.\n");
            return Outcome<T>{std::nullopt, true};
          }
          // The front-end may still place it; a retry sends the same order id, so it cannot be
          // placed twice.
          sayError(
              "Stopped waiting for the service. The order may still be placed; trying again "
              "will not place it twice.");
        }
        auto again = askYesNo("Try again? [y/n] ");
        if (!isLine(again) || again.text == "n") return Outcome<T>{std::nullopt, cancelled};
        return retrying<T>(kj::mv(call), order);
      });
}

Answer InteractiveSession::ask(const std::string& prompt, const char* history,
                               std::vector<std::string> completions) {
  if (ended_) return Answer{Kind::END, {}};
  input_.setCompletions(std::move(completions));
  auto answer = input_.readLine(prompt, history);
  if (answer.kind == Kind::END) ended_ = true;
  if (isLine(answer)) answer.text = trim(answer.text);
  return answer;
}

Answer InteractiveSession::askYesNo(const std::string& prompt) {
  for (;;) {
    auto answer = ask(prompt, YES_NO_HISTORY, {"yes", "no"});
    if (!isLine(answer)) return answer;
    std::string a = lower(answer.text);
    if (a == "y" || a == "yes") return Answer{Kind::LINE, "y"};
    if (a == "n" || a == "no") return Answer{Kind::LINE, "n"};
    say("Please answer y or n.\n");
  }
}

void InteractiveSession::sayError(const std::string& sentence, bool alarming) {
  std::string text = wrapText(sentence, 79);
  say((alarming ? style_.bad(text) : text) + "\n");
}

void InteractiveSession::say(const std::string& text) {
  out_ << text;
  out_.flush();
}

}  // namespace jh::client
