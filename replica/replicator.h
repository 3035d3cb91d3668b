// The replication thread (DESIGN.md §4): its own event loop and connections to every peer. At
// start it pulls what this replica lacks from each reachable peer and then declares it READY;
// from then on it pushes to each peer, in batches and in seq order per origin incarnation, the
// rows the peer lacks (PushSchedule decides), retrying with back-off (capped at one second) while
// a peer is down, never giving up. It also runs the syncs that promotions ask for.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <kj/async.h>

#include "replica/back-off-sleep.h"
#include "replica/replica-node.h"

namespace jh {

class Replicator final : public PeerSyncer {
 public:
  // `node` lives on the thread whose executor is `mainExecutor`; every call into it goes there.
  // `secret` is presented to the peers' gates.
  Replicator(ReplicaNode& node, const kj::Executor& mainExecutor, std::string secret);
  ~Replicator();  // requires stop() to have resolved (or the thread never started)

  // Starts the thread, and makes the node ask it for the syncs of promotions.
  void start();

  // Ends the thread's loop; resolves on the caller's loop once the thread has let go of the
  // node. The caller's loop must keep running meanwhile (the thread may be finishing a call
  // into it).
  kj::Promise<void> stop();

  // PeerSyncer, from the main thread.
  kj::Promise<PeerSynced> syncWith(const std::string& peer, kj::Duration timeout) override;
  // PeerSyncer, from any thread.
  void heardFrom(const std::string& peer) override;

 private:
  class Worker;
  void run();

  ReplicaNode& node_;
  const kj::Executor& mainExecutor_;
  std::string secret_;
  // Each peer's push loop pause, by peer name: here, not on the thread, so that heardFrom() can
  // reach them whether the thread runs or not. Filled at construction, never changed.
  std::map<std::string, BackOffSleep> backOffs_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable started_;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> stopRequest_;  // set by the thread at start
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> stopped_;      // fulfilled once joined
  const kj::Executor* executor_ = nullptr;                      // the thread's, set at start
  Worker* worker_ = nullptr;                                    // lives on the thread while it runs
  bool running_ = false;
};

}  // namespace jh
