// Fake replicas for the router's and batcher's tests.
#include "tests/frontend/fake-replica.h"

#include <algorithm>

#include <kj/debug.h>

#include "tests/support/harness/loopback-listener.h"

namespace jh::test {

namespace {

class FakeReplica final : public rpc::Replica::Server {
 public:
  explicit FakeReplica(std::shared_ptr<FakeReplicaState> s) : s_(std::move(s)) {}

  kj::Promise<void> health(HealthContext context) override {
    if (s_->dead) return dead();
    auto h = context.getResults().initHealth();
    h.setName(s_->name);
    h.setState(s_->state);
    s_->vector.fill([&](unsigned n) { return h.initVector(n); }, &s_->digests);
    return kj::READY_NOW;
  }

  kj::Promise<void> promote(PromoteContext context) override {
    if (s_->dead) return dead();
    std::vector<std::string> skip;
    for (auto name : context.getParams().getSkip()) skip.push_back(name);
    s_->promotions.push_back(skip);
    auto grant = [context]() mutable {
      context.getResults().initResult().initPromoted().setFetched(0);
    };
    switch (s_->promotion) {
      case FakeReplicaState::Promotion::GRANT: grant(); return kj::READY_NOW;
      case FakeReplicaState::Promotion::REFUSE: {
        auto refused = context.getResults().initResult().initRefused();
        refused.setCode(rpc::RejectCode::UNAVAILABLE);
        refused.setMessage("too few peers");
        return kj::READY_NOW;
      }
      case FakeReplicaState::Promotion::HOLD: {
        auto paf = kj::newPromiseAndFulfiller<void>();
        s_->heldPromotion = kj::mv(paf.fulfiller);
        return paf.promise.then(kj::mv(grant));
      }
    }
    KJ_UNREACHABLE;
  }

  kj::Promise<void> getMotd(GetMotdContext context) override {
    return clientCall().then([this, context]() mutable {
      context.getResults().setMotd("Welcome to " + s_->name + ".");
    });
  }

  kj::Promise<void> getMenu(GetMenuContext context) override {
    return clientCall().then([this, context]() mutable {
      ++s_->menuCalls;
      auto items = context.getResults().initItems(2);
      items[0].setItem("HAMBURGER");
      items[0].setPricePence(785);
      items[1].setItem("Fish, \"Chips\"");
      items[1].setPricePence(650);
    });
  }

  kj::Promise<void> getOrders(GetOrdersContext context) override {
    return clientCall().then([this, context]() mutable {
      auto result = context.getResults().initResult();
      if (s_->refuseCalls) {
        auto r = result.initRejected();
        r.setCode(rpc::RejectCode::NOT_READY);
        r.setMessage("not promoted");
        return;
      }
      ++s_->served;
      std::string user = context.getParams().getUserCode();
      std::vector<const OrderRecord*> mine;
      for (auto it = s_->orders.rbegin(); it != s_->orders.rend(); ++it) {
        if (it->userCode == user) mine.push_back(&*it);
      }
      auto list = result.initOrders(static_cast<unsigned>(mine.size()));
      for (unsigned i = 0; i < mine.size(); ++i) toWire(*mine[i], list[i]);
      result.setNextCursor(s_->name);  // tells the test who served it
    });
  }

  kj::Promise<void> placeOrders(PlaceOrdersContext context) override {
    auto count = context.getParams().getOrders().size();
    ++s_->placeOrdersCalls;
    return clientCall().then([this, context, count]() mutable {
      s_->batchSizes.push_back(count);
      auto orders = context.getParams().getOrders();
      auto results = context.getResults().initResults(count);
      for (unsigned i = 0; i < count; ++i) {
        if (s_->refuseCalls) {
          auto r = results[i].initRejected();
          r.setCode(rpc::RejectCode::NOT_READY);
          r.setMessage("not promoted");
          continue;
        }
        OrderRecord order = fromWire(orders[i]);
        auto stored = std::find_if(s_->orders.begin(), s_->orders.end(), [&](const OrderRecord& o) {
          return o.view().sameKey(order.view());
        });
        if (stored != s_->orders.end() && !stored->sameRequest(order)) {
          auto r = results[i].initRejected();
          r.setCode(rpc::RejectCode::CONFLICTING_ORDER_ID);
          r.setMessage("Order id " + order.orderId + " was already used for a different order.");
          continue;
        }
        if (stored == s_->orders.end()) {
          order.origin = s_->name;
          order.seq = ++s_->served;
          s_->orders.push_back(order);
          stored = s_->orders.end() - 1;
        }
        toWire(*stored, results[i].initPlaced());
      }
    });
  }

 private:
  kj::Promise<void> dead() { return KJ_EXCEPTION(DISCONNECTED, "connection refused"); }
  kj::Promise<void> clientCall() {
    if (s_->dead) return dead();
    if (!s_->holdCalls) return kj::READY_NOW;
    auto paf = kj::newPromiseAndFulfiller<void>();
    s_->heldCalls.push_back(kj::mv(paf.fulfiller));
    return kj::mv(paf.promise);
  }

  std::shared_ptr<FakeReplicaState> s_;
};

class FakeGate final : public rpc::ReplicaGate::Server {
 public:
  explicit FakeGate(rpc::Replica::Client replica) : replica_(kj::mv(replica)) {}
  kj::Promise<void> open(OpenContext context) override {
    context.getResults().setReplica(replica_);
    return kj::READY_NOW;
  }

 private:
  rpc::Replica::Client replica_;
};

}  // namespace

struct FakeReplicas::Served {
  Served(kj::AsyncIoContext& io, std::shared_ptr<FakeReplicaState> state)
      : listener(jh::test::listenOnFreePort(io.provider->getNetwork(), io.waitScope)),
        server(kj::heap<FakeGate>(kj::heap<FakeReplica>(std::move(state))), io.provider->getTimer(),
               REPLICA_MAX_MESSAGE_BYTES),
        serving(server.listen(*listener).eagerlyEvaluate(nullptr)) {}
  kj::Own<kj::ConnectionReceiver> listener;
  RpcServer server;
  kj::Promise<void> serving;
};

FakeReplicas::FakeReplicas(kj::AsyncIoContext& io, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    auto state = std::make_shared<FakeReplicaState>();
    state->name = "r" + std::to_string(i + 1);
    served_.push_back(kj::heap<Served>(io, state));
    addresses_.push_back("127.0.0.1:" + std::to_string(served_.back()->listener->getPort()));
    states_.push_back(std::move(state));
  }
}

FakeReplicas::~FakeReplicas() {}

ClusterConfig FakeReplicas::config(uint32_t callTimeoutMs, uint32_t heartbeatMs) const {
  ClusterConfig c;
  c.path = "(in-process test)";
  c.callTimeoutMs = callTimeoutMs;
  c.heartbeatMs = heartbeatMs;
  c.syncTimeoutMs = 1000;
  for (size_t i = 0; i < states_.size(); ++i)
    c.replicas.push_back({states_[i]->name, addresses_[i], ""});
  c.frontends.push_back({"fe", "127.0.0.1:1", ""});
  return c;
}

bool runUntil(kj::AsyncIoContext& io, kj::Function<bool()> done, kj::Duration bound) {
  auto& timer = io.provider->getTimer();
  auto deadline = timer.now() + bound;
  while (!done()) {
    if (timer.now() >= deadline) return false;
    timer.afterDelay(2 * kj::MILLISECONDS).wait(io.waitScope);
  }
  return true;
}

}  // namespace jh::test
