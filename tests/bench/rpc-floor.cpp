// jh-rpc-floor: a measuring instrument, not a server to run. It serves the front-end's interface
// (or, with --sync, the replica's placeOrders) over the same connection stack as the real servers
// (RpcServer, buffered streams, Cap'n Proto 0.9 RPC) and does nothing else:
//   - alone, it answers every placeOrder at once as placed: jh-bench against it measures what the
//     client hop alone costs;
//   - with --forward NAME it gathers the orders of each event-loop turn into one placeOrders call
//     (at most two calls out, as the front-end's batcher does) to NAME, a jh-rpc-floor started
//     with --sync FILE, which appends the batch's CSV lines to FILE and fdatasyncs once, on its
//     event loop (the cheapest way, not one a server may use), before answering.
// The pair is the order path of DESIGN.md -- client -> front-end -> primary -> group commit --
// with validation, postcodes, the index, both backups and every thread taken away: the most an
// implementation of that design can reach on this machine. scripts/bench.sh sets both floors
// beside Redis. Every other method answers UNIMPLEMENTED.
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <kj/async-io.h>

#include "schema/config/cluster-config.h"
#include "schema/runtime/daemon.h"
#include "schema/just-hungry.capnp.h"
#include "schema/runtime/log.h"
#include "schema/orders/order.h"
#include "schema/rpc/rpc-link.h"
#include "schema/rpc/rpc-server.h"

namespace {

constexpr const char* USAGE =
    "usage: jh-rpc-floor [--cluster FILE] [--name FRONT_END_NAME] [--forward FRONT_END_NAME | "
    "--sync FILE]\n";

// What the front-end and the primary would have made of the order: fixed, as nothing is looked up.
jh::OrderRecord stamped(jh::rpc::FrontEnd::PlaceOrderParams::Reader params) {
  jh::OrderRecord order;
  order.orderId = params.getOrderId();
  order.userCode = params.getUserCode();
  order.item = params.getItem();
  order.postCode = params.getPostCode();
  order.pricePence = 785;
  order.area = "unverified";
  order.timeStamp = "2026-01-01T00:00:00.000Z";
  order.status = jh::STATUS_CONFIRMED;
  order.origin = "rpc.floor";
  return order;
}

// The primary's floor: one write and one fdatasync per placeOrders call.
class FloorPrimary final : public jh::rpc::Replica::Server {
 public:
  explicit FloorPrimary(int fd) : fd_(fd) {}

 protected:
  kj::Promise<void> placeOrders(PlaceOrdersContext context) override {
    std::vector<jh::OrderRecord> orders;
    for (auto o : context.getParams().getOrders()) orders.push_back(jh::fromWire(o));
    context.releaseParams();
    std::string lines;
    for (auto& o : orders) {
      o.seq = ++seq_;
      jh::appendOrderCsv(lines, o);
    }
    if (::write(fd_, lines.data(), lines.size()) != static_cast<ssize_t>(lines.size()) ||
        fdatasync(fd_) != 0) {
      return KJ_EXCEPTION(FAILED, "write or fdatasync failed", strerror(errno));
    }
    auto results = context.getResults(jh::ordersWireSize(orders))
                       .initResults(static_cast<unsigned>(orders.size()));
    for (unsigned i = 0; i < orders.size(); ++i) jh::toWire(orders[i], results[i].initPlaced());
    return kj::READY_NOW;
  }

 private:
  int fd_;
  uint64_t seq_ = 0;
};

class FloorFrontEnd final : public jh::rpc::FrontEnd::Server {
 public:
  explicit FloorFrontEnd(kj::Maybe<jh::RpcLink&> next) : next_(next), tasks_(failures_) {}

 protected:
  kj::Promise<void> placeOrder(PlaceOrderContext context) override {
    jh::OrderRecord order = stamped(context.getParams());
    context.releaseParams();
    if (next_ == nullptr) {
      order.seq = ++seq_;
      answer(context, order);
      return kj::READY_NOW;
    }
    auto paf = kj::newPromiseAndFulfiller<jh::OrderRecord>();
    queue_.push_back(Pending{std::move(order), kj::mv(paf.fulfiller)});
    if (!flushScheduled_) {
      flushScheduled_ = true;
      tasks_.add(kj::evalLater([this]() {
        flushScheduled_ = false;
        flush();
      }));
    }
    return paf.promise.then([context](jh::OrderRecord placed) mutable { answer(context, placed); });
  }

 private:
  struct Pending {
    jh::OrderRecord order;
    kj::Own<kj::PromiseFulfiller<jh::OrderRecord>> done;
  };

