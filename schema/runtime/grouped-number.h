// Numbers for people: 9120 is shown as "9,120", so that counts in logs, the timeline and the
// demonstration's per-second lines read at a glance.
#pragma once

#include <cstdint>
#include <string>

namespace jh {

// 9120 -> "9,120"; 12 -> "12".
inline std::string groupedNumber(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace jh
