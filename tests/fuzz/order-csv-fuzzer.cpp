// orders.csv below OrderFile: CsvReader over any bytes, and orderFromCsv on every record it reads.
// Invariants: records follow one another without gaps, every record and every order written back
// out reads back the same, and a refusal always says why.
#include <string>
#include <vector>

#include "schema/orders/csv.h"
#include "schema/orders/order.h"
#include "tests/fuzz/fuzz-support.h"

namespace {

using jh::CsvReader;

std::vector<std::string_view> views(const std::vector<std::string>& fields) {
  return {fields.begin(), fields.end()};
}

// The one record that `text` holds.
std::vector<std::string> onlyRecord(const std::string& text) {
  CsvReader reader(text);
  std::vector<std::string> fields, extra;
  JH_FUZZ_CHECK(reader.next(fields) == CsvReader::Result::RECORD, "a written record reads back");
  JH_FUZZ_CHECK(reader.next(extra) == CsvReader::Result::END, "a written record is one record");
  return fields;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = jh::fuzz::asText(data, size);
  CsvReader reader(text);
  std::vector<std::string> fields;
  size_t end = 0;  // of the last record
  while (true) {
    auto result = reader.next(fields);
    JH_FUZZ_CHECK(reader.recordOffset() == end, "the next record starts where the last ended");
    if (result == CsvReader::Result::END) {
      JH_FUZZ_CHECK(end == text.size(), "END only after the last byte");
      break;
    }
    if (result == CsvReader::Result::BAD) {
      JH_FUZZ_CHECK(!reader.error().empty(), "BAD says why");
      break;
    }
    if (result == CsvReader::Result::TORN) break;
    JH_FUZZ_CHECK(reader.position() > end && reader.position() <= text.size(),
                  "a record moves the reader forward, within the data");
    end = reader.position();
    JH_FUZZ_CHECK(!fields.empty(), "a record has a field");

    std::string again;
    jh::appendCsvRecord(again, views(fields));
    JH_FUZZ_CHECK(onlyRecord(again) == fields, "a record written back out reads back the same");

    std::string error;
    auto order = jh::orderFromCsv(fields, error);
    if (!order) {
      JH_FUZZ_CHECK(!error.empty(), "a refused row says why");
      continue;
    }
    std::string row;
    jh::appendOrderCsv(row, *order);
    std::string rowError;
    auto reread = jh::orderFromCsv(onlyRecord(row), rowError);
    JH_FUZZ_CHECK(reread && *reread == *order, "an order written back out reads back the same");
  }
  return 0;
}
