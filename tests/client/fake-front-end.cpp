// The imitation front-end's answers.
#include "tests/client/fake-front-end.h"

#include <kj/debug.h>

#include "schema/orders/postcode-format.h"

namespace jh::client::test {

namespace {

template <typename Builder>
void reject(Builder out, rpc::RejectCode code, const std::string& message) {
  auto r = out.initRejected();
  r.setCode(code);
  r.setMessage(message);
}

}  // namespace

FakeFrontEnd::Check FakeFrontEnd::check(const std::string& input) {
  auto normal = normalisePostcode(input);
  if (!normal)
    return {rpc::RejectCode::INVALID_POSTCODE, "'" + input + "' is not a UK postcode.", {}, {}};
  if (*normal == "ZZ1 1ZZ") {
    return {rpc::RejectCode::POSTCODE_NOT_FOUND, "The postcode ZZ1 1ZZ was not found.", {}, {}};
  }
  if (*normal == "UN1 1UN") return {std::nullopt, {}, *normal, std::string(AREA_UNVERIFIED)};
  return {std::nullopt, {}, *normal, AREA};
}

kj::Promise<void> FakeFrontEnd::getMotd(GetMotdContext context) {
  ++calls;
  auto results = context.getResults();
  if (unavailable) {
    reject(results, rpc::RejectCode::UNAVAILABLE, "No replica is ready.");
    return kj::READY_NOW;
  }
  results.setMotd(motd);
  results.setOk(true);
  return kj::READY_NOW;
}

kj::Promise<void> FakeFrontEnd::getMenu(GetMenuContext context) {
  ++calls;
  auto results = context.getResults();
  if (unavailable) {
    reject(results, rpc::RejectCode::UNAVAILABLE, "No replica is ready.");
    return kj::READY_NOW;
  }
  auto items = results.initItems(menu_.size());
  for (size_t i = 0; i < menu_.size(); ++i) {
    items[i].setItem(menu_[i].first);
    items[i].setPricePence(menu_[i].second);
  }
  results.setOk(true);
  return kj::READY_NOW;
}

kj::Promise<void> FakeFrontEnd::getOrders(GetOrdersContext context) {
  ++calls;
  auto result = context.getResults().initResult();
  if (unavailable) {
    reject(result, rpc::RejectCode::UNAVAILABLE, "No replica is ready.");
    return kj::READY_NOW;
  }
  std::string user = context.getParams().getUserCode();
  std::vector<const OrderRecord*> mine;
  for (auto& id : placedInOrder_) {
    if (byId_[id].userCode == user) mine.push_back(&byId_[id]);
  }
  auto list = result.initOrders(mine.size());
  for (size_t i = 0; i < mine.size(); ++i) toWire(*mine[i], list[i]);
  return kj::READY_NOW;
}

kj::Promise<void> FakeFrontEnd::placeOrder(PlaceOrderContext context) {
  ++calls;
  auto params = context.getParams();
  orderIds.push_back(params.getOrderId());
  if (dropOrders > 0) {
    --dropOrders;
    KJ_ASSERT(dropConnection != nullptr, "a test asked for a drop without saying how");
    dropConnection();
    return kj::NEVER_DONE;
  }
  if (hangOrders > 0) {
    --hangOrders;
    return kj::NEVER_DONE;
  }
  auto result = context.getResults().initResult();
  if (unavailable) {
    reject(result, rpc::RejectCode::UNAVAILABLE, "No replica is ready.");
    return kj::READY_NOW;
  }
  if (refuseOrders) {
    reject(result, *refuseOrders, "Refused as the test asked.");
    return kj::READY_NOW;
  }
  OrderRecord o;
  o.orderId = params.getOrderId();
  o.userCode = params.getUserCode();
  o.item = params.getItem();
  auto where = check(params.getPostCode());
  if (where.refused) {
    reject(result, *where.refused, where.message);
    return kj::READY_NOW;
  }
  o.postCode = where.postCode;
  o.area = where.area;
  auto dish = std::find_if(menu_.begin(), menu_.end(), [&](auto& m) { return m.first == o.item; });
  if (dish == menu_.end()) {
    reject(result, rpc::RejectCode::UNKNOWN_ITEM, "There is no '" + o.item + "' on the menu.");
    return kj::READY_NOW;
  }
  if (auto stored = byId_.find(o.orderId); stored != byId_.end()) {
    if (!stored->second.sameRequest(o)) {
      reject(result, rpc::RejectCode::CONFLICTING_ORDER_ID, "That order id was used before.");
    } else {
      toWire(stored->second, result.initPlaced());
    }
    return kj::READY_NOW;
  }
  o.pricePence = dish->second;
  o.timeStamp = "2026-11-21T22:31:05.123Z";
  o.status = STATUS_CONFIRMED;
  o.origin = "replica.server1";
  o.seq = ++seq_;
  byId_[o.orderId] = o;
  placedInOrder_.push_back(o.orderId);
  toWire(o, result.initPlaced());
  return kj::READY_NOW;
}

kj::Promise<void> FakeFrontEnd::validatePostcode(ValidatePostcodeContext context) {
  ++calls;
  auto result = context.getResults().initResult();
  if (unavailable) {
    reject(result, rpc::RejectCode::UNAVAILABLE, "The postcode service cannot be reached.");
    return kj::READY_NOW;
  }
  auto where = check(context.getParams().getPostCode());
  if (where.refused) {
    reject(result, *where.refused, where.message);
    return kj::READY_NOW;
  }
  auto valid = result.initValid();
  valid.setPostCode(where.postCode);
  valid.setArea(where.area);
  valid.setVerified(where.area != AREA_UNVERIFIED);
  return kj::READY_NOW;
}

kj::Promise<void> FakeFrontEnd::status(StatusContext context) {
  ++calls;
  auto s = context.getResults().initStatus();
  s.setFrontend(name);
  s.setPrimary("replica.server1");
  auto replicas = s.initReplicas(3);
  const char* roles[] = {"primary", "backup", "down"};
  for (unsigned i = 0; i < 3; ++i) {
    auto r = replicas[i];
    r.setName(kj::str("replica.server", i + 1));
    r.setAddress(kj::str("127.0.0.1:900", i + 1));
    r.setState(i == 2 ? "DOWN" : "READY");
    r.setRole(roles[i]);
    r.setLastSeenMsAgo(i == 2 ? -1 : 120);
    r.setLag(i == 1 ? 2 : 0);
    r.setOrderCount(10 - i);
    r.setRowCount(11 - i);
    r.setContentDiffers(i == 1);
  }
  s.setHeartbeatMs(500);
  auto services = s.initPostcodeServices(1);
  services[0].setUrl("http://127.0.0.1:9100");
  services[0].setState("ok");
  services[0].setRequests(7);
  services[0].setFailures(1);
  s.setCacheHits(4);
  s.setCacheMisses(3);
  s.setWhenUnreachable("accept");
  s.setOrdersPlaced(seq_);
  s.setLastEvent(feed.empty() ? 0 : feed.back().id);
  return kj::READY_NOW;
}

kj::Promise<void> FakeFrontEnd::events(EventsContext context) {
  ++calls;
  uint64_t after = context.getParams().getAfter();
  feedAfter.push_back(after);
  std::vector<const TimelineEvent*> newer;
  for (auto& e : feed) {
    if (e.id > after) newer.push_back(&e);
  }
  auto list = context.getResults().initEvents(static_cast<unsigned>(newer.size()));
  for (unsigned i = 0; i < newer.size(); ++i) {
    list[i].setId(newer[i]->id);
    list[i].setAtMs(newer[i]->atMs);
    list[i].setKind(newer[i]->kind);
    list[i].setReplica(newer[i]->replica);
    list[i].setCount(newer[i]->count);
    list[i].setMessage(newer[i]->message);
  }
  return kj::READY_NOW;
}

}  // namespace jh::client::test
