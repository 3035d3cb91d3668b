// FrontEnd RPC handlers: parameters to the desk's calls, its answers to results.
#include "frontend/frontend-service.h"

#include "schema/answers/reply-wire.h"

namespace jh {

namespace {

std::string str(capnp::Text::Reader t) { return std::string(t.begin(), t.size()); }

// The desk's values as the wire carries them, a struct each.
void toWire(const MenuEntry& from, rpc::MenuItem::Builder out) {
  out.setItem(from.item);
  out.setPricePence(from.pricePence);
}

void toWire(const ReplicaRow& from, rpc::ReplicaStatus::Builder out) {
  out.setName(from.name);
  out.setAddress(from.address);
  out.setState(from.state);
  out.setRole(from.role);
  out.setLastSeenMsAgo(from.lastSeenMsAgo);
  out.setLag(from.lag);
  out.setOrderCount(from.orderCount);
  out.setContentDiffers(from.contentDiffers);
  out.setRowCount(from.rowCount);
  out.setDiverged(from.diverged);
  out.setFetched(from.fetched);
}

void toWire(const PostcodeServiceRow& from, rpc::PostcodeServiceStatus::Builder out) {
  out.setUrl(from.url);
  out.setState(from.state);
  out.setRetryInMs(from.retryInMs);
  out.setRequests(from.requests);
  out.setFailures(from.failures);
}

void toWire(const ClusterEvent& from, rpc::ClusterEvent::Builder out) {
  out.setId(from.id);
  out.setAtMs(from.atMs);
  out.setKind(from.kind);
  out.setReplica(from.replica);
  out.setCount(from.count);
  out.setMessage(from.message);
}

// `init(n)` makes the wire list for the n values of `from`, which are written into it.
template <typename T, typename Init>
void listToWire(const std::vector<T>& from, Init init) {
  auto out = init(static_cast<unsigned>(from.size()));
  for (unsigned i = 0; i < from.size(); ++i) toWire(from[i], out[i]);
}

}  // namespace

FrontEndService::FrontEndService(OrderDesk& desk) : desk_(desk) {}

kj::Promise<void> FrontEndService::getMotd(GetMotdContext context) {
  return desk_.catalogue().then([context](Reply<std::shared_ptr<const Catalogue>> c) mutable {
    auto results = context.getResults();
    if (auto* no = std::get_if<Rejection>(&c)) return toWire(*no, results.initRejected());
    results.setMotd(std::get<std::shared_ptr<const Catalogue>>(c)->motd);
    results.setOk(true);
  });
}

kj::Promise<void> FrontEndService::getMenu(GetMenuContext context) {
  return desk_.catalogue().then([context](Reply<std::shared_ptr<const Catalogue>> c) mutable {
    auto results = context.getResults();
    if (auto* no = std::get_if<Rejection>(&c)) return toWire(*no, results.initRejected());
    auto& cat = *std::get<std::shared_ptr<const Catalogue>>(c);
    listToWire(cat.items, [&](unsigned n) { return results.initItems(n); });
    results.setOk(true);
  });
}

kj::Promise<void> FrontEndService::getOrders(GetOrdersContext context) {
  auto params = context.getParams();
  auto page = desk_.orders(str(params.getUserCode()), params.getLimit(), str(params.getCursor()));
  return page.then([context](OrdersPage page) mutable {
    context.getResults(page.size()).setResult(page.result());
  });
}

kj::Promise<void> FrontEndService::placeOrder(PlaceOrderContext context) {
  auto params = context.getParams();
  OrderRequest request{str(params.getOrderId()), str(params.getUserCode()), str(params.getItem()),
                       str(params.getPostCode())};
  context.releaseParams();
  return desk_.placeOrder(std::move(request)).then([context](Reply<OrderRecord>&& answer) mutable {
    auto size = capnp::MessageSize{replyWireWords(answer) + 8, 0};
    toWire(answer, context.getResults(size).initResult());
  });
}

kj::Promise<void> FrontEndService::validatePostcode(ValidatePostcodeContext context) {
  capnp::Text::Reader input = context.getParams().getPostCode();
  auto check = desk_.validatePostcode(std::string_view(input.begin(), input.size()));
  return check.then([context](Reply<PostcodeInfo> answer) mutable {
    auto result = context.getResults().initResult();
    if (auto* no = std::get_if<Rejection>(&answer)) return toWire(*no, result.initRejected());
    auto& info = std::get<PostcodeInfo>(answer);
    auto valid = result.initValid();
    valid.setPostCode(info.postCode);
    valid.setArea(info.area);
    valid.setVerified(info.verified);
  });
}

kj::Promise<void> FrontEndService::status(StatusContext context) {
  return desk_.status().then([context](ClusterStatus from) mutable {
    auto s = context.getResults().initStatus();
    s.setFrontend(from.frontend);
    s.setPrimary(from.primary);
    s.setHeartbeatMs(from.heartbeatMs);
    listToWire(from.replicas, [&](unsigned n) { return s.initReplicas(n); });
    listToWire(from.postcodeServices, [&](unsigned n) { return s.initPostcodeServices(n); });
    s.setCacheHits(from.cacheHits);
    s.setCacheMisses(from.cacheMisses);
    s.setWhenUnreachable(from.whenUnreachable);
    s.setOrdersPlaced(from.ordersPlaced);
    s.setOrdersFailed(from.ordersFailed);
    s.setLastEvent(from.lastEvent);
  });
}

kj::Promise<void> FrontEndService::events(EventsContext context) {
  return desk_.events(context.getParams().getAfter())
      .then([context](std::vector<ClusterEvent> events) mutable {
        auto results = context.getResults();
        listToWire(events, [&](unsigned n) { return results.initEvents(n); });
      });
}

kj::Promise<void> FrontEndService::setHeartbeat(SetHeartbeatContext context) {
  return desk_.setHeartbeat(context.getParams().getMs());
}

}  // namespace jh