  static void answer(PlaceOrderContext& context, const jh::OrderRecord& order) {
    auto size = capnp::MessageSize{jh::orderWireWords(order) + 8, 0};
    jh::toWire(order, context.getResults(size).initResult().initPlaced());
  }

  void flush() {
    if (queue_.empty() || inFlight_ >= 2) return;
    auto batch = kj::heap<std::vector<Pending>>(std::move(queue_));
    queue_.clear();
    ++inFlight_;
    auto& ref = *batch;
    tasks_.add(KJ_ASSERT_NONNULL(next_)
                   .get<jh::rpc::Replica>()
                   .then([&ref](jh::rpc::Replica::Client primary) {
                     auto req = primary.placeOrdersRequest(
                         jh::ordersWireSize(ref, [](const Pending& p) { return p.order.view(); }));
                     auto list = req.initOrders(static_cast<unsigned>(ref.size()));
                     for (unsigned i = 0; i < ref.size(); ++i) jh::toWire(ref[i].order, list[i]);
                     return req.send();
                   })
                   .then([&ref](capnp::Response<jh::rpc::Replica::PlaceOrdersResults> reply) {
                     auto results = reply.getResults();
                     for (unsigned i = 0; i < ref.size(); ++i)
                       ref[i].done->fulfill(jh::fromWire(results[i].getPlaced()));
                   })
                   .attach(kj::mv(batch), kj::defer([this]() {
                             --inFlight_;
                             flush();
                           })));
  }

  struct Failures final : kj::TaskSet::ErrorHandler {
    void taskFailed(kj::Exception&& e) override {
      JH_ERROR("floor: {}", e.getDescription().cStr());
    }
  } failures_;
  kj::Maybe<jh::RpcLink&> next_;
  std::vector<Pending> queue_;
  bool flushScheduled_ = false;
  size_t inFlight_ = 0;
  uint64_t seq_ = 0;
  kj::TaskSet tasks_;
};

}  // namespace

int main(int argc, char** argv) {
  std::optional<std::string> cluster;
  std::string name, forward, syncPath;
  for (int i = 1; i < argc; i += 2) {
    std::string a = argv[i];
    if (i + 1 >= argc) a.clear();
    if (a == "--cluster")
      cluster = argv[i + 1];
    else if (a == "--name")
      name = argv[i + 1];
    else if (a == "--forward")
      forward = argv[i + 1];
    else if (a == "--sync")
      syncPath = argv[i + 1];
    else {
      std::cerr << USAGE;
      return 2;
    }
  }
  if (!forward.empty() && !syncPath.empty()) {
    std::cerr << USAGE;
    return 2;
  }
  jh::captureStopSignals();
  return jh::runDaemon([&]() -> int {
    jh::ClusterConfig config = jh::loadClusterConfig(jh::chooseClusterPath(cluster, argv[0]));
    auto frontEnd = [&](const std::string& n) -> const jh::NodeConfig& {
      const jh::NodeConfig* fe =
          n.empty() && !config.frontends.empty() ? &config.frontends[0] : config.findFrontend(n);
      if (!fe) throw jh::ConfigError(config.path + ": frontends: no front-end named '" + n + "'");
      return *fe;
    };
    const jh::NodeConfig& self = frontEnd(name);
    jh::logInit(self.name, "");
    int syncFd = -1;
    if (!syncPath.empty()) {
      syncFd = ::open(syncPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (syncFd < 0) throw jh::ConfigError(syncPath + ": " + strerror(errno));
    }
    auto io = kj::setupAsyncIo();
    kj::Timer& timer = io.provider->getTimer();
    kj::Maybe<kj::Own<jh::RpcLink>> next;
    if (!forward.empty()) {
      next = kj::heap<jh::RpcLink>(io.provider->getNetwork(), timer, frontEnd(forward).address,
                                   config.callTimeoutMs);
    }
    kj::Maybe<jh::RpcLink&> nextRef;
    KJ_IF_MAYBE (n, next) nextRef = **n;
    auto listener =
        io.provider->getNetwork().parseAddress(self.address).wait(io.waitScope)->listen();
    capnp::Capability::Client served =
        syncFd >= 0 ? capnp::Capability::Client(kj::heap<FloorPrimary>(syncFd))
                    : capnp::Capability::Client(kj::heap<FloorFrontEnd>(nextRef));
    jh::RpcServer server(kj::mv(served), timer, jh::FRONTEND_MAX_MESSAGE_BYTES);
    auto serving = server.listen(*listener);
    JH_INFO("listening on {}: every placeOrder is {}", self.address,
            !forward.empty() ? "passed to " + forward
            : syncFd >= 0    ? "synced to " + syncPath
                             : "answered at once");
    serving.exclusiveJoin(jh::stopSignal(io.unixEventPort)).wait(io.waitScope);
    return 0;
  });
}
