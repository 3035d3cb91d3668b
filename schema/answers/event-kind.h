// The names of the front-end's event kinds (schema: EventKind), as the client's JSON, the web
// page and the timeline spell them.
#pragma once

#include "schema/just-hungry.capnp.h"

namespace jh {

// "replica-down" for rpc::EventKind::REPLICA_DOWN, and so on; "unknown" for a kind this build
// does not know.
const char* eventKindName(rpc::EventKind kind);

}  // namespace jh
