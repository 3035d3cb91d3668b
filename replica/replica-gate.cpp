// The secret check in front of a replica.
#include "replica/replica-gate.h"

#include <kj/debug.h>

#include "schema/config/cluster-secret.h"
#include "schema/runtime/log.h"

namespace jh {

kj::Promise<void> ReplicaGate::open(OpenContext context) {
  auto given = context.getParams().getSecret();
  std::string text(reinterpret_cast<const char*>(given.begin()), given.size());
  if (!secret_.empty() && !secretMatches(secret_, text)) {
    JH_WARN("refused a caller that did not present the cluster secret");
    KJ_FAIL_REQUIRE("wrong cluster secret: only the front-ends and replicas may call a replica");
  }
  context.getResults().setReplica(replica_);
  return kj::READY_NOW;
}

}  // namespace jh
