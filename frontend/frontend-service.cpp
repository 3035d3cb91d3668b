// FrontEnd RPC handlers: parameters to the desk's calls, its answers to results.
#include "frontend/frontend-service.h"

#include "schema/answers/reply-wire.h"

namespace jh {

namespace {

std::string str(capnp::Text::Reader t) { return std::string(t.begin(), t.size()); }

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
    auto items = results.initItems(static_cast<unsigned>(cat.items.size()));
    for (unsigned i = 0; i < cat.items.size(); ++i) {
      items[i].setItem(cat.items[i].item);
      items[i].setPricePence(cat.items[i].pricePence);
    }
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
  return desk_.placeOrder(std::move(request)).then([context](Reply<OrderRecord> answer) mutable {
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
    auto list = s.initReplicas(static_cast<unsigned>(from.replicas.size()));
    for (unsigned i = 0; i < from.replicas.size(); ++i) {
      auto& r = from.replicas[i];
      list[i].setName(r.name);
      list[i].setAddress(r.address);
      list[i].setState(r.state);
      list[i].setRole(r.role);
      list[i].setLastSeenMsAgo(r.lastSeenMsAgo);
      list[i].setLag(r.lag);
      list[i].setOrderCount(r.orderCount);
      list[i].setContentDiffers(r.contentDiffers);
      list[i].setRowCount(r.rowCount);
      list[i].setDiverged(r.diverged);
      list[i].setFetched(r.fetched);
    }
    auto urls = s.initPostcodeServices(static_cast<unsigned>(from.postcodeServices.size()));
    for (unsigned i = 0; i < from.postcodeServices.size(); ++i) {
      auto& u = from.postcodeServices[i];
      urls[i].setUrl(u.url);
      urls[i].setState(u.state);
      urls[i].setRetryInMs(u.retryInMs);
      urls[i].setRequests(u.requests);
      urls[i].setFailures(u.failures);
    }
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
        auto list = context.getResults().initEvents(static_cast<unsigned>(events.size()));
        for (unsigned i = 0; i < events.size(); ++i) {
          auto& e = events[i];
          list[i].setId(e.id);
          list[i].setAtMs(e.atMs);
          list[i].setKind(e.kind);
          list[i].setReplica(e.replica);
          list[i].setCount(e.count);
          list[i].setMessage(e.message);
        }
      });
}

kj::Promise<void> FrontEndService::setHeartbeat(SetHeartbeatContext context) {
  return desk_.setHeartbeat(context.getParams().getMs());
}

}  // namespace jh
