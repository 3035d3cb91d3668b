// Mode names as tests and people type them.
#include "tests/support/fake-postcodes/fake-mode.h"

#include <cctype>
#include <charconv>

namespace jh::fake {

std::optional<FakeMode> parseFakeMode(std::string_view text) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  using Kind = FakeMode::Kind;
  if (text == "normal") return FakeMode{Kind::NORMAL};
  if (text == "error500") return FakeMode{Kind::ERROR500};
  if (text == "html") return FakeMode{Kind::HTML};
  if (text == "hang") return FakeMode{Kind::HANG};
  if (text == "close") return FakeMode{Kind::CLOSE};
  constexpr std::string_view SLOW = "slow:";
  if (text.substr(0, SLOW.size()) != SLOW) return std::nullopt;
  std::string_view digits = text.substr(SLOW.size());
  uint32_t ms = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return FakeMode{Kind::SLOW, ms};
}

std::string fakeModeName(const FakeMode& mode) {
  switch (mode.kind) {
    case FakeMode::Kind::NORMAL: return "normal";
    case FakeMode::Kind::SLOW: return "slow:" + std::to_string(mode.delayMs);
    case FakeMode::Kind::ERROR500: return "error500";
    case FakeMode::Kind::HTML: return "html";
    case FakeMode::Kind::HANG: return "hang";
    case FakeMode::Kind::CLOSE: return "close";
  }
  return "normal";
}

}  // namespace jh::fake
