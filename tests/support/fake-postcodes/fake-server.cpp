// Every request first reads its body; the mode in force when it arrived decides how it is
// answered. Control requests (/__fake/...) always answer at once.
#include "tests/support/fake-postcodes/fake-server.h"

#include <kj/debug.h>

#include "tests/support/fake-postcodes/postcodes-io.h"

namespace jh::fake {
namespace {

constexpr uint64_t MAX_REQUEST_BODY = 1 << 20;
constexpr std::string_view CONTROL = "/__fake/";
constexpr std::string_view COUNTED = "/postcodes/";

const char* reasonPhrase(unsigned status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    default: return "Unknown";
  }
}

// What a reverse proxy sends when the service behind it is down.
HttpReply proxyErrorPage() {
  return {502, "text/html",
          "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
          "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
          "</body>\r\n</html>\r\n"};
}

HttpReply plainText(unsigned status, std::string text) {
  return {status, "text/plain; charset=utf-8", std::move(text) + "\n"};
}

}  // namespace

FakeServer::FakeServer(const FixtureStore& fixtures, kj::Timer& timer,
                       kj::HttpHeaderTable::Builder& headers, FakeMode mode)
    : fixtures(fixtures), timer(timer), headerTable(headers.getFutureTable()),
      allowOrigin(headers.add("Access-Control-Allow-Origin")),
      allowMethods(headers.add("Access-Control-Allow-Methods")),
      allowHeaders(headers.add("Access-Control-Allow-Headers")), mode(mode) {}

kj::Promise<void> FakeServer::request(kj::HttpMethod method, kj::StringPtr url,
                                      const kj::HttpHeaders& headers,
                                      kj::AsyncInputStream& requestBody, Response& response) {
  std::string_view path(url.cStr(), url.size());
  path = path.substr(0, path.find('?'));
  if (path.substr(0, CONTROL.size()) == CONTROL) {
    return requestBody.readAllText(MAX_REQUEST_BODY)
        .then([this, method, path = std::string(path), &response](kj::String body) {
          return send(response, control(method, path, std::string_view(body.cStr(), body.size())));
        });
  }
  if (path.substr(0, COUNTED.size()) == COUNTED) ++postcodeRequests;
  switch (mode.kind) {
    case FakeMode::Kind::NORMAL: break;
    case FakeMode::Kind::SLOW:
      return timer.afterDelay(mode.delayMs * kj::MILLISECONDS)
          .then([this, method, url, &headers, &requestBody, &response]() {
            return answer(method, url, headers, requestBody, response);
          });
    case FakeMode::Kind::ERROR500: return send(response, serverError());
    case FakeMode::Kind::HTML: return send(response, proxyErrorPage());
    case FakeMode::Kind::HANG: return kj::NEVER_DONE;
    case FakeMode::Kind::CLOSE:
      return KJ_EXCEPTION(DISCONNECTED, "mode close: closing the connection without answering");
  }
  return answer(method, url, headers, requestBody, response);
}

kj::Promise<void> FakeServer::answer(kj::HttpMethod method, kj::StringPtr url,
                                     const kj::HttpHeaders& headers,
                                     kj::AsyncInputStream& requestBody, Response& response) {
  std::string contentType;
  KJ_IF_MAYBE (type, headers.get(kj::HttpHeaderId::CONTENT_TYPE)) {
    contentType.assign(type->cStr(), type->size());
  }
  return requestBody.readAllText(MAX_REQUEST_BODY)
      .then([this, method, url = std::string(url.cStr(), url.size()),
             contentType = std::move(contentType), &response](kj::String body) {
        FakeRequest request{method, url, contentType, std::string_view(body.cStr(), body.size())};
        return send(response, answerLikePostcodesIo(request, fixtures));
      });
}

HttpReply FakeServer::control(kj::HttpMethod method, std::string_view path, std::string_view body) {
  std::string_view what = path.substr(CONTROL.size());
  if (method == kj::HttpMethod::GET && what == "requests") {
    return plainText(200, std::to_string(postcodeRequests));
  }
  if (method == kj::HttpMethod::POST && what == "reset") {
    postcodeRequests = 0;
    return plainText(200, "0");
  }
  if (method == kj::HttpMethod::GET && what == "mode") return plainText(200, fakeModeName(mode));
  if (method == kj::HttpMethod::POST && what == "mode") {
    std::optional<FakeMode> next = parseFakeMode(body);
    if (!next) return plainText(400, std::string(UNKNOWN_MODE));
    mode = *next;
    return plainText(200, fakeModeName(mode));
  }
  return plainText(404, "unknown control request");
}

kj::Promise<void> FakeServer::send(Response& response, HttpReply reply) {
  kj::HttpHeaders headers(headerTable);
  if (!reply.contentType.empty()) {
    headers.set(kj::HttpHeaderId::CONTENT_TYPE, kj::StringPtr(reply.contentType.c_str()));
  }
  headers.set(allowOrigin, "*");
  if (reply.corsPreflight) {
    headers.set(allowMethods, "GET,POST,OPTIONS");
    headers.set(allowHeaders, "X-Requested-With, Content-Type, Accept, Origin");
  }
  auto stream = response.send(reply.status, reasonPhrase(reply.status), headers, reply.body.size());
  if (reply.body.empty()) return kj::READY_NOW;
  auto body = kj::heapString(reply.body.data(), reply.body.size());
  auto written = stream->write(body.begin(), body.size());
  return written.attach(kj::mv(stream), kj::mv(body));
}

kj::Promise<void> FakeServer::handleApplicationError(kj::Exception exception,
                                                     kj::Maybe<Response&> response) {
  if (exception.getType() == kj::Exception::Type::DISCONNECTED) return kj::READY_NOW;
  return kj::HttpServerErrorHandler::handleApplicationError(kj::mv(exception), response);
}

}  // namespace jh::fake
