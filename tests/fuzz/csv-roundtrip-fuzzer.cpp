// The CSV writer and reader agree: any records (each of one or more fields of any bytes) written
// with appendCsvRecord read back the same with CsvReader; cut anywhere short, the text reads back
// the records wholly before the cut, then END at a record boundary or TORN inside a record (the
// torn-write rule orders.csv relies on). A record of no fields has no CSV form and is not made.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <vector>

#include "schema/orders/csv.h"
#include "tests/fuzz/fuzz-support.h"

using jh::CsvReader;
using Record = std::vector<std::string>;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  size_t cut = input.ConsumeIntegral<uint16_t>();
  std::vector<Record> records;
  std::vector<size_t> ends;  // where each record ends in `text`
  std::string text;
  while (input.remaining_bytes() > 0 && records.size() < 16) {
    Record record(input.ConsumeIntegralInRange<size_t>(1, 8));
    for (auto& field : record) field = input.ConsumeRandomLengthString(64);
    jh::appendCsvRecord(text, {record.begin(), record.end()});
    records.push_back(std::move(record));
    ends.push_back(text.size());
  }

  CsvReader reader(text);
  Record fields;
  for (auto& record : records) {
    JH_FUZZ_CHECK(reader.next(fields) == CsvReader::Result::RECORD, "every record reads back");
    JH_FUZZ_CHECK(fields == record, "with the same fields");
  }
  JH_FUZZ_CHECK(reader.next(fields) == CsvReader::Result::END, "and nothing more");

  if (text.empty()) return 0;
  cut %= text.size();
  CsvReader prefix(std::string_view(text).substr(0, cut));
  size_t whole = 0;
  while (whole < ends.size() && ends[whole] <= cut) ++whole;
  for (size_t i = 0; i < whole; ++i) {
    JH_FUZZ_CHECK(prefix.next(fields) == CsvReader::Result::RECORD && fields == records[i],
                  "a cut keeps the records before it");
  }
  auto last = prefix.next(fields);
  bool atBoundary = cut == 0 || (whole > 0 && ends[whole - 1] == cut);
  JH_FUZZ_CHECK(last == (atBoundary ? CsvReader::Result::END : CsvReader::Result::TORN),
                "a cut inside a record reads as TORN, at a boundary as END");
  return 0;
}
