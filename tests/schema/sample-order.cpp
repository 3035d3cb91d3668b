// Orders for tests.
#include "tests/schema/sample-order.h"

#include <stdexcept>

#include "schema/orders/csv.h"

namespace jh::test {

OrderRecord sampleOrder(std::string orderId, std::string origin, uint64_t seq,
                        uint64_t incarnation) {
  OrderRecord o;
  o.orderId = std::move(orderId);
  o.userCode = "ann";
  o.item = "Margherita pizza";
  o.pricePence = 1185;
  o.timeStamp = "2026-11-21T22:31:05.123Z";
  o.postCode = "SW1A 1AA";
  o.area = "Westminster, London";
  o.status = "CONFIRMED";
  o.origin = std::move(origin);
  o.incarnation = incarnation;
  o.seq = seq;
  return o;
}

std::string csvRow(const OrderRecord& order) {
  std::string row;
  appendOrderCsv(row, order);
  return row;
}

std::vector<OrderRecord> ordersInCsv(const std::string& text) {
  CsvReader reader(text);
  std::vector<std::string> fields;
  std::vector<OrderRecord> orders;
  bool header = true;
  for (CsvReader::Result r; (r = reader.next(fields)) != CsvReader::Result::END;) {
    std::string where = "orders text line " + std::to_string(reader.recordLine()) + ": ";
    if (r != CsvReader::Result::RECORD) throw std::runtime_error(where + "torn or malformed");
    if (header) {
      header = false;
      continue;
    }
    std::string error;
    auto order = orderFromCsv(fields, error);
    if (!order) throw std::runtime_error(where + error);
    orders.push_back(std::move(*order));
  }
  return orders;
}

VersionVector vectorOf(std::initializer_list<std::pair<const char*, uint64_t>> entries) {
  VersionVector v;
  for (auto& [name, seq] : entries) {
    std::string_view origin = name;
    uint64_t incarnation = 7;
    if (auto hash = origin.find('#'); hash != std::string_view::npos) {
      incarnation = std::stoull(std::string(origin.substr(hash + 1)));
      origin = origin.substr(0, hash);
    }
    v.set(origin, incarnation, seq);
  }
  return v;
}

}  // namespace jh::test
