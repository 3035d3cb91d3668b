// The dish lookup that the one-shot `order` and the interactive dish prompt share: by number, by
// name whatever its case, and the closest names when neither matches.
#include <doctest/doctest.h>

#include "client/dish-lookup.h"

namespace jh::client {

namespace {

const std::vector<MenuEntry> MENU = {{"HAMBURGER", 785},       {"VEGGIE BURGER", 745},
                                     {"Pepperoni Pizza", 950}, {"CHIPS", 295},
                                     {"Crème brûlée", 450},    {"CHICKEN WINGS", 1185}};

// The name found, or "" when none is.
std::string found(std::string_view answer, const std::vector<MenuEntry>& menu = MENU) {
  auto dish = findDish(menu, answer);
  auto* entry = std::get_if<MenuEntry>(&dish);
  return entry != nullptr ? entry->item : "";
}

// The sentence of the refusal, or "" when a dish is found.
std::string refusal(std::string_view answer, const std::vector<MenuEntry>& menu = MENU) {
  auto dish = findDish(menu, answer);
  auto* rejection = std::get_if<Rejection>(&dish);
  if (rejection == nullptr) return "";
  CHECK(rejection->code == rpc::RejectCode::UNKNOWN_ITEM);
  return rejection->message;
}

}  // namespace

TEST_CASE("a dish is found by its number as the menu lists it, from 1") {
  CHECK(found("1") == "HAMBURGER");
  CHECK(found(" 3 ") == "Pepperoni Pizza");
  CHECK(found("6") == "CHICKEN WINGS");
  CHECK(found("06") == "CHICKEN WINGS");
  CHECK(refusal("0") == "There is no dish 0 on the menu; give a number from 1 to 6 or a name.");
  CHECK(refusal("7") == "There is no dish 7 on the menu; give a number from 1 to 6 or a name.");
  CHECK(refusal("99999999999999999999") ==
        "There is no dish 99999999999999999999 on the menu; give a number from 1 to 6 or a name.");
}

TEST_CASE(
    "a dish is found by its name whatever the case of its ASCII letters and the spaces "
    "around it") {
  CHECK(found("hamburger") == "HAMBURGER");
  CHECK(found("  pepperoni PIZZA ") == "Pepperoni Pizza");
  CHECK(found("CRèME BRûLéE") == "Crème brûlée");
  CHECK(refusal("hamburger") == "");
}

TEST_CASE("a name that is not on the menu suggests the closest dish") {
  CHECK(refusal("pizza") == "\"pizza\" is not on the menu. Did you mean \"Pepperoni Pizza\"?");
  CHECK(refusal("hamburgr") == "\"hamburgr\" is not on the menu. Did you mean \"HAMBURGER\"?");
  CHECK(refusal("chiken wings") ==
        "\"chiken wings\" is not on the menu. Did you mean \"CHICKEN WINGS\"?");
  CHECK(refusal("crème brulee") ==
        "\"crème brulee\" is not on the menu. Did you mean \"Crème brûlée\"?");
}

TEST_CASE("a name close to several dishes names each of them, and to too many names none") {
  CHECK(refusal("burger") ==
        "\"burger\" is not on the menu. Did you mean \"HAMBURGER\" or \"VEGGIE BURGER\"?");
  CHECK(refusal("ch") == "\"ch\" is not on the menu. Did you mean \"CHIPS\" or \"CHICKEN WINGS\"?");
  CHECK(refusal("er") ==
        "\"er\" is not on the menu. Did you mean \"HAMBURGER\", "
        "\"VEGGIE BURGER\" or \"Pepperoni Pizza\"?");
  const std::vector<MenuEntry> pizzas = {
      {"Margherita Pizza", 1}, {"Pepperoni Pizza", 1}, {"Veggie Pizza", 1}, {"Hawaiian Pizza", 1}};
  CHECK(refusal("pizza", pizzas) ==
        "\"pizza\" is not on the menu; give a number from 1 to 4 or a name.");
}

TEST_CASE("a name close to nothing asks for a number or a name") {
  CHECK(refusal("sushi") == "\"sushi\" is not on the menu; give a number from 1 to 6 or a name.");
  CHECK(refusal("x") == "\"x\" is not on the menu; give a number from 1 to 6 or a name.");
  CHECK(refusal("  ") == "No dish was given; give a number from 1 to 6 or a name.");
}

TEST_CASE("a very long answer is quoted cut short, and nothing is suggested for it") {
  std::string message = refusal(std::string(100000, 'A'));
  CHECK(message == "\"" + std::string(37, 'A') +
                       "...\" is not on the menu; give a number from 1 "
                       "to 6 or a name.");
}

TEST_CASE("nothing is found on an empty menu") { CHECK(refusal("1", {}) == "The menu is empty."); }

}  // namespace jh::client
