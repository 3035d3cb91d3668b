// Reads postcodes.io reply bodies with RapidJSON; nothing else in the front-end sees JSON.
#include "frontend/postcodes/postcode-response.h"

#include <algorithm>

#include <fmt/format.h>
#include <rapidjson/document.h>

namespace jh {
namespace {

using Kind = PostcodeAnswer::Kind;

const rapidjson::Value* findMember(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// The member as a string, or "" when it is missing, null, empty or not a string.
std::string stringMember(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* value = findMember(object, name);
  if (value == nullptr || !value->IsString()) return {};
  return std::string(value->GetString(), value->GetStringLength());
}

std::string withoutSpaces(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
  return text;
}

PostcodeReply failed(std::string why) { return {std::nullopt, std::move(why)}; }

PostcodeReply answered(Kind kind, const std::string& postCode, std::string area,
                       std::string message) {
  return {PostcodeAnswer{kind, postCode, std::move(area), std::move(message)}, {}};
}

PostcodeReply readFound(const rapidjson::Value& document, const std::string& postCode) {
  const rapidjson::Value* result = findMember(document, "result");
  if (result == nullptr || !result->IsObject()) return failed("200 without a result object");
  std::string answeredFor = stringMember(*result, "postcode");
  if (answeredFor.empty()) return failed("200 whose result has no postcode");
  if (withoutSpaces(answeredFor) != withoutSpaces(postCode)) {
    return failed(fmt::format("asked for {}, answered for {}", postCode, answeredFor));
  }
  std::string area = stringMember(*result, "admin_district");
  if (area.empty()) area = stringMember(*result, "region");
  if (area.empty()) area = stringMember(*result, "country");
  if (area.empty()) return failed("200 whose result has no admin_district, region or country");
  std::string message = fmt::format("{} is in {}.", postCode, area);
  return answered(Kind::FOUND, postCode, std::move(area), std::move(message));
}

PostcodeReply readNotFound(const rapidjson::Value& document, const std::string& postCode) {
  std::string error = stringMember(document, "error");
  if (error == "Invalid postcode") {
    return answered(Kind::INVALID, postCode, {},
                    fmt::format("{} is not a valid UK postcode.", postCode));
  }
  if (error != "Postcode not found") return failed(fmt::format("404 with error \"{}\"", error));
  std::string message = fmt::format("{} is not a known postcode.", postCode);
  if (const rapidjson::Value* terminated = findMember(document, "terminated")) {
    const rapidjson::Value* year = findMember(*terminated, "year_terminated");
    message = year != nullptr && year->IsInt()
                  ? fmt::format("{} is not a known postcode (it was terminated in {}).", postCode,
                                year->GetInt())
                  : fmt::format("{} is not a known postcode (it was terminated).", postCode);
  }
  return answered(Kind::NOT_FOUND, postCode, {}, std::move(message));
}

}  // namespace

PostcodeReply parsePostcodeReply(long httpStatus, std::string_view body,
                                 const std::string& postCode) {
  if (httpStatus != 200 && httpStatus != 404) return failed(fmt::format("HTTP {}", httpStatus));
  rapidjson::Document document;
  // Iterative: a hostile body nested a million deep must not exhaust the stack.
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(
      body.data(), body.size());
  if (document.HasParseError() || !document.IsObject()) {
    return failed(fmt::format("HTTP {} with a body that is not a JSON object", httpStatus));
  }
  return httpStatus == 200 ? readFound(document, postCode) : readNotFound(document, postCode);
}

}  // namespace jh
