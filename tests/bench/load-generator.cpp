// Concurrent clients on a few threads, each thread with its own KJ event loop.
#include "tests/bench/load-generator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <kj/async-io.h>
#include <kj/debug.h>

#include "schema/just-hungry.capnp.h"
#include "schema/order.h"
#include "schema/rpc-link.h"

namespace jh::bench {

namespace {

using Clock = std::chrono::steady_clock;

class Client {
 public:
  Client(const LoadOptions& o, size_t index, const std::string& runTag, kj::AsyncIoContext& io,
         Clock::time_point start, Clock::time_point deadline)
      : o_(o), index_(index), runTag_(runTag), timer_(io.provider->getTimer()),
        link_(io.provider->getNetwork(), timer_, o.frontendAddress, o.callTimeoutMs),
        start_(start), deadline_(deadline),
        user_(fmt::format("{}-{}", o.userPrefix, index)) {}

  kj::Promise<void> loop() {
    if (Clock::now() >= deadline_ || (o_.maxOrders && done_ >= o_.maxOrders)) return kj::READY_NOW;
    if (o_.stop != nullptr && o_.stop->load(std::memory_order_relaxed)) return kj::READY_NOW;
    auto began = Clock::now();
    return timer_.timeoutAfter(o_.callTimeoutMs * kj::MILLISECONDS, once())
        .then([this](bool ok) { return ok; }, [this](kj::Exception&&) {
          link_.drop();
          if (!o_.retryUntilAcked) pendingId_.clear();
          return false;
        })
        .then([this, began](bool ok) -> kj::Promise<void> {
          auto end = Clock::now();
          if (ok) {
            ++done_;
            if (o_.live) o_.live->acknowledged.fetch_add(1, std::memory_order_relaxed);
            successes.push_back({std::chrono::duration_cast<std::chrono::microseconds>(end - start_).count(),
                                 static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(end - began).count())});
            return loop();
          }
          ++errors;
          // An order whose id is still pending is tried again with it; any other is given up.
          if (o_.live) (pendingId_.empty() ? o_.live->failed : o_.live->retried).fetch_add(1, std::memory_order_relaxed);
          // Back off a little so that a cluster without a primary is not spun against.
          return timer_.afterDelay(5 * kj::MILLISECONDS).then([this]() { return loop(); });
        });
  }

  uint64_t errors = 0;
  std::vector<Success> successes;
  std::vector<std::string> attempted, acked;

 private:
  // One call; true when it succeeded.
  kj::Promise<bool> once() {
    switch (o_.mode) {
      case Mode::MENU:
        return link_.get<rpc::FrontEnd>().then([](rpc::FrontEnd::Client c) {
          return c.getMenuRequest().send().then([](auto reply) { return reply.getOk(); });
        });
      case Mode::ORDERS:
        return link_.get<rpc::FrontEnd>().then([this](rpc::FrontEnd::Client c) {
          auto req = c.getOrdersRequest();
          req.setUserCode(user_);
          return req.send().then([](auto reply) { return reply.getResult().isOrders(); });
        });
      case Mode::ORDER:
        break;
    }
    if (pendingId_.empty()) {
      pendingId_ = fmt::format("{}-{}-{}", runTag_, index_, ++counter_);
      attempted.push_back(pendingId_);
    }
    return link_.get<rpc::FrontEnd>().then([this](rpc::FrontEnd::Client c) {
      auto req = c.placeOrderRequest(placeOrderSize(pendingId_, user_, o_.item, o_.postcode));
      req.setOrderId(pendingId_);
      req.setUserCode(user_);
      req.setItem(o_.item);
      req.setPostCode(o_.postcode);
      return req.send().then([this](auto reply) {
        auto result = reply.getResult();
        if (result.isPlaced()) {
          acked.push_back(pendingId_);
          pendingId_.clear();
          return true;
        }
        bool retryable = result.getRejected().getCode() == rpc::RejectCode::UNAVAILABLE;
        if (!retryable || !o_.retryUntilAcked) pendingId_.clear();
        return false;
      });
    });
  }

  const LoadOptions& o_;
  size_t index_;
  const std::string& runTag_;
  kj::Timer& timer_;
  RpcLink link_;
  Clock::time_point start_, deadline_;
  std::string user_;
  std::string pendingId_;
  uint64_t counter_ = 0;
  uint64_t done_ = 0;
};

}  // namespace

LoadResult runLoad(const LoadOptions& o) {
  size_t threads = o.threads ? o.threads : std::min<size_t>(o.clients, 2);
  threads = std::max<size_t>(1, std::min(threads, o.clients));
  std::string runTag = fmt::format("{:08x}", std::random_device{}());
  auto start = Clock::now();
  auto deadline = start + std::chrono::microseconds(static_cast<int64_t>(o.durationS * 1e6));

  LoadResult result;
  std::mutex mutex;
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t]() {
      auto io = kj::setupAsyncIo();
      std::vector<kj::Own<Client>> clients;
      auto loops = kj::heapArrayBuilder<kj::Promise<void>>((o.clients - t + threads - 1) / threads);
      for (size_t i = t; i < o.clients; i += threads) {
        clients.push_back(kj::heap<Client>(o, i, runTag, io, start, deadline));
        loops.add(clients.back()->loop());
      }
      kj::joinPromises(loops.finish()).wait(io.waitScope);
      std::lock_guard lock(mutex);
      for (auto& c : clients) {
        result.errors += c->errors;
        result.successes.insert(result.successes.end(), c->successes.begin(), c->successes.end());
        result.attempted.insert(result.attempted.end(), c->attempted.begin(), c->attempted.end());
        result.acked.insert(result.acked.end(), c->acked.begin(), c->acked.end());
      }
    });
  }
  for (auto& t : pool) t.join();
  result.elapsedS = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(result.successes.begin(), result.successes.end(),
            [](const Success& a, const Success& b) { return a.atUs < b.atUs; });
  return result;
}

Summary summarise(const LoadResult& r) {
  Summary s{};
  s.opsPerS = r.elapsedS > 0 ? r.successes.size() / r.elapsedS : 0;
  std::vector<uint32_t> lat;
  lat.reserve(r.successes.size());
  for (auto& x : r.successes) lat.push_back(x.latencyUs);
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    if (lat.empty()) return 0.0;
    size_t i = std::min(lat.size() - 1, static_cast<size_t>(p * lat.size()));
    return lat[i] / 1000.0;
  };
  s.p50Ms = pct(0.50);
  s.p99Ms = pct(0.99);
  s.p999Ms = pct(0.999);
  s.maxMs = lat.empty() ? 0 : lat.back() / 1000.0;
  int64_t gap = 0;
  for (size_t i = 1; i < r.successes.size(); ++i) {
    gap = std::max(gap, r.successes[i].atUs - r.successes[i - 1].atUs);
  }
  s.longestGapMs = gap / 1000.0;
  return s;
}

}  // namespace jh::bench
