// RFC 4180 CSV: what is written reads back exactly, what is cut short reads as TORN, what is
// malformed reads as BAD, and lines and offsets are counted for error messages.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "schema/orders/csv.h"

using jh::CsvReader;
using Result = CsvReader::Result;
using Fields = std::vector<std::string>;

namespace {

// Writes `fields` as one record and reads it back.
Fields roundTrip(const Fields& fields) {
  std::vector<std::string_view> views(fields.begin(), fields.end());
  std::string text;
  jh::appendCsvRecord(text, views);
  CsvReader reader(text);
  Fields read;
  REQUIRE(reader.next(read) == Result::RECORD);
  CHECK(reader.position() == text.size());
  Fields none;
  CHECK(reader.next(none) == Result::END);
  return read;
}

// Every record of `text` up to the first non-RECORD result, which is returned in `last`.
std::vector<Fields> readAll(std::string_view text, Result& last) {
  CsvReader reader(text);
  std::vector<Fields> records;
  Fields fields;
  while ((last = reader.next(fields)) == Result::RECORD) records.push_back(fields);
  return records;
}

}  // namespace

TEST_CASE("fields holding commas, quotes, line breaks or edge spaces round-trip exactly") {
  for (const Fields& fields : std::vector<Fields>{
           {"a,b", "c"},
           {"say \"hi\"", "\"", "\"\""},
           {"cr\rinside", "lf\ninside", "crlf\r\ninside", "\r\n"},
           {" leading", "trailing ", " both ", " "},
           {"", "", ""},
           {""},
           {"caf\xc3\xa9", "\xe4\xb8\xad\xe6\x96\x87", "\xf0\x9f\x8d\x95 pizza"},
           {"ann,\"o'hara\"", "x"},
           {"tab\there",
            "nul\x01"
            "byte"},
       }) {
    CAPTURE(fields.size());
    CHECK(roundTrip(fields) == fields);
  }
}

TEST_CASE(
    "read as views, plain and quoted fields view the data and unescaped ones stay valid together") {
  std::string text =
      "plain,\"a,b\",\"say \"\"hi\"\"\",\"\"\"\"\"\",\"x\"\"y\"\"z\"\r\nnext,\"\"\"\"\r\n";
  CsvReader reader(text);
  std::vector<std::string_view> fields;
  REQUIRE(reader.next(fields) == Result::RECORD);
  CHECK(fields == std::vector<std::string_view>{"plain", "a,b", "say \"hi\"", "\"\"", "x\"y\"z"});
  auto inText = [&](std::string_view f) {
    return f.data() >= text.data() && f.data() < text.data() + text.size();
  };
  CHECK(inText(fields[0]));
  CHECK(inText(fields[1]));  // quoted, but with nothing to unescape
  CHECK_FALSE(inText(fields[2]));
  REQUIRE(reader.next(fields) == Result::RECORD);
  CHECK(fields == std::vector<std::string_view>{"next", "\""});
  CHECK(reader.next(fields) == Result::END);
}

TEST_CASE("a lone field that is just a double quote round-trips") {
  CHECK(roundTrip({"\""}) == Fields{"\""});
  std::string text;
  jh::appendCsvField(text, "\"");
  CHECK(text == "\"\"\"\"");
}

TEST_CASE("only fields that need quoting are quoted, and records end with CRLF") {
  std::string text;
  jh::appendCsvRecord(text, {"plain", "a,b", "q\"", " s", ""});
  CHECK(text == "plain,\"a,b\",\"q\"\"\",\" s\",\r\n");
}

