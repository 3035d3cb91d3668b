// How the fake misbehaves, chosen by --mode or POST /__fake/mode: normal, slow:MS, error500, html,
// hang or close.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jh::fake {

struct FakeMode {
  enum class Kind { NORMAL, SLOW, ERROR500, HTML, HANG, CLOSE };
  Kind kind = Kind::NORMAL;
  uint32_t delayMs = 0;  // SLOW only
};

constexpr std::string_view UNKNOWN_MODE =
    "unknown mode; use normal, slow:MS, error500, html, hang or close";

// nullopt for anything but the names above (surrounding white space is ignored).
std::optional<FakeMode> parseFakeMode(std::string_view text);
std::string fakeModeName(const FakeMode& mode);

}  // namespace jh::fake
