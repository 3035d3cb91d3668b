// One loop's front-end: what main() did for the single loop, from accepting to draining.
#include "frontend/serving-loop.h"

#include "frontend/frontend-service.h"

namespace jh {

ServingLoop::ServingLoop(kj::AsyncIoContext& io, const ClusterConfig& config,
                         const std::string& name, const std::string& secret, FrontEndShared& shared,
                         size_t index, SharedPort& rpcPort, SharedPort* httpPort)
    : config_(config), timer_(io.provider->getTimer()),
      rpcListener_(rpcPort.take(index, *io.lowLevelProvider)),
      httpListener_(httpPort ? httpPort->take(index, *io.lowLevelProvider)
                             : kj::Own<kj::ConnectionReceiver>()),
      router_(config, name, io.provider->getNetwork(), timer_, secret, &shared.routing(), index),
      postcodes_(shared.postcodes(), timer_),
      desk_(config, name, router_, postcodes_, timer_, shared, index),
      server_(kj::heap<FrontEndService>(desk_), timer_, FRONTEND_MAX_MESSAGE_BYTES) {
  if (httpListener_.get() != nullptr)
    door_ = kj::heap<HttpDoor>(desk_, config.http, shared.webPage(), timer_, shared.rateLimiter());
}

ServingLoop::~ServingLoop() {}

kj::Promise<void> ServingLoop::start() { return router_.start(); }

kj::Promise<void> ServingLoop::serve(kj::Promise<void> stop) {
  kj::Promise<void> serving = server_.listen(*rpcListener_);
  if (door_.get() != nullptr) serving = serving.exclusiveJoin(door_->listen(*httpListener_));
  return serving.exclusiveJoin(kj::mv(stop)).then([this]() {
    kj::Duration bound = kj::Duration(config_.callTimeoutMs * kj::MILLISECONDS) * 2;
    kj::Promise<void> drained = desk_.drain(bound);
    if (door_.get() == nullptr) return drained;
    // No new request on a kept-alive connection either; each closes once its answer is out.
    auto both = kj::heapArrayBuilder<kj::Promise<void>>(2);
    both.add(door_->drain());
    both.add(kj::mv(drained));
    return kj::joinPromises(both.finish()).exclusiveJoin(timer_.afterDelay(bound));
  });
}

}  // namespace jh
