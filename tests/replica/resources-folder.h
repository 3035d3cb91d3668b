// A replica's resources folder for tests: motd.txt and menu.csv in a temporary folder.
#pragma once

#include <string>

#include "tests/schema/temp-dir.h"

namespace jh::test {

// A menu of three dishes, header first, CRLF line ends.
inline constexpr const char* SAMPLE_MENU =
    "item,price\r\nMargherita pizza,11.85\r\n\"Fish, chips\",7.50\r\nTea,0.05\r\n";
inline constexpr const char* SAMPLE_MOTD = "Welcome to Just Hungry!\n";

// Writes motd.txt and menu.csv into `dir`.
void writeResources(const TempDir& dir, const std::string& menu = SAMPLE_MENU,
                    const std::string& motd = SAMPLE_MOTD);

}  // namespace jh::test
