// The front-end's work behind both doors.
#include "frontend/order-desk.h"

#include <algorithm>

#include <fmt/format.h>

#include "schema/answers/reply-wire.h"
#include "schema/runtime/daemon.h"
#include "schema/runtime/log.h"
#include "schema/orders/postcode-format.h"

namespace jh {

namespace {

using C = rpc::RejectCode;
using Placed = Reply<OrderRecord>;

std::string notAPostcode(const PostcodeVerdict& verdict) {
  return fmt::format("That is not a UK postcode (for example SW1A 1AA): {}.", verdict.problem);
}

std::string upperTrimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

OrdersPage::OrdersPage(capnp::Response<rpc::Replica::GetOrdersResults>&& reply)
    : reply_(kj::mv(reply)) {
  KJ_IF_MAYBE (r, reply_) { result_ = r->getResult(); }
}

OrdersPage::OrdersPage(const Rejection& rejection)
    : built_(kj::heap<capnp::MallocMessageBuilder>(64)) {
  auto root = built_->initRoot<rpc::OrdersResult>();
  toWire(rejection, root.initRejected());
  result_ = root.asReader();
}

capnp::MessageSize OrdersPage::size() const {
  KJ_IF_MAYBE (r, reply_) { return r->totalSize(); }
  return result_.totalSize();
}

OrderDesk::OrderDesk(const ClusterConfig& config, std::string name, ReplicaRouter& router,
                     PostcodeService& postcodes, kj::Timer& timer, FrontEndShared& shared,
                     size_t loop)
    : config_(config), name_(std::move(name)), router_(router), postcodes_(postcodes),
      timer_(timer), shared_(shared), loop_(loop), batcher_(router, config.minAcks, shared.tally()),
      catalogueAt_(timer.now()) {
  shared_.join(loop_, *this);
}

OrderDesk::~OrderDesk() { shared_.leave(loop_); }

std::shared_ptr<const Catalogue> OrderDesk::freshCatalogue() const {
  if (catalogue_ && timer_.now() - catalogueAt_ < CATALOGUE_TTL) return catalogue_;
  return nullptr;
}

kj::Promise<Reply<std::shared_ptr<const Catalogue>>> OrderDesk::catalogue() {
  return track("catalogue", {}, loadCatalogue());
}

kj::Promise<Reply<std::shared_ptr<const Catalogue>>> OrderDesk::loadCatalogue() {
  using Answer = Reply<std::shared_ptr<const Catalogue>>;
  if (auto fresh = freshCatalogue()) return Answer(std::move(fresh));
  return catalogueFetch_
      .join([this]() {
        auto fetched = std::make_shared<Catalogue>();
        auto fetch = router_.serve([fetched](rpc::Replica::Client replica) {
          auto menu = replica.getMenuRequest().send();
          auto motd = replica.getMotdRequest().send();
          return menu.then([fetched, motd = kj::mv(motd)](auto menuReply) mutable {
            fetched->items.clear();
            fetched->keys.clear();
            for (auto i : menuReply.getItems()) {
              fetched->items.push_back({i.getItem(), i.getPricePence()});
              fetched->keys.push_back(upperTrimmed(i.getItem().cStr()));
            }
            return motd.then([fetched](auto motdReply) {
              fetched->motd = motdReply.getMotd();
              return ReplicaRouter::Served::YES;
            });
          });
        });
        return fetch.then([this, fetched](std::optional<Rejection> no) {
          if (!no) {
            catalogue_ = fetched;
            catalogueAt_ = timer_.now();
          }
          return no;
        });
      })
      .then([this](std::optional<Rejection> no) -> Answer {
        // A stale copy is better than none when no replica answers.
        if (catalogue_) return catalogue_;
        KJ_ASSERT(no.has_value(), "a fetch that served the menu stored it");
        return *no;
      });
}

kj::Promise<OrdersPage> OrderDesk::orders(std::string userCode, uint32_t limit,
                                          std::string cursor) {
  if (auto bad = checkUserCode(userCode)) return OrdersPage(Rejection{C::INVALID_USER_CODE, *bad});
  auto page = kj::heap<kj::Maybe<OrdersPage>>();
  auto& ref = *page;
  uint32_t minAcks = config_.minAcks;
  std::string detail = userCode;
  auto routed = router_.serve([&ref, userCode = std::move(userCode), cursor = std::move(cursor),
                               limit, minAcks](rpc::Replica::Client replica) {
    auto req = replica.getOrdersRequest();
    req.setUserCode(userCode);
    req.setCursor(cursor);
    req.setLimit(limit);
    req.setMinAcks(minAcks);
    return req.send().then([&ref](capnp::Response<rpc::Replica::GetOrdersResults> reply) {
      auto result = reply.getResult();
      if (result.isRejected() && result.getRejected().getCode() == C::NOT_READY) {
        return ReplicaRouter::Served::NOT_READY;
      }
      ref = OrdersPage(kj::mv(reply));
      return ReplicaRouter::Served::YES;
    });
  });
  return track("getOrders", std::move(detail),
               routed
                   .then([&ref](std::optional<Rejection> no) -> OrdersPage {
                     if (no) return OrdersPage(*no);
                     return kj::mv(KJ_ASSERT_NONNULL(ref));
                   })
                   .attach(kj::mv(page)));
}

kj::Promise<Reply<OrderRecord>> OrderDesk::placeOrder(OrderRequest request) {
  OrderRecord order;
  order.orderId = std::move(request.orderId);
  order.userCode = std::move(request.userCode);
  if (auto bad = checkOrderId(order.orderId)) return Placed(Rejection{C::INVALID_ORDER, *bad});
  if (auto bad = checkUserCode(order.userCode))
    return Placed(Rejection{C::INVALID_USER_CODE, *bad});
  if (request.item.size() > MAX_ITEM)
    return Placed(Rejection{C::UNKNOWN_ITEM, "That item is not on the menu."});
  PostcodeVerdict verdict = judgePostcode(request.postCode);
  if (!verdict.normalised) return Placed(Rejection{C::INVALID_POSTCODE, notAPostcode(verdict)});
  const std::string& normalised = *verdict.normalised;

  std::string detail = order.orderId + " " + order.userCode;
  // With the menu fresh, the order is priced in this turn (and with the postcode's answer cached,
  // handed to the batcher too), without a continuation per step.
  if (auto cat = freshCatalogue()) {
    if (auto no = priceFromMenu(*cat, request.item, order)) return Placed(std::move(*no));
    return track("placeOrder", std::move(detail), locateAndPlace(std::move(order), normalised));
  }
  return track(
      "placeOrder", std::move(detail),
      loadCatalogue().then(
          [this, item = std::move(request.item), order = std::move(order), postcode = normalised](
              Reply<std::shared_ptr<const Catalogue>> c) mutable -> kj::Promise<Placed> {
            if (auto* no = std::get_if<Rejection>(&c)) return Placed(std::move(*no));
            auto& cat = *std::get<std::shared_ptr<const Catalogue>>(c);
            if (auto no = priceFromMenu(cat, item, order)) return Placed(std::move(*no));
            return locateAndPlace(std::move(order), postcode);
          }));
}

kj::Promise<Reply<OrderRecord>> OrderDesk::locateAndPlace(OrderRecord&& order,
                                                          const std::string& postCode) {
  if (auto answer = postcodes_.cached(postCode))
    return placeAt(std::move(order), std::move(*answer));
  return postcodes_.lookup(postCode).then(
      [this, order = std::move(order)](PostcodeAnswer answer) mutable {
        return placeAt(std::move(order), std::move(answer));
      });
}

std::optional<Rejection> OrderDesk::priceFromMenu(const Catalogue& cat, const std::string& item,
                                                  OrderRecord& order) const {
  std::string wanted = upperTrimmed(item);
  auto it = std::find(cat.keys.begin(), cat.keys.end(), wanted);
  if (it == cat.keys.end())
    return Rejection{C::UNKNOWN_ITEM, fmt::format("\"{}\" is not on the menu.", item)};
  const MenuEntry& entry = cat.items[static_cast<size_t>(it - cat.keys.begin())];
  order.item = entry.item;
  order.pricePence = entry.pricePence;
  return std::nullopt;
}

Reply<PostcodeInfo> OrderDesk::located(PostcodeAnswer answer) const {
  switch (answer.kind) {
    case PostcodeAnswer::Kind::INVALID:
      return Rejection{C::INVALID_POSTCODE, std::move(answer.message)};
    case PostcodeAnswer::Kind::NOT_FOUND:
      return Rejection{C::POSTCODE_NOT_FOUND, std::move(answer.message)};
    case PostcodeAnswer::Kind::UNREACHABLE:
      if (config_.postcodes.whenUnreachable == WhenUnreachable::REJECT)
        return Rejection{C::UNAVAILABLE, std::move(answer.message)};
      return PostcodeInfo{std::move(answer.postCode), std::string(AREA_UNVERIFIED), false};
    case PostcodeAnswer::Kind::FOUND:
      return PostcodeInfo{std::move(answer.postCode), std::move(answer.area), true};
  }
  KJ_UNREACHABLE;
}

kj::Promise<Reply<OrderRecord>> OrderDesk::placeAt(OrderRecord&& order, PostcodeAnswer answer) {
  Reply<PostcodeInfo> where = located(std::move(answer));
  if (auto* no = std::get_if<Rejection>(&where)) {
    if (no->code == C::UNAVAILABLE) {  // the person asked for an order, not only a check
      no->message =
          "The postcode could not be checked because postcodes.io is unreachable, so the order "
          "was not placed.";
    }
    return Placed(std::move(*no));
  }
  auto& info = std::get<PostcodeInfo>(where);
  order.postCode = std::move(info.postCode);
  order.area = std::move(info.area);
  order.timeStamp = utcTimestampNow();
  order.status = STATUS_CONFIRMED;
  return batcher_.place(std::move(order));
}

kj::Promise<Reply<PostcodeInfo>> OrderDesk::validatePostcode(std::string_view input) {
  PostcodeVerdict verdict = judgePostcode(input);
  if (!verdict.normalised)
    return Reply<PostcodeInfo>(Rejection{C::INVALID_POSTCODE, notAPostcode(verdict)});
  // From here on only the normalised form: what a person typed may hold line breaks and any
  // Unicode white space, which have no place in a log line or a URL.
  std::string postcode = std::move(*verdict.normalised);
  return track("validatePostcode", postcode,
               postcodes_.lookup(postcode).then(
                   [this](PostcodeAnswer answer) { return located(std::move(answer)); }));
}

kj::Promise<ClusterStatus> OrderDesk::status() { return shared_.status(); }

kj::Promise<std::vector<ClusterEvent>> OrderDesk::events(uint64_t after) {
  return shared_.events(after);
}

kj::Promise<void> OrderDesk::setHeartbeat(uint32_t ms) {
  KJ_REQUIRE(ms >= 10 && ms <= 60000, "heartbeat must be between 10 ms and 60 s", ms);
  return shared_.setHeartbeat(ms);
}

ClusterStatus OrderDesk::localStatus() const {
  ClusterStatus s;
  s.frontend = name_;
  s.primary = router_.primaryName();
  s.heartbeatMs = router_.heartbeatMs();
  s.replicas = router_.table();
  auto stats = postcodes_.stats();
  for (auto& u : stats.urls)
    s.postcodeServices.push_back({u.url, u.state, u.retryInMs, u.requests, u.failures});
  s.cacheHits = stats.cacheHits;
  s.cacheMisses = stats.cacheMisses;
  s.whenUnreachable =
      config_.postcodes.whenUnreachable == WhenUnreachable::ACCEPT ? "accept" : "reject";
  s.ordersPlaced = batcher_.placed();
  s.ordersFailed = batcher_.failed();
  s.lastEvent = router_.events().lastId();
  return s;
}

std::vector<ClusterEvent> OrderDesk::localEvents(uint64_t after) const {
  return router_.events().since(after);
}

void OrderDesk::setLocalHeartbeat(uint32_t ms) { router_.setHeartbeat(ms); }

template <typename T>
kj::Promise<T> OrderDesk::track(const char* what, std::string detail, kj::Promise<T> call) {
  uint64_t n = ++requests_;
  ++inFlight_;
  JH_DEBUG("request {} ({} {}) begun", n, what, detail);
  auto began = timer_.now();
  return call.attach(kj::defer([this, n, what, began]() {
    --inFlight_;
    JH_DEBUG("request {} ({}) answered in {} µs", n, what,
             (timer_.now() - began) / kj::MICROSECONDS);
  }));
}

kj::Promise<void> OrderDesk::drain(kj::Duration bound) {
  return drainUntil(
      timer_, [this]() { return inFlight_ == 0; }, bound);
}

}  // namespace jh
