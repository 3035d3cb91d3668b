// Failures in plain words: what a refused connection, a busy port or a lost peer reads as in a
// log line, with no system call, no variable names and no C++ expression in it.
#include <doctest/doctest.h>
#include <kj/async-io.h>
#include <kj/debug.h>

#include "schema/runtime/daemon.h"
#include "schema/runtime/failure-words.h"
#include "schema/rpc/rpc-link.h"
#include "tests/support/harness/harness-util.h"
#include "tests/support/harness/loopback-listener.h"

namespace jh {

TEST_CASE("the system's reasons become a few lower-case words, without the call that failed") {
  CHECK(failureReason(KJ_EXCEPTION(DISCONNECTED, "connect(): Connection refused")) ==
        "connection refused");
  CHECK(failureReason(
            KJ_EXCEPTION(FAILED, "bind(sockfd, &addr.generic, addrlen): Address already in use")) ==
        "address already in use");
  CHECK(failureReason(KJ_EXCEPTION(OVERLOADED, "operation timed out")) == "no answer in time");
  CHECK(failureReason(KJ_EXCEPTION(DISCONNECTED, "Peer disconnected.")) ==
        "the connection was closed");
  CHECK(failureReason(KJ_EXCEPTION(FAILED, "open(path): Is a directory")) == "is a directory");
}

TEST_CASE("a plain exception's description is exactly the sentence given") {
  auto e = plainException(kj::Exception::Type::DISCONNECTED,
                          "cannot connect to 127.0.0.1:9: connection refused");
  CHECK(e.getType() == kj::Exception::Type::DISCONNECTED);
  CHECK(std::string(e.getDescription().cStr()) ==
        "cannot connect to 127.0.0.1:9: connection refused");
}

TEST_CASE(
    "a link to a port where nothing listens fails as DISCONNECTED, saying where and why in "
    "words") {
  auto io = kj::setupAsyncIo();
  auto& network = io.provider->getNetwork();
  // A port free a moment ago and reserved for this process: nothing listens there.
  std::string address = "127.0.0.1:" + std::to_string(jh::test::pickFreePort());
  RpcLink link(network, io.provider->getTimer(), address, 1000);
  std::string description;
  kj::Exception::Type type = kj::Exception::Type::FAILED;
  link.bootstrap()
      .then([](capnp::Capability::Client) {},
            [&](kj::Exception&& e) {
              type = e.getType();
              description = e.getDescription().cStr();
            })
      .wait(io.waitScope);
  CHECK(type == kj::Exception::Type::DISCONNECTED);
  CHECK(description == "cannot connect to " + address + ": connection refused");
}

TEST_CASE("listening on a port in use fails saying which address and why") {
  auto io = kj::setupAsyncIo();
  auto& network = io.provider->getNetwork();
  auto taken = jh::test::listenOnFreePort(network, io.waitScope);
  std::string address = "127.0.0.1:" + std::to_string(taken->getPort());
  std::string description;
  try {
    listenOn(network, address, io.waitScope);
  } catch (const kj::Exception& e) { description = e.getDescription().cStr(); }
  CHECK(description == "cannot listen on " + address + ": address already in use");
}

}  // namespace jh
