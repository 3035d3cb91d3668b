// A listener on a picked loopback port; see loopback-listener.h.
#include "tests/support/harness/loopback-listener.h"

#include "tests/support/harness/harness-util.h"

namespace jh::test {

kj::Own<kj::ConnectionReceiver> listenOnFreePort(kj::Network& network, kj::WaitScope& waitScope) {
  return network.parseAddress("127.0.0.1", pickFreePort()).wait(waitScope)->listen();
}

}  // namespace jh::test
