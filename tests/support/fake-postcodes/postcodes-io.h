// The imitation of postcodes.io's routes over the fixtures: single and bulk postcode look-ups,
// validate, outcodes, terminated postcodes, ping, JSONP, HEAD and CORS preflight.
#pragma once

#include <string_view>

#include <kj/compat/http.h>

#include "tests/support/fake-postcodes/fixture-store.h"
#include "tests/support/fake-postcodes/http-reply.h"

namespace jh::fake {

struct FakeRequest {
  kj::HttpMethod method;
  std::string_view url;          // path and query as sent, still %-encoded
  std::string_view contentType;  // of the request body
  std::string_view body;
};

HttpReply answerLikePostcodesIo(const FakeRequest& request, const FixtureStore& fixtures);

}  // namespace jh::fake
