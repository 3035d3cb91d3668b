// Loading of motd.txt and menu.csv.
#include "replica/resources.h"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "schema/config/cluster-config.h"
#include "schema/orders/csv.h"
#include "schema/orders/money.h"
#include "schema/orders/order.h"

namespace jh {

namespace {

std::string readWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot be read", path));
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

uint64_t fnv1a(uint64_t hash, const std::string& bytes) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

Resources loadResources(const std::string& dir) {
  Resources r;
  std::string motdPath = dir + "/motd.txt";
  std::string menuPath = dir + "/menu.csv";
  std::string motdBytes = readWhole(motdPath);
  std::string menuBytes = readWhole(menuPath);
  r.motd = motdBytes;
  while (!r.motd.empty() && (r.motd.back() == '\n' || r.motd.back() == '\r')) r.motd.pop_back();

  // People may leave out the last line break; after adding it, TORN can only mean a quote that
  // is never closed.
  std::string menuText = menuBytes;
  if (!menuText.empty() && menuText.back() != '\n') menuText.push_back('\n');
  CsvReader reader(menuText);
  std::vector<std::string> fields;
  std::set<std::string> seen;
  bool header = true;
  while (true) {
    auto result = reader.next(fields);
    if (result == CsvReader::Result::END) break;
    std::string where = fmt::format("{}:{}", menuPath, reader.recordLine());
    if (result == CsvReader::Result::BAD) throw ConfigError(where + ": " + reader.error());
    if (result == CsvReader::Result::TORN)
      throw ConfigError(where + ": a quoted field that is never closed");
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    if (fields.size() != 2) {
      throw ConfigError(
          fmt::format("{}: expected 2 fields (item,price), found {}", where, fields.size()));
    }
    if (header) {
      header = false;
      if (fields[0] == "item" && fields[1] == "price") continue;
      throw ConfigError(where + ": the first line must be the header item,price");
    }
    if (auto bad = checkItemText(fields[0])) throw ConfigError(where + ": " + *bad);
    auto price = parsePrice(fields[1]);
    if (!price) {
      throw ConfigError(
          fmt::format("{}: price '{}' is not a non-negative amount with at most two decimals",
                      where, fields[1]));
    }
    if (!seen.insert(fields[0]).second) {
      throw ConfigError(fmt::format("{}: item '{}' is listed twice", where, fields[0]));
    }
    r.menu.push_back({fields[0], *price});
  }
  if (r.menu.empty()) throw ConfigError(menuPath + ": the menu has no items");
  r.digest = fmt::format("{:016x}", fnv1a(fnv1a(14695981039346656037ull, menuBytes), motdBytes));
  return r;
}

}  // namespace jh
