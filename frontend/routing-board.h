// How the routers of a front-end's event loops keep one choice of primary (docs/threads.md): the
// lead loop's router watches the replicas, chooses and promotes, and posts here what calls should
// do; every other loop's router (a follower) adopts that, and reports to the lead each replica it
// found down or refusing, as the lead's own calls would. Calls under way on each replica are
// counted here for all loops, so that a hand-over waits for every loop's calls on the old primary.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <kj/async.h>

#include "frontend/loop-registry.h"

namespace jh {

class ReplicaRouter;

// What calls should do now.
struct RoutingView {
  int primary = -1;          // index in the replicas, -1 for none
  bool holding = true;       // calls wait (bounded) for the next view: a promotion is under way,
                             // or the lead has not chosen yet
  bool handingOver = false;  // holding while `primary` still finishes its calls
};

class RoutingBoard {
 public:
  explicit RoutingBoard(size_t replicas);

  // Calls under way on replica `i`, by every loop.
  std::atomic<uint32_t>& inFlight(size_t i) { return inFlight_[i]; }

  // The lead's router (loop 0), on its thread, as it starts and ends.
  void lead(ReplicaRouter& router);
  // Posts the lead's view; the returned calls (one a follower) belong on the lead's loop.
  std::vector<kj::Promise<void>> post(RoutingView view);

  // A follower's router (loop > 0), on its thread: joins and gets the view to start from.
  RoutingView follow(size_t loop, ReplicaRouter& router);
  void leave(size_t loop);
  // From a follower: replica `i` failed a call: `down` (unreachable, or too slow) or refused it.
  // The lead acts as on a failure of its own and posts its view again.
  kj::Promise<void> report(size_t i, bool down, std::string reason);

 private:
  std::vector<std::atomic<uint32_t>> inFlight_;
  std::mutex mutex_;  // orders posts and follows: a follower starts from the last view posted
  RoutingView view_;
  LoopRegistry<ReplicaRouter> routers_;
};

}  // namespace jh
