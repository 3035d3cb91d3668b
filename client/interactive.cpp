// The interactive client's screens, as a chain of promises: each step asks, calls the front-end
// and hands on to the next.
#include "client/interactive.h"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "client/command-line.h"
#include "client/dish-lookup.h"
#include "schema/money.h"

namespace jh::client {

namespace {

const char* HOME_CHOICES =
    "\nWhat next?  1) menu and order   2) my orders   3) status   4) exit\n";

const char* UNREACHABLE_PROMPT = "(service unreachable) > ";

const char* HELP =
    "Type a number or a word:\n"
    "  1 or menu     see the menu and order a dish\n"
    "  2 or orders   see your orders\n"
    "  3 or status   see how the service is doing\n"
    "  4 or exit     leave (Ctrl-D works too)\n"
    "Tab completes words and dish names; Up and Down recall earlier answers.\n";

const std::vector<std::string> HOME_WORDS = {"menu", "orders", "status", "exit", "help"};

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

// The rejection when the service answered that it cannot serve now, else nullptr.
template <typename T>
const Rejection* unavailable(const Reply<T>& reply) {
  auto* rejection = std::get_if<Rejection>(&reply);
  return rejection != nullptr && rejection->code == rpc::RejectCode::UNAVAILABLE ? rejection
                                                                                 : nullptr;
}
const Rejection* unavailable(const ClusterStatus&) { return nullptr; }

}  // namespace

InteractiveSession::InteractiveSession(FrontEndApi& api, LineInput& input, std::ostream& out,
                                       Style style, std::optional<std::string> userCode)
    : api_(api), input_(input), out_(out), style_(style), userCode_(userCode.value_or("")) {}

kj::Promise<int> InteractiveSession::run() {
  say(style_.bold("Just Hungry") + "\n");
  if (userCode_.empty() && !askUserCode()) {
    say("Goodbye.\n");
    return EXIT_DONE;
  }
  return retrying<Reply<std::string>>([this]() { return api_.motd(); })
      .then([this](std::optional<Reply<std::string>> motd) -> kj::Promise<int> {
        if (!motd) {
          say("Goodbye.\n");
          return ended_ ? EXIT_DONE : EXIT_UNAVAILABLE;
        }
        if (auto* text = std::get_if<std::string>(&*motd)) {
          say(fmt::format("Welcome, {}.\n\n{}{}", userCode_, wrapText(*text, 79),
                          text->empty() || text->back() == '\n' ? "" : "\n"));
        } else {
          sayError(rejectionText(std::get<Rejection>(*motd)));
        }
        return home().then([this]() {
          say("Goodbye.\n");
          return EXIT_DONE;
        });
      });
}

bool InteractiveSession::askUserCode() {
  while (auto answer = ask("Your user code: ")) {
    if (auto why = checkUserCode(*answer)) {
      say(*why + " Please try again.\n");
      continue;
    }
    userCode_ = *answer;
    return true;
  }
  return false;
}

kj::Promise<void> InteractiveSession::home() {
  say(HOME_CHOICES);
  for (;;) {
    auto answer = ask(reachable_ ? "> " : UNREACHABLE_PROMPT, HOME_WORDS);
    if (!answer) return kj::READY_NOW;
    std::string choice = lower(*answer);
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
      say(fmt::format("'{}' is not a choice here; type 1 to 4, or help.\n", *answer));
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
      .then([this](std::optional<Reply<std::vector<MenuEntry>>> menu) -> kj::Promise<void> {
        if (!menu) return kj::READY_NOW;
        if (auto* rejection = std::get_if<Rejection>(&*menu)) {
          sayError(rejectionText(*rejection));
          return kj::READY_NOW;
        }
        auto& items = std::get<std::vector<MenuEntry>>(*menu);
        say(menuText(items, style_));
        if (items.empty()) return kj::READY_NOW;
        return pickItem(std::move(items));
      });
}

kj::Promise<void> InteractiveSession::pickItem(std::vector<MenuEntry> menu) {
  std::vector<std::string> names;
  for (auto& entry : menu) names.push_back(entry.item);
  while (auto answer = ask("Which dish? (number or name, empty to go back) ", names)) {
    if (answer->empty()) return kj::READY_NOW;
    auto dish = findDish(menu, *answer);
    if (auto* rejection = std::get_if<Rejection>(&dish)) {
      sayError(rejection->message);
      continue;
    }
    return askPostcode(std::get<MenuEntry>(std::move(dish)));
  }
  return kj::READY_NOW;
}

kj::Promise<void> InteractiveSession::askPostcode(MenuEntry item) {
  auto answer = ask("Deliver to which postcode? (empty to go back) ");
  if (!answer || answer->empty()) return kj::READY_NOW;
  return retrying<Reply<PostcodeInfo>>(
             [this, postCode = *answer]() { return api_.validatePostcode(postCode); })
      .then([this, item = std::move(item)](
                std::optional<Reply<PostcodeInfo>> check) mutable -> kj::Promise<void> {
        if (!check) return kj::READY_NOW;
        if (auto* rejection = std::get_if<Rejection>(&*check)) {
          sayError(rejectionText(*rejection));
          return askPostcode(std::move(item));
        }
        auto& where = std::get<PostcodeInfo>(*check);
        say(postcodeText(where));
        return confirmAndPlace(std::move(item), std::move(where));
      });
}

kj::Promise<void> InteractiveSession::confirmAndPlace(MenuEntry item, PostcodeInfo where) {
  auto yes = askYesNo(fmt::format("Order {} ({}) to {}? [y/n] ", item.item,
                                  formatPounds(item.pricePence), where.postCode));
  if (!yes) return kj::READY_NOW;
  if (!*yes) {
    say("Nothing was ordered.\n");
    return kj::READY_NOW;
  }
  // One id for this attempt and every retry of it: the front-end places it at most once.
  OrderRequest request{newOrderId(), userCode_, item.item, where.postCode};
  return retrying<Reply<OrderRecord>>([this, request]() { return api_.placeOrder(request); })
      .then([this](std::optional<Reply<OrderRecord>> placed) {
        if (!placed) {
          say("The order may not have been placed; see your orders to check.\n");
          return;
        }
        if (auto* rejection = std::get_if<Rejection>(&*placed)) {
          sayError(rejectionText(*rejection));
          return;
        }
        say(orderPlacedText(std::get<OrderRecord>(*placed), style_));
      });
}

kj::Promise<void> InteractiveSession::showOrders() {
  return retrying<Reply<std::vector<OrderRecord>>>([this]() { return api_.orders(userCode_); })
      .then([this](std::optional<Reply<std::vector<OrderRecord>>> orders) {
        if (!orders) return;
        if (auto* rejection = std::get_if<Rejection>(&*orders)) {
          sayError(rejectionText(*rejection));
          return;
        }
        say(ordersText(std::get<std::vector<OrderRecord>>(*orders), style_));
      });
}

kj::Promise<void> InteractiveSession::showStatus() {
  return retrying<ClusterStatus>([this]() { return api_.status(); })
      .then([this](std::optional<ClusterStatus> status) {
        if (status) say(statusText(*status, style_));
      });
}

template <typename T>
kj::Promise<std::optional<T>> InteractiveSession::retrying(kj::Function<kj::Promise<T>()> call) {
  auto attempt = kj::evalNow([&call]() { return call(); });
  return attempt
      .then(
          [this](T value) {
            reachable_ = true;
            if (auto again = api_.takeReconnection()) {
              say(style_.dim(reconnectedText(*again)) + "\n");
            }
            return std::optional<T>(std::move(value));
          },
          [this](kj::Exception&& e) {
            reachable_ = false;
            sayError(failureText(e), true);
            return std::optional<T>();
          })
      .then([this, call = kj::mv(call)](
                std::optional<T> outcome) mutable -> kj::Promise<std::optional<T>> {
        if (outcome) {
          const Rejection* rejection = unavailable(*outcome);
          if (rejection == nullptr) return kj::mv(outcome);
          reachable_ = false;
          sayError(rejectionText(*rejection), true);
        }
        auto again = askYesNo("Try again? [y/n] ");
        if (!again || !*again) return std::optional<T>();
        return retrying<T>(kj::mv(call));
      });
}

std::optional<std::string> InteractiveSession::ask(const std::string& prompt,
                                                   std::vector<std::string> completions) {
  if (ended_) return std::nullopt;
  input_.setCompletions(std::move(completions));
  auto line = input_.readLine(prompt);
  if (!line) {
    ended_ = true;
    return std::nullopt;
  }
  return trim(*line);
}

std::optional<bool> InteractiveSession::askYesNo(const std::string& prompt) {
  while (auto answer = ask(prompt, {"yes", "no"})) {
    std::string a = lower(*answer);
    if (a == "y" || a == "yes") return true;
    if (a == "n" || a == "no") return false;
    say("Please answer y or n.\n");
  }
  return std::nullopt;
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
