// Price parsing and formatting, exact to the penny (no floating point anywhere).
#include "schema/orders/money.h"

#include <charconv>

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

void appendPrice(std::string& out, int64_t pence) {
  if (pence < 0) out.push_back('-');
  uint64_t magnitude = pence < 0 ? uint64_t(-(pence + 1)) + 1 : uint64_t(pence);
  char pounds[24];
  out.append(pounds, std::to_chars(pounds, pounds + sizeof pounds, magnitude / 100).ptr);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + magnitude % 100 / 10));
  out.push_back(static_cast<char>('0' + magnitude % 10));
}

std::string formatPrice(int64_t pence) {
  std::string text;
  appendPrice(text, pence);
  return text;
}

std::string formatPounds(int64_t pence) {
  std::string plain = formatPrice(pence);
  if (plain[0] == '-') return "-£" + plain.substr(1);
  return "£" + plain;
}

}  // namespace jh
