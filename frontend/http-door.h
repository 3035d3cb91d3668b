// The front-end's HTTP door (DESIGN.md §6): the JSON API and the web page, served with KJ's HTTP
// server on the event loop it is made on. A translator like the RPC door: requests are read at
// the edge (http-request.h), the work is the order desk's, and its answers become status codes
// and JSON here. One per event loop.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <kj/compat/http.h>
#include <kj/timer.h>

#include "frontend/http-request.h"
#include "frontend/order-desk.h"
#include "frontend/rate-limiter.h"
#include "schema/config/cluster-config.h"

namespace jh {

// What one reply carries, before it is sent.
struct HttpReply {
  unsigned status = 200;
  std::string contentType = "application/json; charset=utf-8";
  std::string body;
  uint32_t retryAfterS = 0;  // > 0: sent as Retry-After
  std::string allow;         // 405: sent as Allow
  bool page = false;         // a file of the page: sent with its Content-Security-Policy
  bool close = false;        // the request said Connection: close: the connection ends after it
};

// A desk's rejection as HTTP refuses it, under the schema's code and with its sentence: 400
// INVALID_ORDER (a bad Idempotency-Key), 404 POSTCODE_NOT_FOUND, 409 CONFLICTING_ORDER_ID, 422
// for the other refusals of what was asked, 503 UNAVAILABLE and NOT_READY.
HttpRefusal refusalOf(const Rejection& rejection);
// The reply that carries a refusal: {"rejected": {"code", "message"}}, with Allow for a 405 and
// Retry-After for a 503.
HttpReply refusalReply(const HttpRefusal& refusal);

// The web page's files (index.html, app.css, app.js, favicon.svg), read once per front-end and
// served by the door of every event loop.
class WebPage {
 public:
  struct File {
    std::string contentType;
    std::string bytes;
  };
  // Reads the files in `dir` now. Without index.html there is no page (a warning says so) and the
  // doors serve the API alone.
  explicit WebPage(const std::string& dir);

  const File* find(std::string_view name) const;
  bool exists() const { return !files_.empty(); }

 private:
  std::map<std::string, File, std::less<>> files_;
};

class HttpDoor final : private kj::HttpServerErrorHandler, private kj::HttpServerCallbacks {
 public:
  // Serves `page` (which may not exist: then the API alone) and answers requests through `desk`,
  // limited by `limiter` (the page and the limiter are shared by the doors of every event loop).
  HttpDoor(OrderDesk& desk, const HttpConfig& config, const WebPage& page, kj::Timer& timer,
           RateLimiter& limiter);
  ~HttpDoor();

  // Accepts connections until the promise is dropped; each is served until it closes, idles past
  // idle_timeout_ms, or takes longer than header_timeout_ms to send a request's head.
  kj::Promise<void> listen(kj::ConnectionReceiver& listener);
  // Finishes the requests under way and closes every connection (SIGTERM).
  kj::Promise<void> drain();

  bool hasPage() const { return page_.exists(); }

 private:
  class Connection;

  kj::Promise<void> request(const std::string& client, kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& body,
                            kj::HttpService::Response& response);
  kj::Promise<HttpReply> answer(HttpCall call);
  kj::Promise<void> send(kj::HttpService::Response& response, HttpReply reply);

  kj::Promise<void> handleClientProtocolError(kj::HttpHeaders::ProtocolError protocolError,
                                              kj::HttpService::Response& response) override;
  kj::Promise<void> handleApplicationError(kj::Exception exception,
                                           kj::Maybe<kj::HttpService::Response&> response) override;
  kj::Promise<void> handleNoResponse(kj::HttpService::Response& response) override;
  // Asked by the server as each reply begins: whether to end the connection after it.
  bool shouldClose() override { return closeThisReply_; }

  OrderDesk& desk_;
  kj::Timer& timer_;
  RateLimiter& limiter_;
  const WebPage& page_;
  kj::Own<kj::HttpHeaderTable> headerTable_;
  kj::HttpHeaderId idempotencyKey_, origin_, retryAfter_, allow_, cacheControl_,
      contentSecurityPolicy_, noSniff_, referrerPolicy_;
  kj::Own<kj::HttpServer> server_;
  bool closeThisReply_ = false;  // set only while send() begins a reply
};

}  // namespace jh
