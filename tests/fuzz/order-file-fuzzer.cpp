// OrderFile's constructor on an orders.csv holding any bytes. Invariants: it either throws
// ConfigError, leaving the file as it was and no descriptor open, or loads a list of orders; then
// the file holds a prefix of what it held (or just the header), opening it again loads the same
// orders and changes nothing, and an order appended then loads after them.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <kj/async-io.h>

#include "replica/order-file.h"
#include "schema/config/cluster-config.h"
#include "schema/orders/csv.h"
#include "tests/fuzz/fuzz-support.h"

namespace {

using jh::OrderRecord;

// The lowest free descriptor: it rises when a descriptor is left open.
int lowestFreeFd() {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) jh::fuzz::fail("cannot open /dev/null");
  ::close(fd);
  return fd;
}

std::optional<std::vector<OrderRecord>> open(const std::string& path) {
  std::vector<OrderRecord> loaded;
  try {
    jh::OrderFile file(path, loaded);
  } catch (const jh::ConfigError&) { return std::nullopt; }
  return loaded;
}

// A valid order that may follow `loaded`: of origin "fuzz.origin" incarnation 1, one seq past its
// last there.
OrderRecord nextOrder(const std::vector<OrderRecord>& loaded) {
  OrderRecord order{"fuzz-order",
                    "ann",
                    "HAMBURGER",
                    785,
                    "2026-11-21T22:46:55.031Z",
                    "AB10 1AB",
                    "Aberdeen City",
                    "CONFIRMED",
                    "fuzz.origin",
                    1,
                    1,
                    false};
  for (auto& o : loaded) {
    if (o.origin == order.origin && o.incarnation == order.incarnation)
      order.seq = std::max(order.seq, o.seq + 1);
  }
  return order;
}

// The event loop that OrderFile::append resolves on.
kj::AsyncIoContext& io() {
  static kj::AsyncIoContext context = kj::setupAsyncIo();
  return context;
}

std::string headerLine() {
  std::string line;
  jh::appendCsvRecord(line, jh::orderCsvHeader());
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  jh::fuzz::quietLogs();
  jh::fuzz::scratchDir();
  io();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = jh::fuzz::asText(data, size);
  std::string path = jh::fuzz::writeScratch("orders.csv", text);
  int freeFd = lowestFreeFd();

  auto first = open(path);
  JH_FUZZ_CHECK(lowestFreeFd() == freeFd, "opening orders.csv leaves no descriptor open");
  std::string after = jh::fuzz::readWhole(path);
  if (!first) {
    JH_FUZZ_CHECK(after == text, "a refused orders.csv is left as it was");
    return 0;
  }
  JH_FUZZ_CHECK(after == headerLine() || (!after.empty() && text.starts_with(after)),
                "a loaded orders.csv keeps a prefix of itself, or only the header");

  auto second = open(path);
  JH_FUZZ_CHECK(second.has_value(), "a loaded orders.csv opens again");
  JH_FUZZ_CHECK(*second == *first, "opening again loads the same orders");
  JH_FUZZ_CHECK(jh::fuzz::readWhole(path) == after, "opening again changes nothing");

  OrderRecord extra = nextOrder(*first);
  {
    std::vector<OrderRecord> loaded;
    jh::OrderFile file(path, loaded, io().lowLevelProvider.get());
    std::string row;
    jh::appendOrderCsv(row, extra);
    file.append(std::move(row)).wait(io().waitScope);
  }
  auto third = open(path);
  first->push_back(extra);
  JH_FUZZ_CHECK(third.has_value() && *third == *first, "an appended order loads after the others");
  return 0;
}
