// A reply of the imitated postcodes.io, before it is written to the wire.
#pragma once

#include <string>
#include <string_view>

namespace jh::fake {

constexpr std::string_view JSON_TYPE = "application/json; charset=utf-8";

struct HttpReply {
  unsigned status;
  std::string contentType;  // empty: no Content-Type header
  std::string body;
  bool corsPreflight = false;  // also send Access-Control-Allow-Methods and -Headers
};

// `{"status":<status>,"error":"<error>"}` as postcodes.io writes it; `error` is sent as given,
// so it must already be JSON string content.
HttpReply jsonError(unsigned status, std::string_view error);

// postcodes.io's answer when a handler throws (a bad %-escape, an unparsed bulk body).
HttpReply serverError();

// A JSON string literal as JavaScript's JSON.stringify() writes it.
std::string jsonString(std::string_view utf8);

}  // namespace jh::fake
