// The order that jh-bench --write-orders and jh-store-bench repeat by the million: every field
// filled but the id, user code, time stamp and seq, which each caller numbers.
#pragma once

#include <string>
#include <utility>

#include "schema/orders/order.h"

namespace jh::bench {

inline OrderRecord bulkOrder(std::string origin) {
  OrderRecord o;
  o.item = "HAMBURGER";
  o.pricePence = 785;
  o.postCode = "AB10 1AB";
  o.area = "Aberdeen City";
  o.status = STATUS_CONFIRMED;
  o.origin = std::move(origin);
  return o;
}

}  // namespace jh::bench
