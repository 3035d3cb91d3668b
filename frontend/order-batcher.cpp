// Batching of orders on their way to the primary.
#include "frontend/order-batcher.h"

#include <kj/debug.h>

#include "schema/answers/reply-wire.h"
#include "schema/runtime/log.h"
#include "schema/rpc/task-errors.h"

namespace jh {

namespace {
LogTaskFailures logErrors{"order batch", LogLevel::ERROR};
}  // namespace

OrderBatcher::OrderBatcher(ReplicaRouter& router, uint32_t minAcks, OrderTally& tally)
    : router_(router), minAcks_(minAcks), tally_(tally), tasks_(kj::heap<kj::TaskSet>(logErrors)) {
  queue_.reserve(MAX_BATCH);
}

OrderBatcher::~OrderBatcher() {}

kj::Promise<Reply<OrderRecord>> OrderBatcher::place(OrderRecord&& order) {
  auto paf = kj::newPromiseAndFulfiller<Reply<OrderRecord>>();
  queue_.emplace_back(std::move(order), kj::mv(paf.fulfiller));
  if (!flushScheduled_) {
    flushScheduled_ = true;
    tasks_->add(kj::evalLater([this]() {
      flushScheduled_ = false;
      flush();
    }));
  }
  return kj::mv(paf.promise);
}

void OrderBatcher::flush() {
  while (!queue_.empty() && inFlight_ < MAX_IN_FLIGHT) {
    size_t n = std::min(queue_.size(), MAX_BATCH);
    std::vector<Pending> batch;
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) batch.push_back(std::move(queue_[i]));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    ++inFlight_;
    tasks_->add(send(std::move(batch)).attach(kj::defer([this]() {
      --inFlight_;
      flush();
    })));
  }
}

kj::Promise<void> OrderBatcher::send(std::vector<Pending> batch) {
  // `waiting` holds the orders not answered yet; each replica tried gets just those.
  auto waiting = kj::heap<std::vector<Pending>>(std::move(batch));
  auto& ref = *waiting;
  uint32_t minAcks = minAcks_;
  return router_
      .serve([this, &ref, minAcks](rpc::Replica::Client replica) {
        auto req = replica.placeOrdersRequest(
            ordersWireSize(ref, [](const Pending& p) { return p.order.view(); }));
        auto list = req.initOrders(static_cast<unsigned>(ref.size()));
        for (unsigned i = 0; i < ref.size(); ++i) toWire(ref[i].order, list[i]);
        req.setMinAcks(minAcks);
        return req.send().then(
            [this, &ref](capnp::Response<rpc::Replica::PlaceOrdersResults> reply) {
              auto results = reply.getResults();
              KJ_REQUIRE(results.size() == ref.size(),
                         "placeOrders answered the wrong number of orders");
              std::vector<Pending> refused;
              for (unsigned i = 0; i < results.size(); ++i) {
                auto r = results[i];
                if (r.isPlaced()) {
                  ref[i].done->fulfill(fromWire(r.getPlaced()));
                  tally_.placed.fetch_add(1, std::memory_order_relaxed);
                } else if (r.getRejected().getCode() == rpc::RejectCode::NOT_READY) {
                  refused.push_back(std::move(ref[i]));  // for the next replica
                } else {
                  auto code = r.getRejected().getCode();
                  if (code == rpc::RejectCode::UNAVAILABLE)
                    tally_.failed.fetch_add(1, std::memory_order_relaxed);
                  ref[i].done->fulfill(fromWire(r.getRejected()));
                }
              }
              ref = std::move(refused);
              return ref.empty() ? ReplicaRouter::Served::YES : ReplicaRouter::Served::NOT_READY;
            });
      })
      .then([this, &ref](std::optional<Rejection> no) {
        if (!no) return;  // every order answered
        for (auto& p : ref) p.done->fulfill(Rejection(*no));
        tally_.failed.fetch_add(ref.size(), std::memory_order_relaxed);
        ref.clear();
      })
      .attach(kj::mv(waiting));
}

}  // namespace jh
