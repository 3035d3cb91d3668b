// Orders and version vectors for tests: a complete, valid order whose fields a test changes as it
// needs, orders.csv text both ways, and vectors written as lists.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "schema/orders/order.h"
#include "schema/orders/version-vector.h"

namespace jh::test {

// A confirmed order with every field filled; `orderId`, `origin`, `seq` and `incarnation` as given.
OrderRecord sampleOrder(std::string orderId = "3f2a6c1e-0b7d-4c2e-9a51-7d0e8c4b2f10",
                        std::string origin = "replica.server1", uint64_t seq = 42,
                        uint64_t incarnation = 7);

// `order` as one orders.csv record (CRLF-terminated).
std::string csvRow(const OrderRecord& order);

// The orders in the text of an orders.csv (header first); throws std::runtime_error naming the
// line when the text is not a complete, valid orders file.
std::vector<OrderRecord> ordersInCsv(const std::string& text);

// {{"r1", 2}, {"r2", 5}} as a VersionVector of incarnation 7 (as sampleOrder's); "r1#3" names
// incarnation 3 of r1.
VersionVector vectorOf(std::initializer_list<std::pair<const char*, uint64_t>> entries);

}  // namespace jh::test
