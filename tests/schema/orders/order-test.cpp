// Orders: the CSV row round trip, the checks on what users type, timestamps, ids and reject code
// names (postcodes: postcode-format-test.cpp).
#include <doctest/doctest.h>

#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <capnp/message.h>
#include <capnp/schema.h>

#include "schema/orders/csv.h"
#include "schema/orders/order.h"
#include "tests/schema/sample-order.h"

using jh::OrderRecord;
using jh::test::csvRow;
using jh::test::sampleOrder;

namespace {

// appendOrderCsv, then CsvReader, then orderFromCsv.
OrderRecord throughCsv(const OrderRecord& order) {
  std::string text = csvRow(order);
  jh::CsvReader reader(text);
  std::vector<std::string> fields;
  REQUIRE(reader.next(fields) == jh::CsvReader::Result::RECORD);
  CHECK(reader.position() == text.size());
  std::string error;
  auto back = jh::orderFromCsv(fields, error);
  REQUIRE_MESSAGE(back.has_value(), error);
  return *back;
}

std::vector<std::string> sampleFields() {
  std::string text = csvRow(sampleOrder());
  jh::CsvReader reader(text);
  std::vector<std::string> fields;
  REQUIRE(reader.next(fields) == jh::CsvReader::Result::RECORD);
  return fields;
}

std::string repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

bool userCodeOk(const std::string& code) { return !jh::checkUserCode(code).has_value(); }

}  // namespace

TEST_CASE("an order survives the CSV row round trip exactly, hostile text included") {
  CHECK(throughCsv(sampleOrder()) == sampleOrder());
  for (const char* user : {"ann,\"o'hara\"", "\"", " padded ", "caf\xc3\xa9 \xf0\x9f\x8d\x95",
                           "a\nb", "x\r\ny", ",,,"}) {
    CAPTURE(std::string(user));
    OrderRecord o = sampleOrder();
    o.userCode = user;
    o.item = std::string("Fish, \"chips\"\r\n") + user;
    o.area = user;
    CHECK(throughCsv(o) == o);
  }
}

TEST_CASE("a user code with a line break is refused although the CSV layer carries it") {
  OrderRecord o = sampleOrder();
  o.userCode = "a\nb";
  CHECK(throughCsv(o).userCode == "a\nb");
  CHECK(jh::checkUserCode("a\nb").has_value());
}

TEST_CASE("the order header lists the eleven columns of DESIGN.md in order") {
  std::vector<std::string> header(jh::orderCsvHeader().begin(), jh::orderCsvHeader().end());
  CHECK(header == std::vector<std::string>{"order_id", "user_code", "item", "price", "time_stamp",
                                           "post_code", "area", "status", "origin", "incarnation",
                                           "seq"});
}

TEST_CASE("orderFromCsv reads a row of ten fields, written before incarnations, as incarnation 0") {
  auto fields = sampleFields();
  fields.erase(fields.begin() + 9);  // the incarnation column
  std::string error;
  auto order = jh::orderFromCsv(fields, error);
  REQUIRE(order.has_value());
  CHECK(order->incarnation == 0);
  CHECK(order->seq == sampleOrder().seq);
}

TEST_CASE("orderFromCsv refuses a row with the wrong number of fields") {
  auto fields = sampleFields();
  std::string error;
  fields.resize(9);
  CHECK_FALSE(jh::orderFromCsv(fields, error).has_value());
  CHECK(error.find("9") != std::string::npos);
  fields = sampleFields();
  fields.push_back("extra");
  error.clear();
  CHECK_FALSE(jh::orderFromCsv(fields, error).has_value());
  CHECK_FALSE(error.empty());
}

TEST_CASE("orderFromCsv refuses a bad price and names it") {
  for (const char* price : {"7.8.5", "-1", "", "1.234", "abc"}) {
    CAPTURE(std::string(price));
    auto fields = sampleFields();
    fields[3] = price;
    std::string error;
    CHECK_FALSE(jh::orderFromCsv(fields, error).has_value());
    CHECK(error.find("price") != std::string::npos);
  }
}

