// Money is integer pence inside the system; this is where it meets text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jh {

// Parses "11.85", "7", "7.5", "0.05" to pence. Refuses anything that is not a non-negative
// amount with at most two decimals ("7.8.5", "-1", "1.234", "", "1e3", " 7"), or one too large.
std::optional<int64_t> parsePrice(std::string_view text);

// 785 -> "7.85": the form used in CSV and JSON.
std::string formatPrice(int64_t pence);
// The same, appended to `out`.
void appendPrice(std::string& out, int64_t pence);

// 785 -> "£7.85": the form shown to people.
std::string formatPounds(int64_t pence);

}  // namespace jh
