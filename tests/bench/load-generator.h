// The load generator behind jh-bench: N concurrent clients, each with its own connection to a
// front-end, each order with its own id, for a bounded time. Records every latency, every
// attempted and acknowledged order id, and when each success happened.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "schema/config/cluster-config.h"

namespace jh::bench {

enum class Mode { ORDER, ORDERS, MENU };
// Which door of the front-end the clients use: Cap'n Proto RPC, or the HTTP API (DESIGN.md §6),
// one kept-alive connection per client.
enum class Door { RPC, HTTP };

// Running totals that the clients keep up to date as they go, for a live display on another
// thread (see live-report.h for what each counts).
struct LiveCounts {
  std::atomic<uint64_t> acknowledged{0};
  std::atomic<uint64_t> failed{0};
  std::atomic<uint64_t> retried{0};
};

struct LoadOptions {
  Mode mode = Mode::ORDER;
  Door door = Door::RPC;
  size_t clients = 1;
  size_t threads = 0;  // 0: min(clients, 2)
  double durationS = 5;
  uint64_t maxOrders = 0;       // per client; 0 = no limit
  std::string frontendAddress;  // the RPC address, or the http one with Door::HTTP
  std::string userPrefix = "bench";
  std::string item = "HAMBURGER";
  std::string postcode = "AB10 1AB";
  bool retryUntilAcked = false;  // repeat a failed order with the same id until it is placed
  uint32_t callTimeoutMs = 5000;
  LiveCounts* live = nullptr;               // updated as calls end, when set
  const std::atomic<bool>* stop = nullptr;  // once true, each client stops after its call under way
};

struct Success {
  int64_t atUs;  // completion, since the run began
  uint32_t latencyUs;
};

struct LoadResult {
  double elapsedS = 0;
  uint64_t errors = 0;                 // failed calls (each retry that failed counts)
  std::vector<Success> successes;      // sorted by atUs
  std::vector<std::string> attempted;  // order ids tried at least once
  std::vector<std::string> acked;      // order ids placed
};

LoadResult runLoad(const LoadOptions& options);

struct Summary {
  double opsPerS, p50Ms, p99Ms, p999Ms, maxMs, longestGapMs;
};
Summary summarise(const LoadResult& result);

}  // namespace jh::bench
