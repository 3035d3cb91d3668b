// Refusals and the answer to an order as the wire carries them (rpc::Rejection, rpc::OrderResult),
// and back: one translation for every process that sends or reads them.
#pragma once

#include <cstdint>

#include "schema/answers/rejection.h"
#include "schema/just-hungry.capnp.h"
#include "schema/orders/order.h"

namespace jh {

void toWire(const Rejection& rejection, rpc::Rejection::Builder out);
Rejection fromWire(rpc::Rejection::Reader in);

// The order as stored, or why it was not.
void toWire(const Reply<OrderRecord>& reply, rpc::OrderResult::Builder out);
Reply<OrderRecord> fromWire(rpc::OrderResult::Reader in);
// The words toWire() takes for `reply`, to size a message that holds it.
uint64_t replyWireWords(const Reply<OrderRecord>& reply);

}  // namespace jh
