// The client's connection to the service: FrontEndApi over Cap'n Proto, trying each listed
// front-end in turn and repeating a request that could not be carried out (DESIGN.md §6).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <kj/async-io.h>

#include "client/front-end-api.h"
#include "schema/config/cluster-config.h"
#include "schema/rpc/rpc-link.h"

namespace jh::client {

struct RetryPolicy {
  uint32_t callTimeoutMs = 5000;     // one attempt, dialling included
  uint32_t connectTimeoutMs = 2000;  // dialling alone
  uint32_t attempts = 4;             // in all, over every front-end: bounds the whole request
  uint32_t backoffMs = 250;          // pause before each new round of the list, times the round
};

class FrontEndClient final : public FrontEndApi {
 public:
  // `frontends` must not be empty. Nothing is dialled until the first request.
  FrontEndClient(kj::Network& network, kj::Timer& timer, std::vector<NodeConfig> frontends,
                 RetryPolicy policy = {});

  kj::Promise<Reply<std::string>> motd() override;
  kj::Promise<Reply<std::vector<MenuEntry>>> menu() override;
  kj::Promise<Reply<std::vector<OrderRecord>>> orders(std::string userCode) override;
  kj::Promise<Reply<OrderRecord>> placeOrder(OrderRequest request) override;
  kj::Promise<Reply<PostcodeInfo>> validatePostcode(std::string postCode) override;
  kj::Promise<ClusterStatus> status() override;
  kj::Promise<void> setHeartbeat(uint32_t ms) override;
  kj::Promise<std::vector<TimelineEvent>> events(uint64_t after) override;
  std::optional<Reconnection> takeReconnection() override;

  // Requests sent on the wire, retries included (for tests and diagnostics).
  uint64_t attemptsMade() const { return attemptsMade_; }

 private:
  // Sends `request` to front-ends in turn, from the one that last answered, until one carries it
  // out; a DISCONNECTED or timed-out attempt drops that link and moves on. After
  // `policy_.attempts` failures the promise fails with the type of the last failure and a
  // description naming the last front-end tried. Any other failure is passed on at once.
  template <typename T, typename Request>
  kj::Promise<T> withFailover(Request request);
  template <typename T, typename Request>
  kj::Promise<T> attempt(Request request, size_t start, uint32_t n);
  // Front-end `index` carried out a request.
  void served(size_t index);
  // The user's orders from `cursor` on, after `before` (the pages already fetched).
  kj::Promise<Reply<std::vector<OrderRecord>>> ordersFrom(std::string userCode, std::string cursor,
                                                          std::vector<OrderRecord> before);

  kj::Timer& timer_;
  std::vector<NodeConfig> frontends_;
  std::vector<kj::Own<RpcLink>> links_;
  RetryPolicy policy_;
  size_t current_ = 0;  // the front-end that answered last
  // The connection that served the last request: its front-end and that link's dial count.
  std::optional<std::pair<size_t, uint64_t>> lastServedBy_;
  std::optional<Reconnection> reconnection_;
  uint64_t attemptsMade_ = 0;
};

}  // namespace jh::client
