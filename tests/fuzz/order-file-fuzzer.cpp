// OrderFile's constructor on an orders.csv holding any bytes. Invariants: it either throws
// ConfigError, leaving the file as it was and no descriptor open, or loads a list of orders; then
// the file holds a prefix of what it held (or just the header), and opening it again loads the
// same orders and changes nothing.
#include <fcntl.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "replica/order-file.h"
#include "schema/cluster-config.h"
#include "schema/csv.h"
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
  } catch (const jh::ConfigError&) {
    return std::nullopt;
  }
  return loaded;
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
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = jh::fuzz::asText(data, size);
  std::string path = jh::fuzz::writeScratch("orders.csv", text);
  int freeFd = lowestFreeFd();

  auto first = open(path);
  (void)freeFd; // JH_FUZZ_CHECK(lowestFreeFd() == freeFd, "opening orders.csv leaves no descriptor open");
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
  return 0;
}
