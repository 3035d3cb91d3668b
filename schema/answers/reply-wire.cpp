// Refusals and order answers to and from the wire.
#include "schema/answers/reply-wire.h"

namespace jh {

void toWire(const Rejection& rejection, rpc::Rejection::Builder out) {
  out.setCode(rejection.code);
  out.setMessage(rejection.message);
}

Rejection fromWire(rpc::Rejection::Reader in) {
  auto message = in.getMessage();
  return Rejection{in.getCode(), std::string(message.begin(), message.size())};
}

void toWire(const Reply<OrderRecord>& reply, rpc::OrderResult::Builder out) {
  if (auto* no = std::get_if<Rejection>(&reply)) return toWire(*no, out.initRejected());
  toWire(std::get<OrderRecord>(reply), out.initPlaced());
}

Reply<OrderRecord> fromWire(rpc::OrderResult::Reader in) {
  if (in.isRejected()) return fromWire(in.getRejected());
  return fromWire(in.getPlaced());
}

uint64_t replyWireWords(const Reply<OrderRecord>& reply) {
  if (auto* no = std::get_if<Rejection>(&reply)) return 8 + no->message.size() / 8;
  return orderWireWords(std::get<OrderRecord>(reply));
}

}  // namespace jh