TEST_CASE("quoted fields may span several lines and recordLine counts the lines they use") {
  std::string text =
      "h1,h2\r\n"
      "\"two\nlines\",x\r\n"
      "\"three\r\nlines\r\nhere\",y\r\n"
      "last,z\r\n";
  CsvReader reader(text);
  Fields f;
  REQUIRE(reader.next(f) == Result::RECORD);
  CHECK(reader.recordLine() == 1);
  REQUIRE(reader.next(f) == Result::RECORD);
  CHECK(reader.recordLine() == 2);
  CHECK(f == Fields{"two\nlines", "x"});
  REQUIRE(reader.next(f) == Result::RECORD);
  CHECK(reader.recordLine() == 4);
  CHECK(f == Fields{"three\r\nlines\r\nhere", "y"});
  REQUIRE(reader.next(f) == Result::RECORD);
  CHECK(reader.recordLine() == 7);
  CHECK(f == Fields{"last", "z"});
  CHECK(reader.next(f) == Result::END);
}

TEST_CASE("LF-only and CRLF line ends both read, mixed in one file") {
  Result last;
  auto records = readAll("a,b\nc,d\r\ne,f\n", last);
  CHECK(last == Result::END);
  CHECK(records == std::vector<Fields>{{"a", "b"}, {"c", "d"}, {"e", "f"}});
}

TEST_CASE("data ending without a final line break reads as TORN, after the complete records") {
  for (std::string_view text : {"a,b\r\nc,d", "a,b\r\nc,", "a,b\r\nc,d\r", "a,b\r\n\"c\""}) {
    CAPTURE(std::string(text));
    Result last;
    auto records = readAll(text, last);
    CHECK(last == Result::TORN);
    CHECK(records == std::vector<Fields>{{"a", "b"}});
  }
}

TEST_CASE("data ending inside a quoted field reads as TORN at the record's start") {
  std::string text = "a,b\r\nc,\"unfinished\r\nsecond line";
  CsvReader reader(text);
  Fields f;
  REQUIRE(reader.next(f) == Result::RECORD);
  size_t good = reader.position();
  CHECK(reader.next(f) == Result::TORN);
  CHECK(reader.recordLine() == 2);
  CHECK(reader.recordOffset() == good);
  CHECK(good == 5);
}

TEST_CASE("a double quote inside an unquoted field reads as BAD with a reason") {
  CsvReader reader("ok,1\r\nab\"c,2\r\n");
  Fields f;
  REQUIRE(reader.next(f) == Result::RECORD);
  CHECK(reader.next(f) == Result::BAD);
  CHECK(reader.recordLine() == 2);
  CHECK(reader.recordOffset() == 6);
  CHECK_FALSE(reader.error().empty());
}

TEST_CASE("characters after a closing quote read as BAD") {
  for (std::string_view text : {"\"abc\"x,1\r\n", "\"abc\" ,1\r\n", "1,\"a\"\"b\"c\r\n"}) {
    CAPTURE(std::string(text));
    CsvReader reader(text);
    Fields f;
    CHECK(reader.next(f) == Result::BAD);
    CHECK_FALSE(reader.error().empty());
  }
}

TEST_CASE("a carriage return outside quotes that does not end a line reads as BAD") {
  CsvReader reader("a\rb\r\n");
  Fields f;
  CHECK(reader.next(f) == Result::BAD);
}

TEST_CASE("position is just past the last record and recordOffset is where it began") {
  std::string text = "x,y\r\n\"q\nq\",z\nend\r\n";
  CsvReader reader(text);
  Fields f;
  REQUIRE(reader.next(f) == Result::RECORD);
  CHECK(reader.recordOffset() == 0);
  CHECK(reader.position() == 5);
  REQUIRE(reader.next(f) == Result::RECORD);
  CHECK(reader.recordOffset() == 5);
  CHECK(reader.position() == 5 + std::string_view("\"q\nq\",z\n").size());
  REQUIRE(reader.next(f) == Result::RECORD);
  CHECK(reader.recordLine() == 4);
  CHECK(reader.position() == text.size());
  CHECK(reader.next(f) == Result::END);
}

TEST_CASE("empty data reads as END at once and an empty line as one empty field") {
  Fields f;
  CHECK(CsvReader("").next(f) == Result::END);
  CsvReader reader("\r\n");
  CHECK(reader.next(f) == Result::RECORD);
  CHECK(f == Fields{""});
}
