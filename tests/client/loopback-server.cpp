// A front-end's listening side for tests, with connections that can be cut.
#include "tests/client/loopback-server.h"

#include <kj/debug.h>

#include "tests/support/harness/harness-util.h"
#include "tests/support/harness/loopback-listener.h"

namespace jh::client::test {

LoopbackServer::LoopbackServer(kj::AsyncIoContext& io, capnp::Capability::Client bootstrap)
    : server_(kj::mv(bootstrap)),
      listener_(jh::test::listenOnFreePort(io.provider->getNetwork(), io.waitScope)),
      port_(listener_->getPort()) {
  accepting_ = acceptLoop().eagerlyEvaluate(
      [](kj::Exception&& e) { KJ_LOG(ERROR, "loopback server stopped accepting", e); });
}

kj::Promise<void> LoopbackServer::acceptLoop() {
  return listener_->accept().then([this](kj::Own<kj::AsyncIoStream> stream) {
    ++accepted_;
    auto c = kj::heap<Connection>();
    c->stream = kj::mv(stream);
    c->rpc = server_.accept(*c->stream).eagerlyEvaluate(nullptr);
    connections_.push_back(kj::mv(c));
    return acceptLoop();
  });
}

std::string LoopbackServer::address() const { return "127.0.0.1:" + std::to_string(port_); }

void LoopbackServer::dropConnections() {
  dropping_ = kj::evalLater([this]() { connections_.clear(); }).eagerlyEvaluate(nullptr);
}

std::string LoopbackServer::closedAddress() {
  return "127.0.0.1:" + std::to_string(jh::test::pickFreePort());
}

}  // namespace jh::client::test