TEST_CASE(
    "orderFromCsv refuses a seq that is not a positive whole number, or an incarnation that is not "
    "a whole number") {
  for (const char* seq : {"0", "-1", "x", "", "1.5", " 1", "99999999999999999999"}) {
    CAPTURE(std::string(seq));
    auto fields = sampleFields();
    fields[10] = seq;
    std::string error;
    CHECK_FALSE(jh::orderFromCsv(fields, error).has_value());
    CHECK_FALSE(error.empty());
    if (std::string(seq) == "0") continue;  // incarnation 0 is the one before incarnations
    fields = sampleFields();
    fields[9] = seq;
    CHECK_FALSE(jh::orderFromCsv(fields, error).has_value());
    CHECK(error.find("incarnation") != std::string::npos);
  }
}

TEST_CASE("orderFromCsv refuses an empty order_id or origin") {
  for (size_t column : {size_t{0}, size_t{8}}) {
    auto fields = sampleFields();
    fields[column] = "";
    std::string error;
    CHECK_FALSE(jh::orderFromCsv(fields, error).has_value());
  }
}

TEST_CASE("an order survives the wire form round trip") {
  capnp::MallocMessageBuilder message;
  auto builder = message.initRoot<jh::rpc::Order>();
  OrderRecord o = sampleOrder();
  o.userCode = "ann,\"o'hara\"";
  jh::toWire(o, builder);
  CHECK(jh::fromWire(builder.asReader()) == o);
}

TEST_CASE(
    "a user code of 1 to 64 printable characters is accepted, counting characters not bytes") {
  CHECK(userCodeOk("a"));
  CHECK(userCodeOk("ann o'hara, \"the first\""));
  CHECK(userCodeOk(std::string(64, 'x')));
  CHECK_FALSE(userCodeOk(std::string(65, 'x')));
  CHECK(userCodeOk(repeat("\xc3\xa9", 64)));  // 64 characters in 128 bytes
  CHECK_FALSE(userCodeOk(repeat("\xc3\xa9", 65)));
  CHECK(userCodeOk(repeat("\xf0\x9f\x8d\x95", 64)));  // 64 emoji in 256 bytes
  CHECK(userCodeOk("\xe4\xb8\xad\xe6\x96\x87"));
}

TEST_CASE("an empty user code is refused with a reason") {
  auto why = jh::checkUserCode("");
  REQUIRE(why.has_value());
  CHECK_FALSE(why->empty());
}

TEST_CASE("a user code with a control character is refused") {
  for (std::string code : {std::string("a\tb"), std::string("a\nb"), std::string("a\rb"),
                           std::string("a\x7f"
                                       "b"),
                           std::string("a\xc2\x80"
                                       "b"),
                           std::string("a\xc2\x9f"
                                       "b"),
                           std::string("a\0b", 3),
                           std::string("a\xe2\x80\xa8"
                                       "b"),
                           std::string("\x1b[31m")}) {
    CAPTURE(code);
    CHECK_FALSE(userCodeOk(code));
  }
}

TEST_CASE("a user code that is not valid UTF-8 is refused") {
  for (std::string code : {std::string("a\xc0\xaf"),      // overlong '/'
                           std::string("a\xe0\x80\xaf"),  // overlong, three bytes
                           std::string("a\xed\xa0\x80"),  // a surrogate
                           std::string("a\xc3"),          // truncated at the end
                           std::string("a\xe4\xb8"
                                       "b"),                  // truncated inside
                           std::string("a\x80"),              // a lone continuation byte
                           std::string("a\xf4\x90\x80\x80"),  // past U+10FFFF
                           std::string("a\xff")}) {
    CAPTURE(code);
    CHECK_FALSE(userCodeOk(code));
  }
}

TEST_CASE("a user code starting or ending with a space is refused") {
  CHECK_FALSE(userCodeOk(" ann"));
  CHECK_FALSE(userCodeOk("ann "));
  CHECK_FALSE(userCodeOk(" "));
  CHECK(userCodeOk("ann marie"));
}

TEST_CASE("an order id of 1 to 64 letters, digits and - _ . : is accepted, anything else refused") {
  CHECK_FALSE(jh::checkOrderId(jh::newOrderId()).has_value());
  CHECK_FALSE(jh::checkOrderId("a").has_value());
  CHECK_FALSE(jh::checkOrderId("Order_1.2:3-x").has_value());
  CHECK_FALSE(jh::checkOrderId(std::string(64, 'z')).has_value());
  for (std::string id : {std::string(), std::string(65, 'z'), std::string("a b"),
                         std::string("a,b"), std::string("a/b"), std::string("caf\xc3\xa9"),
                         std::string("a\nb"), std::string("\"q\"")}) {
    CAPTURE(id);
    CHECK(jh::checkOrderId(id).has_value());
  }
}

