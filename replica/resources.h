// A replica's read-only resources: motd.txt and menu.csv from its folder, checked at start.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace jh {

struct MenuEntry {
  std::string item;
  int64_t pricePence;
};

struct Resources {
  std::string motd;
  std::vector<MenuEntry> menu;
  std::string digest;  // hex FNV-1a of menu.csv and motd.txt bytes: tells differing copies apart
};

// Loads `dir`/motd.txt and `dir`/menu.csv. Throws ConfigError naming the file (and line) when
// one is missing, a price is not a non-negative amount with at most two decimals, an item is
// empty or repeated, or a line has other than two fields.
Resources loadResources(const std::string& dir);

}  // namespace jh
