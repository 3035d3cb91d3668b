// Gathers the orders that reach the front-end at about the same moment into one placeOrders call
// to the primary: one message and one disk write for many orders. Nothing waits on a timer: an
// order goes out at the end of the event-loop turn it arrived in, together with whatever else
// arrived meanwhile, unless MAX_IN_FLIGHT batches are already out — then it joins the next
// batch, sent as soon as one of them is answered.
#pragma once

#include <atomic>
#include <vector>

#include <kj/async.h>

#include "frontend/replica-router.h"
#include "schema/answers/rejection.h"
#include "schema/orders/order.h"

namespace jh {

// Orders acknowledged, and answered UNAVAILABLE, since the front-end started: one tally for the
// batchers of every event loop (atomic), read by the status.
struct OrderTally {
  std::atomic<uint64_t> placed{0};
  std::atomic<uint64_t> failed{0};
};

class OrderBatcher {
 public:
  // Counts into `tally`, which may be shared with the batchers of other loops.
  OrderBatcher(ReplicaRouter& router, uint32_t minAcks, OrderTally& tally);
  ~OrderBatcher();

  // The order as stored on the primary (failing over as the router does), or why not. Orders
  // refused with NOT_READY by one replica are tried on the next; none left gives UNAVAILABLE.
  kj::Promise<Reply<OrderRecord>> place(OrderRecord&& order);

  // The tally's counts.
  uint64_t placed() const { return tally_.placed.load(std::memory_order_relaxed); }
  uint64_t failed() const { return tally_.failed.load(std::memory_order_relaxed); }

  static constexpr size_t MAX_IN_FLIGHT = 2;
  static constexpr size_t MAX_BATCH = 512;

 private:
  struct Pending {
    Pending(OrderRecord&& order, kj::Own<kj::PromiseFulfiller<Reply<OrderRecord>>> done)
        : order(std::move(order)), done(kj::mv(done)) {}
    OrderRecord order;
    kj::Own<kj::PromiseFulfiller<Reply<OrderRecord>>> done;
  };
  void flush();
  kj::Promise<void> send(std::vector<Pending> batch);

  ReplicaRouter& router_;
  uint32_t minAcks_;
  std::vector<Pending> queue_;  // room for MAX_BATCH from the start: an order moves in once
  size_t inFlight_ = 0;
  bool flushScheduled_ = false;
  OrderTally& tally_;
  kj::Own<kj::TaskSet> tasks_;
};

}  // namespace jh
