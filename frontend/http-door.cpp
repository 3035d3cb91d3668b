// HTTP requests to the desk's calls, its answers to replies.
#include "frontend/http-door.h"

#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <kj/debug.h>

#include "schema/answers/json-output.h"
#include "schema/answers/reply-wire.h"
#include "schema/runtime/log.h"

namespace jh {

namespace {

using C = rpc::RejectCode;

// The page may load its own files and call its own API, and nothing else: no inline script, no
// other site, no framing.
constexpr const char* PAGE_POLICY =
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src "
    "'none'";
constexpr const char* API_POLICY = "default-src 'none'; frame-ancestors 'none'";

const char* reasonPhrase(unsigned status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

const char* contentTypeOf(const std::string& file) {
  auto ends = [&](std::string_view suffix) {
    return file.size() >= suffix.size() &&
           file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

HttpReply json(unsigned status, std::string body) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::optional<std::string_view> header(const kj::HttpHeaders& headers, kj::HttpHeaderId id) {
  KJ_IF_MAYBE (v, headers.get(id)) { return std::string_view(v->cStr(), v->size()); }
  return std::nullopt;
}

// The request's head, copied: `url` and `headers` are gone once the body is read.
struct OwnedHead {
  std::string method, target;
  std::optional<std::string> host, origin, contentType, idempotencyKey;
  std::optional<uint64_t> contentLength;
  bool close = false;  // Connection: close

  HttpRequestHead view() const {
    auto v = [](const std::optional<std::string>& s) -> std::optional<std::string_view> {
      if (s) return std::string_view(*s);
      return std::nullopt;
    };
    return {method, target, v(host), v(origin), v(contentType), v(idempotencyKey), contentLength};
  }
};

// Whether a Connection header's options include "close". KJ's server does not look: it answers
// every request as kept alive unless told to say Connection: close (shouldClose()), and even then
// leaves the closing to the client (or to the idle timeout).
bool saysClose(std::optional<std::string_view> connection) {
  if (!connection) return false;
  std::string lower(*connection);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t at = 0; at < lower.size();) {
    size_t end = std::min(lower.find(',', at), lower.size());
    std::string_view option(lower.data() + at, end - at);
    while (!option.empty() && (option.front() == ' ' || option.front() == '\t'))
      option.remove_prefix(1);
    while (!option.empty() && (option.back() == ' ' || option.back() == '\t'))
      option.remove_suffix(1);
    if (option == "close") return true;
    at = end + 1;
  }
  return false;
}

std::optional<std::string> copied(std::optional<std::string_view> s) {
  if (s) return std::string(*s);
  return std::nullopt;
}

// Reads the body into `out`, at most `limit` + 1 bytes (one more says it was too long).
kj::Promise<void> readBody(kj::AsyncInputStream& in, std::string& out, size_t limit) {
  size_t had = out.size();
  out.resize(limit + 1);
  auto read = in.tryRead(out.data() + had, 1, limit + 1 - had);
  return read.then([&in, &out, had, limit](size_t n) -> kj::Promise<void> {
    out.resize(had + n);
    if (n == 0 || out.size() > limit) return kj::READY_NOW;
    return readBody(in, out, limit);
  });
}

}  // namespace

HttpRefusal refusalOf(const Rejection& rejection) {
  unsigned status = 422;
  switch (rejection.code) {
    case C::INVALID_ORDER: status = 400; break;
    case C::POSTCODE_NOT_FOUND: status = 404; break;
    case C::CONFLICTING_ORDER_ID: status = 409; break;
    case C::UNAVAILABLE:
    case C::NOT_READY: status = 503; break;
    case C::INVALID_USER_CODE:
    case C::UNKNOWN_ITEM:
    case C::INVALID_POSTCODE:
    case C::TOO_MANY_ORDERS: status = 422; break;
  }
  return HttpRefusal{status, rejectCodeName(rejection.code), rejection.message, {}};
}

HttpReply refusalReply(const HttpRefusal& refusal) {
  HttpReply r = json(refusal.status, rejectionJson(refusal.code, refusal.message));
  r.allow = refusal.allow;
  if (refusal.status == 503) r.retryAfterS = 1;
  return r;
}

// One per connection: knows the address the connection came from, for the rate limit.
class HttpDoor::Connection final : public kj::HttpService {
 public:
  Connection(HttpDoor& door, std::string client) : door_(door), client_(std::move(client)) {}

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& body,
                            Response& response) override {
    return door_.request(client_, method, url, headers, body, response);
  }

 private:
  HttpDoor& door_;
  std::string client_;
};

WebPage::WebPage(const std::string& dir) {
  namespace fs = std::filesystem;
  for (const char* name : {"index.html", "app.css", "app.js", "favicon.svg"}) {
    std::ifstream in(fs::path(dir) / name, std::ios::binary);
    if (!in) continue;
    std::ostringstream bytes;
    bytes << in.rdbuf();
    files_[name] = File{contentTypeOf(name), bytes.str()};
  }
  if (files_.find("index.html") == files_.end()) {
    JH_WARN("no web page in {} (index.html is missing): serving the API alone", dir);
    files_.clear();
  }
}

const WebPage::File* WebPage::find(std::string_view name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

HttpDoor::HttpDoor(OrderDesk& desk, const HttpConfig& config, const WebPage& page, kj::Timer& timer,
                   RateLimiter& limiter)
    : desk_(desk), timer_(timer), limiter_(limiter), page_(page) {
  kj::HttpHeaderTable::Builder builder;
  idempotencyKey_ = builder.add("Idempotency-Key");
  origin_ = builder.add("Origin");
  retryAfter_ = builder.add("Retry-After");
  allow_ = builder.add("Allow");
  cacheControl_ = builder.add("Cache-Control");
  contentSecurityPolicy_ = builder.add("Content-Security-Policy");
  noSniff_ = builder.add("X-Content-Type-Options");
  referrerPolicy_ = builder.add("Referrer-Policy");
  headerTable_ = builder.build();

  kj::HttpServerSettings settings;
  settings.headerTimeout = config.headerTimeoutMs * kj::MILLISECONDS;
  settings.pipelineTimeout = config.idleTimeoutMs * kj::MILLISECONDS;
  settings.errorHandler = *this;
  settings.callbacks = *this;
  server_ = kj::heap<kj::HttpServer>(
      timer, *headerTable_,
      [this](kj::AsyncIoStream& connection) -> kj::Own<kj::HttpService> {
        std::string client;
        sockaddr_storage address{};
        uint length = sizeof address;
        try {
          connection.getpeername(reinterpret_cast<sockaddr*>(&address), &length);
          client = rateLimitKey(reinterpret_cast<sockaddr*>(&address), length);
        } catch (const kj::Exception&) {
          // Not a socket (a pipe in tests): every such connection shares the "" bucket.
        }
        return kj::heap<Connection>(*this, std::move(client));
      },
      settings);
}

HttpDoor::~HttpDoor() {}

kj::Promise<void> HttpDoor::listen(kj::ConnectionReceiver& listener) {
  return server_->listenHttp(listener);
}

kj::Promise<void> HttpDoor::drain() { return server_->drain(); }

kj::Promise<void> HttpDoor::request(const std::string& client, kj::HttpMethod method,
                                    kj::StringPtr url, const kj::HttpHeaders& headers,
                                    kj::AsyncInputStream& body,
                                    kj::HttpService::Response& response) {
  auto head = kj::heap<OwnedHead>();
  head->method = kj::str(method).cStr();
  head->target = std::string(url.cStr(), url.size());
  head->host = copied(header(headers, kj::HttpHeaderId::HOST));
  head->origin = copied(header(headers, origin_));
  head->contentType = copied(header(headers, kj::HttpHeaderId::CONTENT_TYPE));
  head->idempotencyKey = copied(header(headers, idempotencyKey_));
  head->close = saysClose(header(headers, kj::HttpHeaderId::CONNECTION));
  if (auto length = header(headers, kj::HttpHeaderId::CONTENT_LENGTH)) {
    head->contentLength = std::strtoull(std::string(*length).c_str(), nullptr, 10);
  }
  auto began = timer_.now();
  auto logged = [this, began, client, method = head->method,
                 target = head->target](unsigned status) {
    JH_DEBUG("http {} {} from {}: {} in {} us", method, target.substr(0, 200),
             client.empty() ? "-" : client, status, (timer_.now() - began) / kj::MICROSECONDS);
  };
  auto reply = [this, &response, logged, close = head->close](HttpReply r) {
    logged(r.status);
    r.close = close;
    return send(response, std::move(r));
  };

  auto matched = matchRoute(head->method, head->target);
  if (auto* no = std::get_if<HttpRefusal>(&matched)) return reply(refusalReply(*no));
  RouteMatch match = std::get<RouteMatch>(matched);
  // Before any work: the limit is what makes guessing user codes and postcodes slow.
  if (isRateLimited(match)) {
    int64_t nowMs = (timer_.now() - kj::origin<kj::TimePoint>()) / kj::MILLISECONDS;
    if (uint32_t wait = limiter_.take(client, nowMs)) {
      HttpReply r = refusalReply(
          {429,
           "TOO_MANY_REQUESTS",
           fmt::format("Too many requests from your address; try again in {} s.", wait),
           {}});
      r.retryAfterS = wait;
      return reply(std::move(r));
    }
  }
  if (auto no = checkHead(match, head->view())) return reply(refusalReply(*no));
  if (!match.post) {
    auto call = readCall(match, head->view(), {});
    if (auto* no = std::get_if<HttpRefusal>(&call)) return reply(refusalReply(*no));
    return answer(std::move(std::get<HttpCall>(call))).then(kj::mv(reply));
  }
  auto text = kj::heap<std::string>();
  auto& ref = *text;
  return readBody(body, ref, MAX_HTTP_BODY)
      .then([this, &ref, head = kj::mv(head), reply]() mutable -> kj::Promise<void> {
        auto call = interpretRequest(head->view(), ref);
        if (auto* no = std::get_if<HttpRefusal>(&call)) return reply(refusalReply(*no));
        return answer(std::move(std::get<HttpCall>(call))).then(kj::mv(reply));
      })
      .attach(kj::mv(text));
}

kj::Promise<HttpReply> HttpDoor::answer(HttpCall call) {
  using CataloguePtr = std::shared_ptr<const Catalogue>;
  if (auto* page = std::get_if<PageCall>(&call)) {
    const WebPage::File* file = page_.find(page->file);
    if (file == nullptr) {
      return refusalReply(
          {404, "NOT_FOUND", "The web page is not installed on this front-end.", {}});
    }
    HttpReply r;
    r.contentType = file->contentType;
    r.body = file->bytes;
    r.page = true;
    return r;
  }
  if (std::holds_alternative<MotdCall>(call) || std::holds_alternative<MenuCall>(call)) {
    bool motd = std::holds_alternative<MotdCall>(call);
    return desk_.catalogue().then([motd](Reply<CataloguePtr> c) {
      if (auto* no = std::get_if<Rejection>(&c)) return refusalReply(refusalOf(*no));
      auto& cat = *std::get<CataloguePtr>(c);
      return json(200, motd ? motdJson(cat.motd) : menuJson(cat.items));
    });
  }
  if (auto* orders = std::get_if<OrdersCall>(&call)) {
    return desk_.orders(std::move(orders->userCode), orders->limit, std::move(orders->cursor))
        .then([](OrdersPage page) {
          auto result = page.result();
          if (result.isRejected()) return refusalReply(refusalOf(fromWire(result.getRejected())));
          return json(200, ordersPageJson(result));
        });
  }
  if (auto* place = std::get_if<PlaceCall>(&call)) {
    return desk_.placeOrder(std::move(place->request)).then([](Reply<OrderRecord> answer) {
      if (auto* no = std::get_if<Rejection>(&answer)) return refusalReply(refusalOf(*no));
      // A repeat of the key answers the same: the order as stored the first time, 201 again.
      return json(201, orderJson(std::get<OrderRecord>(answer)));
    });
  }
  if (auto* postcode = std::get_if<PostcodeCall>(&call)) {
    return desk_.validatePostcode(postcode->postCode).then([](Reply<PostcodeInfo> answer) {
      if (auto* no = std::get_if<Rejection>(&answer)) return refusalReply(refusalOf(*no));
      return json(200, postcodeJson(std::get<PostcodeInfo>(answer)));
    });
  }
  if (std::holds_alternative<StatusCall>(call)) {
    return desk_.status().then([](ClusterStatus status) { return json(200, statusJson(status)); });
  }
  if (auto* events = std::get_if<EventsCall>(&call)) {
    return desk_.events(events->after).then([](std::vector<ClusterEvent> list) {
      return json(200, eventsJson(list));
    });
  }
  KJ_UNREACHABLE;
}

kj::Promise<void> HttpDoor::send(kj::HttpService::Response& response, HttpReply reply) {
  kj::HttpHeaders headers(*headerTable_);
  headers.set(kj::HttpHeaderId::CONTENT_TYPE, kj::StringPtr(reply.contentType.c_str()));
  headers.set(noSniff_, "nosniff");
  headers.set(referrerPolicy_, "no-referrer");
  headers.set(cacheControl_, reply.page ? "no-cache" : "no-store");
  headers.set(contentSecurityPolicy_, reply.page ? PAGE_POLICY : API_POLICY);
  kj::String retryAfter = kj::str(reply.retryAfterS);
  if (reply.retryAfterS > 0) headers.set(retryAfter_, retryAfter);
  if (!reply.allow.empty()) headers.set(allow_, kj::StringPtr(reply.allow.c_str()));
  closeThisReply_ = reply.close;
  auto stream =
      response.send(reply.status, reasonPhrase(reply.status), headers, uint64_t(reply.body.size()));
  closeThisReply_ = false;
  if (reply.body.empty()) return kj::READY_NOW;
  auto body = kj::heap<std::string>(std::move(reply.body));
  auto written = stream->write(body->data(), body->size());
  return written.attach(kj::mv(stream), kj::mv(body));
}

kj::Promise<void> HttpDoor::handleClientProtocolError(kj::HttpHeaders::ProtocolError protocolError,
                                                      kj::HttpService::Response& response) {
  HttpRefusal refusal{protocolError.statusCode,
                      "INVALID_REQUEST",
                      fmt::format("This is not an HTTP request the service can read: {}.",
                                  protocolError.description.cStr()),
                      {}};
  return send(response, refusalReply(refusal));
}

kj::Promise<void> HttpDoor::handleApplicationError(kj::Exception exception,
                                                   kj::Maybe<kj::HttpService::Response&> response) {
  if (exception.getType() == kj::Exception::Type::DISCONNECTED)
    return kj::READY_NOW;  // the client left
  JH_ERROR("http request failed: {}", exception.getDescription().cStr());
  KJ_IF_MAYBE (r, response) {
    return send(
        *r,
        refusalReply(
            {500, "INTERNAL_ERROR", "Something went wrong in the service; please try again.", {}}));
  }
  return kj::READY_NOW;
}

kj::Promise<void> HttpDoor::handleNoResponse(kj::HttpService::Response& response) {
  return send(
      response,
      refusalReply({500, "INTERNAL_ERROR", "The service gave no answer; please try again.", {}}));
}

}  // namespace jh
