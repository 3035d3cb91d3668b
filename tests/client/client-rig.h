// What most client tests start from: one event loop, a fake front-end served on loopback, and a
// FrontEndClient pointed at it.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include <kj/async-io.h>

#include "client/front-end-client.h"
#include "tests/client/fake-front-end.h"
#include "tests/client/loopback-server.h"

namespace jh::client::test {

// Quick to give up, so that failure tests stay short; no back-off pauses.
RetryPolicy quickPolicy();

struct ClientRig {
  explicit ClientRig(RetryPolicy policy = quickPolicy());

  kj::AsyncIoContext io;
  kj::Own<FakeFrontEnd> fakeOwn;  // moved into the server; use `fake`
  FakeFrontEnd& fake;
  LoopbackServer server;
  FrontEndClient client;
  std::ostringstream out;
  std::ostringstream err;

  // Runs `jh-client ARGS` as main does after reading the cluster file, and returns the exit
  // code; what it prints lands in `out` and `err`.
  int run(const std::vector<std::string>& args);
};

}  // namespace jh::client::test