TEST_CASE("utcTimestampNow gives ISO 8601 UTC with milliseconds") {
  std::regex shape(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  std::string stamp = jh::utcTimestampNow();
  CHECK(std::regex_match(stamp, shape));
}

namespace {

// Seconds since the epoch for the whole-second part of "YYYY-MM-DDTHH:MM:SS.mmmZ", read as UTC.
time_t secondsOfStamp(const std::string& stamp) {
  std::tm tm{};
  REQUIRE(strptime(stamp.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) != nullptr);
  return timegm(&tm);
}

// Sets TZ for the life of the object, then puts back what was there.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* tz) {
    if (const char* old = getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~ScopedTimeZone() {
    if (old_) {
      setenv("TZ", old_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("utcTimestampNow is UTC whatever the local time zone is") {
  for (const char* tz : {"UTC0", "XST-9", "YST+5"}) {  // POSIX zones: UTC, UTC+9, UTC-5
    CAPTURE(std::string(tz));
    ScopedTimeZone zone(tz);
    // The clock utcTimestampNow reads; time() reads a coarser one that can lag it by a tick, which
    // made this test fail when a second began between the two readings.
    auto now = []() {
      return std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    };
    time_t before = now();
    std::string stamp = jh::utcTimestampNow();
    time_t after = now();
    time_t stamped = secondsOfStamp(stamp);
    CAPTURE(stamp);
    CHECK(stamped >= before);
    CHECK(stamped <= after);
  }
}

TEST_CASE("utcTimestamp writes any moment as gmtime_r and strftime do, with its milliseconds") {
  using namespace std::chrono;
  // Edges of days, months, years and leap years, then a spread of moments from 1970 to 2200.
  std::vector<int64_t> msSinceEpoch = {0,
                                       999,
                                       1000,
                                       86'399'999,
                                       951'782'400'000 /* 2000-02-29 */,
                                       4'107'542'399'999 /* 2100-02-28T23:59:59.999 */,
                                       1'767'225'599'999 /* 2025-12-31T23:59:59.999 */};
  for (int64_t ms = 0; ms < 7'258'118'400'000; ms += 7'919'861'233) msSinceEpoch.push_back(ms);
  for (int64_t ms : msSinceEpoch) {
    CAPTURE(ms);
    time_t seconds = static_cast<time_t>(ms / 1000);
    std::tm utc{};
    REQUIRE(gmtime_r(&seconds, &utc) != nullptr);
    char expected[32];
    size_t n = strftime(expected, sizeof(expected), "%Y-%m-%dT%H:%M:%S", &utc);
    REQUIRE(n == 19);
    snprintf(expected + n, sizeof(expected) - n, ".%03dZ", static_cast<int>(ms % 1000));
    CHECK(jh::utcTimestamp(system_clock::time_point(milliseconds(ms))) == std::string(expected));
  }
}

TEST_CASE("newOrderId gives version 4 UUIDs, all different over ten thousand") {
  std::regex v4(R"([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})");
  std::set<std::string> seen;
  size_t malformed = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string id = jh::newOrderId();
    if (!std::regex_match(id, v4)) ++malformed;
    seen.insert(id);
  }
  CHECK(malformed == 0);
  CHECK(seen.size() == 10000);
}

namespace {

// "invalidUserCode" -> "INVALID_USER_CODE": the schema's spelling in the KJ constant style.
std::string capitalCase(const std::string& camel) {
  std::string out;
  for (char c : camel) {
    if (c >= 'A' && c <= 'Z') out += '_';
    out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return out;
}

}  // namespace

TEST_CASE("rejectCodeName names every reject code of the schema in capital case") {
  using jh::rpc::RejectCode;
  for (auto e : capnp::Schema::from<RejectCode>().getEnumerants()) {
    std::string expected = capitalCase(e.getProto().getName().cStr());
    CAPTURE(expected);
    CHECK(std::string(jh::rejectCodeName(static_cast<RejectCode>(e.getOrdinal()))) == expected);
  }
  CHECK(std::string(jh::rejectCodeName(RejectCode::INVALID_USER_CODE)) == "INVALID_USER_CODE");
  CHECK(std::string(jh::rejectCodeName(RejectCode::NOT_READY)) == "NOT_READY");
}
