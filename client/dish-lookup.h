// Which dish a person means by what they typed: one lookup for the one-shot `order ITEM` and the
// interactive dish prompt alike (DESIGN.md §7), so that both accept the same answers.
#pragma once

#include <string_view>
#include <vector>

#include "client/front-end-api.h"

namespace jh::client {

// The entry of `menu` that `answer` means: its number as the menu lists it (1 is the first), or
// its name, ignoring case (ASCII) and spaces around it. Otherwise an UNKNOWN_ITEM rejection whose
// message is one sentence for a person; it names the closest dishes when some are close
// (`"pizza" is not on the menu. Did you mean "Margherita pizza"?`), up to three of them.
Reply<MenuEntry> findDish(const std::vector<MenuEntry>& menu, std::string_view answer);

}  // namespace jh::client
