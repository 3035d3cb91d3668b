// The fake's HTTP service: postcodes.io's routes (through the current mode's misbehaviour) plus
// the control endpoints under /__fake/ that tests use to count requests and switch modes.
#pragma once

#include <cstdint>

#include <kj/compat/http.h>
#include <kj/timer.h>

#include "tests/support/fake-postcodes/fake-mode.h"
#include "tests/support/fake-postcodes/fixture-store.h"
#include "tests/support/fake-postcodes/http-reply.h"

namespace jh::fake {

class FakeServer final : public kj::HttpService, public kj::HttpServerErrorHandler {
 public:
  // Registers its headers in `headers`; requests may arrive once that table is built.
  FakeServer(const FixtureStore& fixtures, kj::Timer& timer, kj::HttpHeaderTable::Builder& headers,
             FakeMode mode);

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& requestBody,
                            Response& response) override;

  // Mode close: the DISCONNECTED exception it throws closes the connection without a reply.
  kj::Promise<void> handleApplicationError(kj::Exception exception,
                                           kj::Maybe<Response&> response) override;

 private:
  kj::Promise<void> answer(kj::HttpMethod method, kj::StringPtr url, const kj::HttpHeaders& headers,
                           kj::AsyncInputStream& requestBody, Response& response);
  HttpReply control(kj::HttpMethod method, std::string_view path, std::string_view body);
  kj::Promise<void> send(Response& response, HttpReply reply);

  const FixtureStore& fixtures;
  kj::Timer& timer;
  const kj::HttpHeaderTable& headerTable;
  kj::HttpHeaderId allowOrigin;
  kj::HttpHeaderId allowMethods;
  kj::HttpHeaderId allowHeaders;
  FakeMode mode;
  uint64_t postcodeRequests = 0;  // requests under /postcodes/ since start or the last reset
};

}  // namespace jh::fake
