// Routes as postcodes.io 18.0.1 (Express) lays them out; fixtures give the bodies, http-reply.cpp
// the error texts.
#include "tests/support/fake-postcodes/postcodes-io.h"

#include <vector>

#include <kj/encoding.h>

#include "tests/support/fake-postcodes/bulk-lookup.h"
#include "tests/support/fake-postcodes/postcode-syntax.h"

namespace jh::fake {
namespace {

struct Query {
  std::string callback;  // JSONP
  std::string filter;    // bulk look-up fields
};

Query parseQuery(std::string_view url) {
  Query query;
  size_t mark = url.find('?');
  if (mark == std::string_view::npos) return query;
  std::string_view rest = url.substr(mark + 1);
  while (!rest.empty()) {
    std::string_view pair = rest.substr(0, rest.find('&'));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    size_t equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    auto value =
        kj::decodeWwwForm(kj::arrayPtr(pair.data() + equals + 1, pair.size() - equals - 1));
    std::string_view name = pair.substr(0, equals);
    if (name == "callback") query.callback.assign(value.cStr(), value.size());
    if (name == "filter") query.filter.assign(value.cStr(), value.size());
  }
  return query;
}

// "/postcodes/AB101AB/" -> {"postcodes", "AB101AB"}: one trailing slash is ignored, as Express's
// non-strict routing does.
std::vector<std::string_view> pathSegments(std::string_view url) {
  std::string_view path = url.substr(0, url.find('?'));
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::vector<std::string_view> segments;
  while (!path.empty()) {
    size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
  }
  return segments;
}

HttpReply fromFixture(const FixtureReply& fixture) {
  return {fixture.status, std::string(JSON_TYPE), fixture.body};
}

HttpReply jsonResult(std::string_view resultJson) {
  return {200, std::string(JSON_TYPE),
          "{\"status\":200,\"result\":" + std::string(resultJson) + "}"};
}

HttpReply lookUpPostcode(std::string_view segment, const FixtureStore& fixtures) {
  std::optional<std::u32string> text = decodePathSegment(segment);
  if (!text) return serverError();
  if (!wellFormedPostcode(*text)) return jsonError(404, "Invalid postcode");
  const FixtureReply* fixture = fixtures.postcode(lookupKey(*text));
  return fixture != nullptr ? fromFixture(*fixture) : jsonError(404, "Postcode not found");
}

HttpReply validate(std::string_view segment, const FixtureStore& fixtures) {
  std::optional<std::u32string> text = decodePathSegment(segment);
  if (!text) return serverError();
  const FixtureReply* fixture =
      wellFormedPostcode(*text) ? fixtures.postcode(lookupKey(*text)) : nullptr;
  return jsonResult(fixture != nullptr && fixture->status == 200 ? "true" : "false");
}

HttpReply lookUpOutcode(std::string_view segment, const FixtureStore& fixtures) {
  std::optional<std::u32string> text = decodePathSegment(segment);
  if (!text) return serverError();
  const FixtureReply* fixture = fixtures.outcode(lookupKey(*text));
  return fixture != nullptr ? fromFixture(*fixture) : jsonError(404, "Outcode not found");
}

HttpReply lookUpTerminated(std::string_view segment, const FixtureStore& fixtures) {
  std::optional<std::u32string> text = decodePathSegment(segment);
  if (!text) return serverError();
  if (!wellFormedPostcode(*text)) return jsonError(404, "Invalid postcode");
  const FixtureReply* fixture = fixtures.postcode(lookupKey(*text));
  std::string_view terminated = fixture != nullptr && fixture->status == 404
                                    ? trailingMember(fixture->body, "terminated")
                                    : std::string_view();
  return terminated.empty() ? jsonError(404, "Terminated postcode not found")
                            : jsonResult(terminated);
}

HttpReply answerGet(const std::vector<std::string_view>& path, const FixtureStore& fixtures) {
  if (path.size() == 1 && path[0] == "ping") return jsonResult("\"pong\"");
  if (path.size() == 1 && path[0] == "postcodes") {
    return jsonError(400, "No postcode query submitted. Remember to include query parameter");
  }
  if (path.size() == 2 && path[0] == "postcodes") return lookUpPostcode(path[1], fixtures);
  if (path.size() == 3 && path[0] == "postcodes" && path[2] == "validate") {
    return validate(path[1], fixtures);
  }
  if (path.size() == 2 && path[0] == "outcodes") return lookUpOutcode(path[1], fixtures);
  if (path.size() == 2 && path[0] == "terminated_postcodes") {
    return lookUpTerminated(path[1], fixtures);
  }
  return jsonError(404, "Resource not found");
}

// Express's res.jsonp(): successful replies are wrapped when ?callback= names a function.
HttpReply wrapJsonp(HttpReply reply, std::string_view callback) {
  std::string name;
  for (char c : callback) {
    bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '$' || c == '.' || c == '[' || c == ']';
    if (word) name += c;
  }
  reply.contentType = "text/javascript; charset=utf-8";
  reply.body = "/**/ typeof " + name + " === 'function' && " + name + "(" + reply.body + ");";
  return reply;
}

}  // namespace

HttpReply answerLikePostcodesIo(const FakeRequest& request, const FixtureStore& fixtures) {
  if (request.method == kj::HttpMethod::OPTIONS) return {204, {}, {}, true};
  std::vector<std::string_view> path = pathSegments(request.url);
  Query query = parseQuery(request.url);
  if (request.method == kj::HttpMethod::POST) {
    if (path.size() == 1 && path[0] == "postcodes") {
      return bulkLookup(request.contentType, request.body, query.filter, fixtures);
    }
    return jsonError(404, "Resource not found");
  }
  if (request.method != kj::HttpMethod::GET && request.method != kj::HttpMethod::HEAD) {
    return jsonError(404, "Resource not found");
  }
  HttpReply reply = answerGet(path, fixtures);
  if (reply.status == 200 && !query.callback.empty())
    return wrapJsonp(std::move(reply), query.callback);
  return reply;
}

}  // namespace jh::fake
