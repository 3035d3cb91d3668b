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
#include "schema/orders/order.h"
#include "schema/rpc/rpc-link.h"

namespace jh::bench {

namespace {

using Clock = std::chrono::steady_clock;

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string percentEncoded(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// One kept-alive HTTP/1.1 connection to the front-end's HTTP door, made again after a failure: a
// request written whole, its reply read by its Content-Length. Only the status is looked at.
class HttpConnection {
 public:
  HttpConnection(kj::Network& network, std::string address)
      : network_(network), address_(std::move(address)) {}

  // The reply's status code; fails when the connection fails (then dropped).
  kj::Promise<unsigned> exchange(std::string request) {
    auto text = kj::heap<std::string>(std::move(request));
    auto connected = stream_.get() != nullptr
                         ? kj::Promise<void>(kj::READY_NOW)
                         : network_.parseAddress(address_)
                               .then([](kj::Own<kj::NetworkAddress> a) {
                                 return a->connect().attach(kj::mv(a));
                               })
                               .then([this](kj::Own<kj::AsyncIoStream> s) { stream_ = kj::mv(s); });
    return connected.then([this, &ref = *text]() { return stream_->write(ref.data(), ref.size()); })
        .then([this]() {
          received_.clear();
          return readReply();
        })
        .attach(kj::mv(text))
        .catch_([this](kj::Exception&& e) -> kj::Promise<unsigned> {
          stream_ = nullptr;
          return kj::mv(e);
        });
  }

  void drop() { stream_ = nullptr; }

 private:
  kj::Promise<unsigned> readReply() {
    size_t end = received_.find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t at = received_.find("Content-Length: ");
      size_t length = at < end ? std::stoul(received_.substr(at + 16)) : 0;
      if (received_.size() >= end + 4 + length) {
        return static_cast<unsigned>(std::atoi(received_.c_str() + 9));
      }
    }
    return stream_->tryRead(buffer_, 1, sizeof buffer_)
        .then([this](size_t n) -> kj::Promise<unsigned> {
          if (n == 0) return KJ_EXCEPTION(DISCONNECTED, "the front-end closed the HTTP connection");
          received_.append(buffer_, n);
          return readReply();
        });
  }

  kj::Network& network_;
  std::string address_;
  kj::Own<kj::AsyncIoStream> stream_;
  std::string received_;
  char buffer_[4096];
};

class Client {
 public:
  Client(const LoadOptions& o, size_t index, const std::string& runTag, kj::AsyncIoContext& io,
         Clock::time_point start, Clock::time_point deadline)
      : o_(o), index_(index), runTag_(runTag), timer_(io.provider->getTimer()),
        link_(io.provider->getNetwork(), timer_, o.frontendAddress, o.callTimeoutMs),
        http_(io.provider->getNetwork(), o.frontendAddress), start_(start), deadline_(deadline),
        user_(fmt::format("{}-{}", o.userPrefix, index)) {}

  kj::Promise<void> loop() {
    if (Clock::now() >= deadline_ || (o_.maxOrders && done_ >= o_.maxOrders)) return kj::READY_NOW;
    if (o_.stop != nullptr && o_.stop->load(std::memory_order_relaxed)) return kj::READY_NOW;
    auto began = Clock::now();
    return timer_.timeoutAfter(o_.callTimeoutMs * kj::MILLISECONDS, once())
        .then([this](bool ok) { return ok; },
              [this](kj::Exception&&) {
                link_.drop();
                http_.drop();
                if (!o_.retryUntilAcked) pendingId_.clear();
                return false;
              })
        .then([this, began](bool ok) -> kj::Promise<void> {
          auto end = Clock::now();
          if (ok) {
            ++done_;
            if (o_.live) o_.live->acknowledged.fetch_add(1, std::memory_order_relaxed);
            successes.push_back(
                {std::chrono::duration_cast<std::chrono::microseconds>(end - start_).count(),
                 static_cast<uint32_t>(
                     std::chrono::duration_cast<std::chrono::microseconds>(end - began).count())});
            return loop();
          }
          ++errors;
          // An order whose id is still pending is tried again with it; any other is given up.
          if (o_.live)
            (pendingId_.empty() ? o_.live->failed : o_.live->retried)
                .fetch_add(1, std::memory_order_relaxed);
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
    if (o_.door == Door::HTTP) return onceOverHttp();
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
      case Mode::ORDER: break;
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

  // One call through the HTTP door: the same requests as over RPC, and an order's id its
  // Idempotency-Key, so that a retry (--retry-until-acked) never orders twice.
  kj::Promise<bool> onceOverHttp() {
    std::string head = "Host: " + o_.frontendAddress + "\r\n";
    switch (o_.mode) {
      case Mode::MENU:
        return http_.exchange("GET /api/menu HTTP/1.1\r\n" + head + "\r\n").then([](unsigned s) {
          return s == 200;
        });
      case Mode::ORDERS:
        return http_
            .exchange("GET /api/orders?user=" + percentEncoded(user_) + " HTTP/1.1\r\n" + head +
                      "\r\n")
            .then([](unsigned s) { return s == 200; });
      case Mode::ORDER: break;
    }
    if (pendingId_.empty()) {
      pendingId_ = fmt::format("{}-{}-{}", runTag_, index_, ++counter_);
      attempted.push_back(pendingId_);
    }
    std::string body = "{\"user_code\":" + jsonString(user_) + ",\"item\":" + jsonString(o_.item) +
                       ",\"post_code\":" + jsonString(o_.postcode) + "}";
    std::string request = "POST /api/orders HTTP/1.1\r\n" + head +
                          "Content-Type: application/json\r\nIdempotency-Key: " + pendingId_ +
                          "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return http_.exchange(std::move(request)).then([this](unsigned status) {
      if (status == 201) {
        acked.push_back(pendingId_);
        pendingId_.clear();
        return true;
      }
      if (status != 503 || !o_.retryUntilAcked) pendingId_.clear();
      return false;
    });
  }

  const LoadOptions& o_;
  size_t index_;
  const std::string& runTag_;
  kj::Timer& timer_;
  RpcLink link_;
  HttpConnection http_;
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
  // The first event loop of a process fills a static table inside libkj (its reserved address
  // ranges). Made here on a thread of its own, and joined, it is filled before the pool starts:
  // otherwise threads that make their first loops at the same moment meet at that static's guard,
  // which is safe but invisible to ThreadSanitizer (tests/support/tsan-suppressions.txt).
  std::thread([]() { kj::setupAsyncIo(); }).join();
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
