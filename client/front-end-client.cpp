// FrontEndApi over Cap'n Proto with fail-over between front-ends; also where wire results become
// plain values.
#include "client/front-end-client.h"

#include <utility>

#include <fmt/format.h>
#include <kj/debug.h>

#include "schema/answers/reply-wire.h"

namespace jh::client {

namespace {

std::string str(capnp::Text::Reader t) { return std::string(t.begin(), t.size()); }
capnp::Text::Reader text(const std::string& s) { return capnp::Text::Reader(s.data(), s.size()); }

using jh::fromWire;  // refusals, orders and answers to an order (schema/answers/reply-wire.h)

// One page of orders, and the cursor of the next ("" on the last).
using OrdersPage = std::pair<std::vector<OrderRecord>, std::string>;

Reply<OrdersPage> fromWire(rpc::OrdersResult::Reader r) {
  if (r.isRejected()) return fromWire(r.getRejected());
  OrdersPage page;
  for (auto o : r.getOrders()) page.first.push_back(jh::fromWire(o));
  page.second = str(r.getNextCursor());
  return page;
}

Reply<PostcodeInfo> fromWire(rpc::PostcodeCheck::Reader r) {
  if (r.isRejected()) return fromWire(r.getRejected());
  auto valid = r.getValid();
  return PostcodeInfo{str(valid.getPostCode()), str(valid.getArea()), valid.getVerified()};
}

ClusterStatus fromWire(rpc::ClusterStatus::Reader r) {
  ClusterStatus out;
  out.frontend = str(r.getFrontend());
  out.primary = str(r.getPrimary());
  for (auto x : r.getReplicas()) {
    out.replicas.push_back(ReplicaRow{str(x.getName()), str(x.getAddress()), str(x.getState()),
                                      str(x.getRole()), x.getLastSeenMsAgo(), x.getLag(),
                                      x.getOrderCount(), x.getContentDiffers(), x.getRowCount(),
                                      x.getDiverged(), x.getFetched()});
  }
  out.heartbeatMs = r.getHeartbeatMs();
  for (auto x : r.getPostcodeServices()) {
    out.postcodeServices.push_back(PostcodeServiceRow{
        str(x.getUrl()), str(x.getState()), x.getRetryInMs(), x.getRequests(), x.getFailures()});
  }
  out.cacheHits = r.getCacheHits();
  out.cacheMisses = r.getCacheMisses();
  out.whenUnreachable = str(r.getWhenUnreachable());
  out.ordersPlaced = r.getOrdersPlaced();
  out.ordersFailed = r.getOrdersFailed();
  out.lastEvent = r.getLastEvent();
  return out;
}

std::string failureReason(const kj::Exception& e) {
  return e.getType() == kj::Exception::Type::OVERLOADED ? "did not answer in time"
                                                        : "could not be reached";
}

}  // namespace

FrontEndClient::FrontEndClient(kj::Network& network, kj::Timer& timer,
                               std::vector<NodeConfig> frontends, RetryPolicy policy)
    : timer_(timer), frontends_(std::move(frontends)), policy_(policy) {
  KJ_REQUIRE(!frontends_.empty(), "no front-end to talk to");
  KJ_REQUIRE(policy_.attempts > 0);
  for (auto& f : frontends_) {
    links_.push_back(kj::heap<RpcLink>(network, timer, f.address, policy_.connectTimeoutMs));
  }
}

template <typename T, typename Request>
kj::Promise<T> FrontEndClient::withFailover(Request request) {
  // The timer's clock moves only while the event loop runs. After the interactive client has sat
  // at a prompt for longer than the call timeout, a deadline set from it would have passed before
  // the call went out: the zero delay lets the loop read the clock first.
  return timer_.afterDelay(0 * kj::MILLISECONDS).then([this, request = kj::mv(request)]() mutable {
    return attempt<T>(kj::mv(request), current_, 0);
  });
}

template <typename T, typename Request>
kj::Promise<T> FrontEndClient::attempt(Request request, size_t start, uint32_t n) {
  size_t index = (start + n) % links_.size();
  ++attemptsMade_;
  auto call = links_[index]->get<rpc::FrontEnd>().then(
      [request](rpc::FrontEnd::Client frontEnd) mutable { return request(frontEnd); });
  return timer_.timeoutAfter(policy_.callTimeoutMs * kj::MILLISECONDS, kj::mv(call))
      .then(
          [this, index](T value) -> kj::Promise<T> {
            served(index);
            return kj::mv(value);
          },
          [this, request, start, n, index](kj::Exception&& e) mutable -> kj::Promise<T> {
            if (!isConnectionFailure(e)) return kj::mv(e);
            links_[index]->drop();
            uint32_t next = n + 1;
            if (next >= policy_.attempts) {
              const NodeConfig& f = frontends_[index];
              return kj::Exception(
                  e.getType(), __FILE__, __LINE__,
                  kj::str(fmt::format("no front-end answered after {} attempts ({} at {} {})", next,
                                      f.name, f.address, failureReason(e))
                              .c_str()));
            }
            if (next % links_.size() != 0) return attempt<T>(kj::mv(request), start, next);
            // Every front-end failed once more: give a restarting one a moment.
            uint32_t round = next / links_.size();
            return timer_.afterDelay(policy_.backoffMs * round * kj::MILLISECONDS)
                .then([this, request = kj::mv(request), start, next]() mutable {
                  return attempt<T>(kj::mv(request), start, next);
                });
          });
}

void FrontEndClient::served(size_t index) {
  // Another front-end, or the same one over a connection dialled again, is a reconnection.
  std::pair<size_t, uint64_t> by{index, links_[index]->dials()};
  if (lastServedBy_ && *lastServedBy_ != by) {
    reconnection_ = Reconnection{frontends_[index].name, frontends_[index].address};
  }
  lastServedBy_ = by;
  current_ = index;
}

std::optional<Reconnection> FrontEndClient::takeReconnection() {
  return std::exchange(reconnection_, std::nullopt);
}

kj::Promise<Reply<std::string>> FrontEndClient::motd() {
  return withFailover<Reply<std::string>>([](rpc::FrontEnd::Client& fe) {
    return fe.getMotdRequest().send().then([](auto r) -> Reply<std::string> {
      if (!r.getOk()) return fromWire(r.getRejected());
      return str(r.getMotd());
    });
  });
}

kj::Promise<Reply<std::vector<MenuEntry>>> FrontEndClient::menu() {
  return withFailover<Reply<std::vector<MenuEntry>>>([](rpc::FrontEnd::Client& fe) {
    return fe.getMenuRequest().send().then([](auto r) -> Reply<std::vector<MenuEntry>> {
      if (!r.getOk()) return fromWire(r.getRejected());
      std::vector<MenuEntry> items;
      for (auto i : r.getItems()) items.push_back(MenuEntry{str(i.getItem()), i.getPricePence()});
      return items;
    });
  });
}

kj::Promise<Reply<std::vector<OrderRecord>>> FrontEndClient::orders(std::string userCode) {
  return ordersFrom(std::move(userCode), {}, {});
}

kj::Promise<Reply<std::vector<OrderRecord>>> FrontEndClient::ordersFrom(
    std::string userCode, std::string cursor, std::vector<OrderRecord> before) {
  // Page by page, newest first: no list is too long to fetch.
  return withFailover<Reply<OrdersPage>>([userCode, cursor](rpc::FrontEnd::Client& fe) {
           auto req = fe.getOrdersRequest();
           req.setUserCode(text(userCode));
           req.setCursor(text(cursor));
           req.setLimit(MAX_ORDERS_PAGE);
           return req.send().then([](auto r) { return fromWire(r.getResult()); });
         })
      .then([this, userCode, cursor, before = std::move(before)](
                Reply<OrdersPage> reply) mutable -> kj::Promise<Reply<std::vector<OrderRecord>>> {
        if (auto* rejection = std::get_if<Rejection>(&reply))
          return Reply<std::vector<OrderRecord>>(*rejection);
        auto& [page, next] = std::get<OrdersPage>(reply);
        before.insert(before.end(), std::make_move_iterator(page.begin()),
                      std::make_move_iterator(page.end()));
        if (next.empty() || next == cursor || page.empty())
          return Reply<std::vector<OrderRecord>>(std::move(before));
        return ordersFrom(std::move(userCode), std::move(next), std::move(before));
      });
}

kj::Promise<Reply<OrderRecord>> FrontEndClient::placeOrder(OrderRequest request) {
  // The same request, and so the same order id, goes out on every attempt.
  return withFailover<Reply<OrderRecord>>([o = std::move(request)](rpc::FrontEnd::Client& fe) {
    auto req = fe.placeOrderRequest(placeOrderSize(o.orderId, o.userCode, o.item, o.postCode));
    req.setOrderId(text(o.orderId));
    req.setUserCode(text(o.userCode));
    req.setItem(text(o.item));
    req.setPostCode(text(o.postCode));
    return req.send().then([](auto r) { return fromWire(r.getResult()); });
  });
}

kj::Promise<Reply<PostcodeInfo>> FrontEndClient::validatePostcode(std::string postCode) {
  return withFailover<Reply<PostcodeInfo>>(
      [postCode = std::move(postCode)](rpc::FrontEnd::Client& fe) {
        auto req = fe.validatePostcodeRequest();
        req.setPostCode(text(postCode));
        return req.send().then([](auto r) { return fromWire(r.getResult()); });
      });
}

kj::Promise<ClusterStatus> FrontEndClient::status() {
  return withFailover<ClusterStatus>([](rpc::FrontEnd::Client& fe) {
    return fe.statusRequest().send().then([](auto r) { return fromWire(r.getStatus()); });
  });
}

kj::Promise<void> FrontEndClient::setHeartbeat(uint32_t ms) {
  return withFailover<bool>([ms](rpc::FrontEnd::Client& fe) {
           auto req = fe.setHeartbeatRequest();
           req.setMs(ms);
           return req.send().then([](auto) { return true; });
         })
      .ignoreResult();
}

kj::Promise<std::vector<TimelineEvent>> FrontEndClient::events(uint64_t after) {
  return withFailover<std::vector<TimelineEvent>>([after](rpc::FrontEnd::Client& fe) {
    auto req = fe.eventsRequest();
    req.setAfter(after);
    return req.send().then([](auto r) {
      std::vector<TimelineEvent> out;
      for (auto e : r.getEvents()) {
        out.push_back(TimelineEvent{e.getId(), e.getAtMs(), e.getKind(), str(e.getReplica()),
                                    e.getCount(), str(e.getMessage())});
      }
      return out;
    });
  });
}

}  // namespace jh::client
