// The in-process desk for tests.
#include "tests/frontend/desk-rig.h"

namespace jh::test {

DeskRig::DeskRig(uint32_t callTimeoutMs, uint32_t heartbeatMs)
    : config(fakes.config(callTimeoutMs, heartbeatMs)) {
  config.postcodes.urls = {postcodesProcess.url()};
  shared = kj::heap<FrontEndShared>(config);
  router = kj::heap<ReplicaRouter>(config, "fe", io.provider->getNetwork(), io.provider->getTimer(),
                                   "", &shared->routing(), 0);
  router->start().wait(io.waitScope);
  postcodes = kj::heap<PostcodeService>(shared->postcodes(), io.provider->getTimer());
  desk =
      kj::heap<OrderDesk>(config, "fe", *router, *postcodes, io.provider->getTimer(), *shared, 0);
}

bool DeskRig::primaryIs(const std::string& name) {
  return runUntil(io, [&]() { return router->primaryName() == name; });
}

}  // namespace jh::test
