// Request bodies are parsed with RapidJSON; a filtered result is re-serialised with it too
// (member values keep their bytes: RapidJSON writes doubles shortest-round-trip, as V8 does).
#include "tests/support/fake-postcodes/bulk-lookup.h"

#include <kj/encoding.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tests/support/fake-postcodes/postcode-syntax.h"

namespace jh::fake {
namespace {

constexpr size_t MAX_BULK = 100;
constexpr std::string_view ENSURE_JSON =
    "You need to submit a JSON object with an array of postcodes or geolocation objects.\\n"
    "Also ensure that Content-Type is set to application/json\\n";

std::string serialise(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// The result object keeping only the listed fields, in the order listed.
std::string filtered(std::string_view resultJson, std::string_view filter) {
  rapidjson::Document result;
  result.Parse<rapidjson::kParseFullPrecisionFlag>(resultJson.data(), resultJson.size());
  if (result.HasParseError() || !result.IsObject()) return "null";
  std::string out = "{";
  while (!filter.empty()) {
    std::string field(filter.substr(0, filter.find(',')));
    filter.remove_prefix(std::min(filter.size(), field.size() + 1));
    auto member = result.FindMember(field.c_str());
    if (member == result.MemberEnd()) continue;
    if (out.size() > 1) out += ',';
    out += jsonString(field) + ":" + serialise(member->value);
  }
  return out + "}";
}

// The "result" of one bulk entry: the postcode's result object, or null when it is invalid,
// unknown or terminated.
std::string resultFor(const std::string& query, std::string_view filter,
                      const FixtureStore& fixtures) {
  auto text = kj::encodeUtf32(kj::arrayPtr(query.data(), query.size()));
  std::u32string_view codePoints(text.begin(), text.size());
  if (text.hadErrors || !wellFormedPostcode(codePoints)) return "null";
  const FixtureReply* fixture = fixtures.postcode(lookupKey(codePoints));
  if (fixture == nullptr || fixture->status != 200) return "null";
  std::string_view result = trailingMember(fixture->body, "result");
  return filter.empty() ? std::string(result) : filtered(result, filter);
}

}  // namespace

HttpReply bulkLookup(std::string_view contentType, std::string_view body, std::string_view filter,
                     const FixtureStore& fixtures) {
  // postcodes.io parses only JSON bodies; with any other type its handler throws.
  if (contentType.substr(0, 16) != "application/json") return serverError();
  rapidjson::Document request;
  request.Parse(body.data(), body.size());
  if (request.HasParseError() || !(request.IsObject() || request.IsArray())) {
    return jsonError(400, "Invalid JSON submitted.\\n" + std::string(ENSURE_JSON));
  }
  if (!request.IsObject() || !request.HasMember("postcodes")) {
    return jsonError(400, "Invalid JSON query submitted. \\n" + std::string(ENSURE_JSON));
  }
  const rapidjson::Value& postcodes = request["postcodes"];
  if (!postcodes.IsArray()) {
    return jsonError(400, "Invalid data submitted. You need to provide a JSON array");
  }
  if (postcodes.Size() > MAX_BULK) {
    return jsonError(400,
                     "Too many postcodes submitted. Up to 100 postcodes can be bulk requested at "
                     "a time");
  }
  std::string out = "{\"status\":200,\"result\":[";
  bool first = true;
  for (const rapidjson::Value& entry : postcodes.GetArray()) {
    if (!entry.IsString()) continue;  // postcodes.io drops what is not a string
    std::string query(entry.GetString(), entry.GetStringLength());
    if (!first) out += ',';
    first = false;
    out += "{\"query\":" + jsonString(query) + ",\"result\":" + resultFor(query, filter, fixtures) +
           "}";
  }
  return {200, std::string(JSON_TYPE), out + "]}"};
}

}  // namespace jh::fake
