// The names of the event kinds.
#include "schema/answers/event-kind.h"

namespace jh {

const char* eventKindName(rpc::EventKind kind) {
  switch (kind) {
    case rpc::EventKind::REPLICA_DOWN: return "replica-down";
    case rpc::EventKind::REPLICA_UP: return "replica-up";
    case rpc::EventKind::REPLICA_READY: return "replica-ready";
    case rpc::EventKind::PROMOTING: return "promoting";
    case rpc::EventKind::PROMOTED: return "promoted";
    case rpc::EventKind::PROMOTION_FAILED: return "promotion-failed";
    case rpc::EventKind::HAND_OVER: return "hand-over";
    case rpc::EventKind::NO_PRIMARY: return "no-primary";
    case rpc::EventKind::DIVERGED: return "diverged";
    case rpc::EventKind::STARTED: return "started";
  }
  return "unknown";
}

}  // namespace jh
