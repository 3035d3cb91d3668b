// An order desk in-process for tests of it and of its doors: fake replicas on loopback (the first
// promoted), a jh-fake-postcodes process, the router, the postcode service and the desk, all on
// the test's event loop.
#pragma once

#include <kj/async-io.h>

#include "frontend/front-end-shared.h"
#include "frontend/order-desk.h"
#include "frontend/postcodes/postcode-service.h"
#include "frontend/replica-router.h"
#include "tests/frontend/fake-postcodes-process.h"
#include "tests/frontend/fake-replica.h"

namespace jh::test {

struct DeskRig {
  explicit DeskRig(uint32_t callTimeoutMs = 300, uint32_t heartbeatMs = 20);

  // Waits (bounded) until `name` is the primary; whether it is.
  bool primaryIs(const std::string& name);

  // Runs a promise of the desk to its end.
  template <typename T>
  T wait(kj::Promise<T> promise) {
    return promise.wait(io.waitScope);
  }

  kj::AsyncIoContext io = kj::setupAsyncIo();
  FakeReplicas fakes{io};
  FakePostcodesProcess postcodesProcess;
  ClusterConfig config;
  kj::Own<FrontEndShared> shared;  // what the loops of a front-end share; here, one loop
  kj::Own<ReplicaRouter> router;
  kj::Own<PostcodeService> postcodes;
  kj::Own<OrderDesk> desk;
};

}  // namespace jh::test
