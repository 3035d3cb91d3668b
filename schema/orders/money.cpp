// Price parsing and formatting, exact to the penny (no floating point anywhere).
#include "schema/orders/money.h"

#include <fmt/format.h>

namespace jh {

namespace {
constexpr int64_t MAX_POUNDS = 1'000'000'000;  // far beyond any dish, far below overflow
}

std::optional<int64_t> parsePrice(std::string_view text) {
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 10) return std::nullopt;
  if (dot != std::string_view::npos && (frac.empty() || frac.size() > 2)) return std::nullopt;
  int64_t pounds = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    pounds = pounds * 10 + (c - '0');
  }
  if (pounds > MAX_POUNDS) return std::nullopt;
  int64_t pence = 0;
  for (size_t i = 0; i < 2; ++i) {
    char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') return std::nullopt;
    pence = pence * 10 + (c - '0');
  }
  return pounds * 100 + pence;
}

std::string formatPrice(int64_t pence) {
  const char* sign = pence < 0 ? "-" : "";
  uint64_t magnitude = pence < 0 ? uint64_t(-(pence + 1)) + 1 : uint64_t(pence);
  return fmt::format("{}{}.{:02}", sign, magnitude / 100, magnitude % 100);
}

std::string formatPounds(int64_t pence) {
  std::string plain = formatPrice(pence);
  if (plain[0] == '-') return "-£" + plain.substr(1);
  return "£" + plain;
}

}  // namespace jh
