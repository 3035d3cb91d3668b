// The dish lookup shared by the one-shot and interactive clients, with the closest-name
// suggestion.
#include "client/dish-lookup.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "client/text-output.h"

namespace jh::client {

namespace {

// Answers longer than this are nobody's typo of a dish name: no suggestion is looked for (and
// the work stays small for a hostile 100 KB argument).
constexpr size_t MAX_SUGGESTED_ANSWER = 100;
// More close names than this are no help: the sentence then lists none.
constexpr size_t MAX_SUGGESTIONS = 3;

std::string_view trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// ASCII letters folded to lower case; the front-end matches names the same way.
std::string folded(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

// One number per code point of UTF-8 `s` (its bytes packed, which keeps code points distinct).
std::vector<uint32_t> codePoints(std::string_view s) {
  std::vector<uint32_t> out;
  for (char c : s) {
    auto b = static_cast<unsigned char>(c);
    if ((b & 0xC0) == 0x80 && !out.empty()) {
      out.back() = out.back() << 8 | b;
    } else {
      out.push_back(b);
    }
  }
  return out;
}

// The fewest single-character edits that turn `answer` into some part of `name`: 0 when the
// name contains the answer, 1 for "piza" in "margherita pizza".
size_t distanceWithin(const std::vector<uint32_t>& answer, const std::vector<uint32_t>& name) {
  // row[j]: the distance of the answer so far to a part of the name ending before name[j].
  std::vector<size_t> row(name.size() + 1, 0), next(name.size() + 1);
  for (size_t i = 0; i < answer.size(); ++i) {
    next[0] = i + 1;
    for (size_t j = 0; j < name.size(); ++j) {
      size_t substitute = row[j] + (answer[i] == name[j] ? 0 : 1);
      next[j + 1] = std::min({substitute, row[j + 1] + 1, next[j] + 1});
    }
    std::swap(row, next);
  }
  return *std::min_element(row.begin(), row.end());
}

// The names closest to `answer`, in menu order: those at the smallest distance, when it is
// within a quarter of the answer's length. Empty when none is close or too many are.
std::vector<std::string> closestNames(const std::vector<MenuEntry>& menu,
                                      const std::string& answer) {
  auto wanted = codePoints(answer);
  if (wanted.size() < 2 || wanted.size() > MAX_SUGGESTED_ANSWER) return {};
  size_t best = wanted.size() / 4;
  std::vector<std::string> names;
  for (auto& entry : menu) {
    size_t d = distanceWithin(wanted, codePoints(folded(entry.item)));
    if (d > best) continue;
    if (d < best) names.clear();
    best = d;
    names.push_back(entry.item);
  }
  if (names.size() > MAX_SUGGESTIONS) return {};
  return names;
}

// "A", "A" or "B", "A", "B" or "C": each quoted.
std::string oneOf(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += fmt::format("\"{}\"", names[i]);
  }
  return out;
}

Rejection unknown(std::string message) {
  return Rejection{rpc::RejectCode::UNKNOWN_ITEM, std::move(message)};
}

}  // namespace

Reply<MenuEntry> findDish(const std::vector<MenuEntry>& menu, std::string_view rawAnswer) {
  if (menu.empty()) return unknown("The menu is empty.");
  std::string_view answer = trimmed(rawAnswer);
  std::string range = fmt::format("give a number from 1 to {} or a name", menu.size());
  if (answer.empty()) return unknown(fmt::format("No dish was given; {}.", range));
  if (answer.find_first_not_of("0123456789") == std::string_view::npos) {
    if (answer.size() <= 6) {
      size_t n = std::stoul(std::string(answer));
      if (n >= 1 && n <= menu.size()) return menu[n - 1];
    }
    return unknown(fmt::format("There is no dish {} on the menu; {}.", cut(answer, 20), range));
  }
  std::string wanted = folded(answer);
  for (auto& entry : menu) {
    if (folded(trimmed(entry.item)) == wanted) return entry;
  }
  std::string quoted = fmt::format("\"{}\" is not on the menu", cut(answer, 40));
  auto names = closestNames(menu, wanted);
  if (names.empty()) return unknown(fmt::format("{}; {}.", quoted, range));
  return unknown(fmt::format("{}. Did you mean {}?", quoted, oneOf(names)));
}

}  // namespace jh::client
