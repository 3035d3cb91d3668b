// Refusals and the answer to an order on the wire: both kinds cross unchanged, and a message sized
// by replyWireWords holds its answer in one segment.
#include <doctest/doctest.h>

#include <string>

#include <capnp/message.h>

#include "schema/answers/reply-wire.h"
#include "tests/schema/sample-order.h"

namespace jh::test {

namespace {

// `reply` written into a message sized as the RPC door sizes it, read back, and whether the
// message needed only its first segment.
std::pair<Reply<OrderRecord>, bool> roundTrip(const Reply<OrderRecord>& reply) {
  capnp::MallocMessageBuilder message(static_cast<unsigned>(replyWireWords(reply) + 8));
  toWire(reply, message.initRoot<rpc::OrderResult>());
  bool oneSegment = message.getSegmentsForOutput().size() == 1;
  return {fromWire(message.getRoot<rpc::OrderResult>().asReader()), oneSegment};
}

}  // namespace

TEST_CASE("an order placed crosses the wire unchanged, in one segment") {
  OrderRecord order = sampleOrder();
  order.item = "Crème brûlée, \"large\"";
  auto [back, oneSegment] = roundTrip(order);
  REQUIRE(std::holds_alternative<OrderRecord>(back));
  CHECK(std::get<OrderRecord>(back) == order);
  CHECK(oneSegment);
}

TEST_CASE("a refusal crosses the wire with its code and sentence unchanged, in one segment") {
  for (const std::string& sentence :
       {std::string("\"PIZZA\" is not on the menu."), std::string(), std::string(300, 'x')}) {
    auto [back, oneSegment] = roundTrip(Rejection{rpc::RejectCode::UNKNOWN_ITEM, sentence});
    REQUIRE(std::holds_alternative<Rejection>(back));
    CHECK(std::get<Rejection>(back).code == rpc::RejectCode::UNKNOWN_ITEM);
    CHECK(std::get<Rejection>(back).message == sentence);
    CHECK(oneSegment);
  }
}

}  // namespace jh::test
