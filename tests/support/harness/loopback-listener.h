// A KJ listener on a loopback port picked by pickFreePort(), for tests that serve in-process.
#pragma once

#include <kj/async-io.h>

namespace jh::test {

// Listens on 127.0.0.1 at a port from pickFreePort(): below the ephemeral range and reserved
// against other test processes, never port 0, whose port the kernel takes from the ephemeral
// range. The bind follows the pick at once; should another program take the port in between, it
// throws (address already in use) and the test fails saying so, as TestCluster fails when one of
// its servers cannot bind its picked port.
kj::Own<kj::ConnectionReceiver> listenOnFreePort(kj::Network& network, kj::WaitScope& waitScope);

}  // namespace jh::test
