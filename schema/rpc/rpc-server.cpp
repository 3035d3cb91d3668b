// The accept loop and per-connection RPC systems.
#include "schema/rpc/rpc-server.h"

#include <capnp/rpc-twoparty.h>

#include "schema/runtime/failure-words.h"
#include "schema/runtime/log.h"
#include "schema/rpc/buffered-stream.h"
#include "schema/rpc/task-errors.h"

namespace jh {

namespace {
LogTaskFailures logErrors{"connection", LogLevel::DEBUG};
constexpr auto ACCEPT_RETRY = 100 * kj::MILLISECONDS;
}  // namespace

struct RpcServer::Connection {
  Connection(capnp::Capability::Client bootstrap, kj::Own<kj::AsyncIoStream>&& s, kj::Timer& timer,
             capnp::ReaderOptions options)
      : stream(bufferStream(kj::mv(s), timer)),
        network(*stream, capnp::rpc::twoparty::Side::SERVER, options),
        rpcSystem(capnp::makeRpcServer(network, kj::mv(bootstrap))) {}
  kj::Own<kj::AsyncIoStream> stream;
  capnp::TwoPartyVatNetwork network;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpcSystem;
};

RpcServer::RpcServer(capnp::Capability::Client bootstrap, kj::Timer& timer,
                     uint64_t maxMessageBytes)
    : bootstrap_(kj::mv(bootstrap)), timer_(timer), maxMessageWords_(maxMessageBytes / 8),
      tasks_(kj::heap<kj::TaskSet>(logErrors)) {}

RpcServer::~RpcServer() {}

kj::Promise<void> RpcServer::listen(kj::ConnectionReceiver& listener) {
  // evalNow: accept() may also throw at once (EMFILE), not only through its promise.
  return kj::evalNow([&listener]() { return listener.accept(); })
      .then(
          [this, &listener](kj::Own<kj::AsyncIoStream> stream) {
            acceptFailures_ = 0;
            accept(kj::mv(stream));
            return listen(listener);
          },
          [this, &listener](kj::Exception&& e) {
            // Typically EMFILE: the connection waits in the backlog until a descriptor is free.
            if (acceptFailures_++ % 100 == 0) {
              JH_WARN(
                  "cannot accept a new connection ({}) while {} are open; callers wait, trying "
                  "again "
                  "every {} ms",
                  failureReason(e), open_, ACCEPT_RETRY / kj::MILLISECONDS);
            }
            return timer_.afterDelay(ACCEPT_RETRY).then([this, &listener]() {
              return listen(listener);
            });
          });
}

void RpcServer::accept(kj::Own<kj::AsyncIoStream> stream) {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = maxMessageWords_;
  auto connection = kj::heap<Connection>(bootstrap_, kj::mv(stream), timer_, options);
  auto ended = connection->network.onDisconnect();
  ++open_;
  tasks_->add(ended.attach(kj::mv(connection), kj::defer([this]() { --open_; })));
}

}  // namespace jh
