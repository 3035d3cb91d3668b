// Replica RPC handlers.
#include "replica/replica-service.h"

#include <chrono>
#include <set>
#include <unistd.h>

#include <fmt/format.h>

#include "schema/answers/reply-wire.h"
#include "schema/runtime/log.h"
#include "schema/rpc/rpc-server.h"

namespace jh {

namespace {
const int64_t STARTED_AT_MS = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
constexpr uint32_t MAX_PULL = 5000;  // rows: a reply stays well under REPLICA_MAX_MESSAGE_BYTES
}  // namespace

kj::Promise<void> ReplicaService::getMotd(GetMotdContext context) {
  context.getResults().setMotd(node_.resources().motd);
  return kj::READY_NOW;
}

kj::Promise<void> ReplicaService::getMenu(GetMenuContext context) {
  auto results = context.getResults();
  auto& menu = node_.resources().menu;
  auto items = results.initItems(static_cast<unsigned>(menu.size()));
  for (unsigned i = 0; i < menu.size(); ++i) {
    items[i].setItem(menu[i].item);
    items[i].setPricePence(menu[i].pricePence);
  }
  results.setContentDigest(node_.resources().digest);
  return kj::READY_NOW;
}

kj::Promise<void> ReplicaService::getOrders(GetOrdersContext context) {
  auto params = context.getParams();
  if (auto refusal = node_.notServing()) {
    toWire(*refusal, context.getResults().initResult().initRejected());
    return kj::READY_NOW;
  }
  std::string user = params.getUserCode();
  uint32_t limit =
      params.getLimit() == 0 ? DEFAULT_ORDERS_PAGE : std::min(params.getLimit(), MAX_ORDERS_PAGE);
  uint32_t minAcks = params.getMinAcks();
  std::optional<OrdersCursor> cursor;
  if (params.getCursor().size() > 0) {
    cursor = OrdersCursor::decode(params.getCursor().cStr());
    if (!cursor) {
      toWire(Rejection{rpc::RejectCode::INVALID_ORDER,
                       "That page cursor was not made by this service."},
             context.getResults().initResult().initRejected());
      return kj::READY_NOW;
    }
  }
  auto page = node_.store().pageOf(user, limit, cursor ? &*cursor : nullptr);
  auto size =
      ordersWireSize(page.orders, [](const OrderStore::Listed& o) { return o.order->view(); });
  auto results = context.getResults(size);
  auto list = results.initResult().initOrders(static_cast<unsigned>(page.orders.size()));
  for (unsigned i = 0; i < page.orders.size(); ++i) {
    auto& listed = page.orders[i];
    toWire(listed.order->view(), list[i]);
    if (node_.pending(*listed.order, minAcks)) list[i].setStatus(std::string(STATUS_PENDING));
    list[i].setConflict(listed.conflict);
  }
  if (page.next) results.getResult().setNextCursor(page.next->encode());
  return kj::READY_NOW;
}

kj::Promise<void> ReplicaService::placeOrder(PlaceOrderContext context) {
  auto params = context.getParams();
  OrderRecord order = fromWire(params.getOrder());
  uint32_t minAcks = params.getMinAcks();
  context.releaseParams();
  return node_.placeOrder(std::move(order), minAcks).then([context](PlaceOutcome outcome) mutable {
    toWire(outcome,
           context.getResults(capnp::MessageSize{replyWireWords(outcome) + 8, 0}).initResult());
  });
}

kj::Promise<void> ReplicaService::placeOrders(PlaceOrdersContext context) {
  auto params = context.getParams();
  std::vector<OrderRecord> orders;
  orders.reserve(params.getOrders().size());
  for (auto o : params.getOrders()) orders.push_back(fromWire(o));
  uint32_t minAcks = params.getMinAcks();
  context.releaseParams();
  return node_.placeOrders(std::move(orders), minAcks)
      .then([context](std::vector<PlaceOutcome> outcomes) mutable {
        uint64_t words = 16;
        for (auto& o : outcomes) words += replyWireWords(o);
        auto results = context.getResults(capnp::MessageSize{words, 0})
                           .initResults(static_cast<unsigned>(outcomes.size()));
        for (unsigned i = 0; i < outcomes.size(); ++i) toWire(outcomes[i], results[i]);
      });
}

kj::Promise<void> ReplicaService::health(HealthContext context) {
  auto h = context.getResults().initHealth();
  h.setName(node_.name());
  h.setState(node_.stopping()   ? rpc::ReplicaState::STOPPING
             : !node_.ready()   ? rpc::ReplicaState::SYNCING
             : node_.degraded() ? rpc::ReplicaState::DEGRADED
                                : rpc::ReplicaState::READY);
  auto digests = node_.store().digests();
  node_.store().vector().fill([&](unsigned n) { return h.initVector(n); }, &digests);
  h.setRowCount(node_.store().rows());
  h.setOrderCount(node_.store().orders());
  h.setIncarnation(node_.incarnation());
  h.setPromoted(node_.promoted());
  h.setHoldsHistory(node_.holdsHistory());
  h.setFetched(node_.fetched());
  h.setContentDigest(node_.resources().digest);
  h.setPid(static_cast<uint32_t>(getpid()));
  h.setStartedAtMs(STARTED_AT_MS);
  auto table = node_.peers();
  auto peers = h.initPeers(static_cast<unsigned>(table.size()));
  unsigned i = 0;
  for (auto& [name, view] : table) {
    peers[i].setName(name);
    peers[i].setReachable(view.reachable);
    view.vector.fill([&](unsigned n) { return peers[i].initVector(n); });
    ++i;
  }
  return kj::READY_NOW;
}

kj::Promise<void> ReplicaService::replicate(ReplicateContext context) {
  node_.onCalledBy(context.getParams().getSender());
  std::vector<OrderRecord> rows;
  auto orders = context.getParams().getOrders();
  rows.reserve(orders.size());
  for (auto o : orders) rows.push_back(fromWire(o));
  context.releaseParams();
  return node_.ingest(std::move(rows)).then([context](VersionVector held) mutable {
    held.fill([&](unsigned n) {
      return context.getResults(capnp::MessageSize{8 + 8 * n, 0}).initVector(n);
    });
  });
}

kj::Promise<void> ReplicaService::pull(PullContext context) {
  auto params = context.getParams();
  node_.onCalledBy(params.getSender());
  VersionVector theirs = VersionVector::fromWire(params.getVector());
  uint32_t limit = std::min(std::max(params.getLimit(), 1u), MAX_PULL);
  bool more = false;
  auto rows = node_.store().collect(theirs, limit, more);
  auto results = context.getResults(ordersWireSize(rows));
  auto list = results.initOrders(static_cast<unsigned>(rows.size()));
  for (unsigned i = 0; i < rows.size(); ++i) toWire(rows[i], list[i]);
  results.setMore(more);
  results.setHoldsHistory(node_.holdsHistory());
  node_.store().vector().fill([&](unsigned n) { return results.initHeld(n); });
  return kj::READY_NOW;
}

kj::Promise<void> ReplicaService::promote(PromoteContext context) {
  auto params = context.getParams();
  std::string frontend = params.getFrontend();
  uint32_t minAcks = params.getMinAcks();
  std::set<std::string> skip;
  for (auto name : params.getSkip()) skip.insert(name);
  context.releaseParams();
  return node_.promote(frontend, minAcks, std::move(skip))
      .then([context](PromoteOutcome outcome) mutable {
        auto result = context.getResults().initResult();
        if (auto* refusal = std::get_if<Rejection>(&outcome)) {
          toWire(*refusal, result.initRefused());
          return;
        }
        auto& promoted = std::get<Promoted>(outcome);
        auto done = result.initPromoted();
        auto synced = done.initSyncedWith(static_cast<unsigned>(promoted.syncedWith.size()));
        for (unsigned i = 0; i < promoted.syncedWith.size(); ++i)
          synced.set(i, promoted.syncedWith[i]);
        done.setFetched(promoted.fetched);
      });
}

}  // namespace jh
