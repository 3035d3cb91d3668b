// loadResources on a folder whose menu.csv holds any bytes. Invariants: it either throws
// ConfigError or returns a non-empty menu of distinct, printable items with non-negative prices;
// that menu written back out as CSV loads the same.
#include <set>
#include <string>
#include <vector>

#include "replica/resources.h"
#include "schema/config/cluster-config.h"
#include "schema/orders/csv.h"
#include "schema/orders/money.h"
#include "schema/orders/order.h"
#include "tests/fuzz/fuzz-support.h"

namespace {

std::optional<jh::Resources> load(std::string_view menuCsv) {
  jh::fuzz::writeScratch("menu.csv", menuCsv);
  try {
    return jh::loadResources(jh::fuzz::scratchDir());
  } catch (const jh::ConfigError&) { return std::nullopt; }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  jh::fuzz::writeScratch("motd.txt", "Welcome to Just Hungry!\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto resources = load(jh::fuzz::asText(data, size));
  if (!resources) return 0;
  JH_FUZZ_CHECK(!resources->menu.empty(), "a loaded menu has items");
  JH_FUZZ_CHECK(resources->digest.size() == 16, "the digest is 16 hex digits");
  std::set<std::string> items;
  std::string written = "item,price\r\n";
  for (auto& entry : resources->menu) {
    JH_FUZZ_CHECK(items.insert(entry.item).second, "items are distinct");
    JH_FUZZ_CHECK(!jh::checkItemText(entry.item), "items are printable text");
    JH_FUZZ_CHECK(entry.pricePence >= 0, "prices are not negative");
    std::string price = jh::formatPrice(entry.pricePence);
    jh::appendCsvRecord(written, {entry.item, price});
  }

  auto again = load(written);
  JH_FUZZ_CHECK(again.has_value(), "a loaded menu written back out loads");
  JH_FUZZ_CHECK(again->menu.size() == resources->menu.size(), "and has as many items");
  for (size_t i = 0; i < again->menu.size(); ++i) {
    JH_FUZZ_CHECK(again->menu[i].item == resources->menu[i].item &&
                      again->menu[i].pricePence == resources->menu[i].pricePence,
                  "and the same items at the same prices");
  }
  return 0;
}
