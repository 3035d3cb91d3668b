// The redialling link: a dial shared by its callers, and a dial whose callers all gave up.
#include <doctest/doctest.h>

#include <kj/async-io.h>

#include "schema/rpc/rpc-link.h"
#include "tests/support/harness/loopback-listener.h"

TEST_CASE(
    "a dial whose every caller gave up still connects, and the next caller uses that connection") {
  auto io = kj::setupAsyncIo();
  auto& network = io.provider->getNetwork();
  auto& timer = io.provider->getTimer();
  auto listener = jh::test::listenOnFreePort(network, io.waitScope);
  jh::RpcLink link(network, timer, "127.0.0.1:" + std::to_string(listener->getPort()), 2000);
  { auto gaveUp = link.bootstrap(); }
  for (int i = 0; i < 1000 && !link.isConnected(); ++i) {
    timer.afterDelay(2 * kj::MILLISECONDS).wait(io.waitScope);
  }
  REQUIRE(link.isConnected());
  auto again = link.bootstrap();  // served from the connection: no second dial
  CHECK(link.dials() == 1);
}
