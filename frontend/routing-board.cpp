// Views posted from the lead to the followers, reports back, through the loops' executors.
#include "frontend/routing-board.h"

#include "frontend/replica-router.h"

namespace jh {

RoutingBoard::RoutingBoard(size_t replicas) : inFlight_(replicas) {}

void RoutingBoard::lead(ReplicaRouter& router) { routers_.join(0, router); }

std::vector<kj::Promise<void>> RoutingBoard::post(RoutingView view) {
  std::vector<size_t> followers;
  {
    std::lock_guard lock(mutex_);
    view_ = view;
    followers = routers_.joined();
  }
  std::vector<kj::Promise<void>> sent;
  for (size_t loop : followers) {
    if (loop == 0) continue;
    // Executors keep the order of calls from one thread to another: views arrive as posted.
    sent.push_back(routers_
                       .onLoop<bool>(loop,
                                     [view](ReplicaRouter& router) {
                                       router.adopt(view);
                                       return true;
                                     })
                       .ignoreResult()
                       .catch_([](kj::Exception&&) {}));  // that loop has stopped
  }
  return sent;
}

RoutingView RoutingBoard::follow(size_t loop, ReplicaRouter& router) {
  std::lock_guard lock(mutex_);
  routers_.join(loop, router);
  return view_;
}

void RoutingBoard::leave(size_t loop) { routers_.leave(loop); }

kj::Promise<void> RoutingBoard::report(size_t i, bool down, std::string reason) {
  return routers_
      .onLoop<bool>(0,
                    [i, down, reason = kj::mv(reason)](ReplicaRouter& lead) {
                      lead.reported(i, down, reason);
                      return true;
                    })
      .ignoreResult()
      .catch_([](kj::Exception&&) {});  // the lead has stopped: the front-end is stopping
}

}  // namespace jh
