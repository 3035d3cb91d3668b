// The reply parser against real postcodes.io bodies (the fixtures) and against what a broken
// server or proxy sends instead.
#include <doctest/doctest.h>

#include "frontend/postcodes/postcode-response.h"
#include "tests/support/fake-postcodes/fixture-store.h"

using jh::parsePostcodeReply;
using jh::PostcodeAnswer;
using Kind = PostcodeAnswer::Kind;

namespace {

const jh::fake::FixtureStore& fixtures() {
  static const jh::fake::FixtureStore store(JH_POSTCODES_FIXTURES_DIR);
  return store;
}

// The parse of the real reply postcodes.io gives for `postCode`.
jh::PostcodeReply parseFixture(const std::string& postCode) {
  std::string key = postCode;
  key.erase(key.find(' '), 1);
  const jh::fake::FixtureReply* fixture = fixtures().postcode(key);
  REQUIRE(fixture != nullptr);
  return parsePostcodeReply(fixture->status, fixture->body, postCode);
}

// A 200 body for SE1 2DL whose area fields are the given JSON values.
std::string foundBody(const char* adminDistrict, const char* region, const char* country) {
  return std::string(R"({"status":200,"result":{"postcode":"SE1 2DL","admin_district":)") +
         adminDistrict + R"(,"region":)" + region + R"(,"country":)" + country + "}}";
}

const std::string FOUND_BODY = foundBody(R"("Southwark")", R"("London")", R"("England")");

}  // namespace

TEST_CASE("a Scottish postcode, whose region is null, is found in its admin district") {
  auto reply = parseFixture("AB10 1AB");
  REQUIRE(reply.answer);
  CHECK(reply.answer->kind == Kind::FOUND);
  CHECK(reply.answer->postCode == "AB10 1AB");
  CHECK(reply.answer->area == "Aberdeen City");
  CHECK(reply.answer->message == "AB10 1AB is in Aberdeen City.");
}

TEST_CASE("English and Channel Islands postcodes are found with their areas") {
  auto manchester = parseFixture("M1 1AD");
  REQUIRE(manchester.answer);
  CHECK(manchester.answer->kind == Kind::FOUND);
  CHECK(manchester.answer->area == "Manchester");
  auto southwark = parseFixture("SE1P 5ZZ");
  REQUIRE(southwark.answer);
  CHECK(southwark.answer->area == "Southwark");
  auto jersey = parseFixture("JE2 4WD");
  REQUIRE(jersey.answer);
  CHECK(jersey.answer->area == "Channel Islands");
}

TEST_CASE("a terminated postcode is not found, and the message says when it was terminated") {
  auto reply = parseFixture("AB1 0AA");
  REQUIRE(reply.answer);
  CHECK(reply.answer->kind == Kind::NOT_FOUND);
  CHECK(reply.answer->area.empty());
  CHECK(reply.answer->message == "AB1 0AA is not a known postcode (it was terminated in 1996).");
  auto london = parseFixture("SE1 9ZZ");
  REQUIRE(london.answer);
  CHECK(london.answer->message == "SE1 9ZZ is not a known postcode (it was terminated in 1998).");
}

TEST_CASE("an unknown postcode is not found, and an invalid one is invalid") {
  auto unknown =
      parsePostcodeReply(404, R"({"status":404,"error":"Postcode not found"})", "ID1 1QE");
  REQUIRE(unknown.answer);
  CHECK(unknown.answer->kind == Kind::NOT_FOUND);
  CHECK(unknown.answer->message == "ID1 1QE is not a known postcode.");
  auto invalid = parsePostcodeReply(404, R"({"status":404,"error":"Invalid postcode"})", "AB1 2CD");
  REQUIRE(invalid.answer);
  CHECK(invalid.answer->kind == Kind::INVALID);
  CHECK(invalid.answer->postCode == "AB1 2CD");
}

TEST_CASE("the area falls back from admin_district to region, then to country") {
  auto region = parsePostcodeReply(200, foundBody("null", R"("R")", R"("C")"), "SE1 2DL");
  REQUIRE(region.answer);
  CHECK(region.answer->area == "R");
  auto country = parsePostcodeReply(200, foundBody(R"("")", "null", R"("C")"), "SE1 2DL");
  REQUIRE(country.answer);
  CHECK(country.answer->area == "C");
}

TEST_CASE("unknown fields and field order do not matter") {
  auto reply = parsePostcodeReply(
      200,
      R"({"extra":[1,{"a":null}],"result":{"country":"England","new_field":{"x":1},)"
      R"("region":"London","admin_district":"Southwark","postcode":"SE1 2DL"},"status":200})",
      "SE1 2DL");
  REQUIRE(reply.answer);
  CHECK(reply.answer->kind == Kind::FOUND);
  CHECK(reply.answer->area == "Southwark");
  auto notFound =
      parsePostcodeReply(404,
                         R"({"terminated":{"month_terminated":6,"year_terminated":2008},)"
                         R"("error":"Postcode not found","status":404})",
                         "AB1 0AB");
  REQUIRE(notFound.answer);
  CHECK(notFound.answer->message == "AB1 0AB is not a known postcode (it was terminated in 2008).");
}

TEST_CASE("server errors, proxy pages and truncated or wrong JSON make the url count as failed") {
  const jh::fake::FixtureReply* full = fixtures().postcode("AB101AB");
  REQUIRE(full != nullptr);
  std::string html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
  struct Case {
    long status;
    std::string body;
  };
  const Case cases[] = {
      {500, R"({"status":500,"error":"500 Server Error."})"},
      {503, R"({"status":200,"result":{"postcode":"SE1 2DL","admin_district":"Southwark"}})"},
      {502, html},
      {200, html},
      {404, html},
      {200, full->body.substr(0, full->body.size() / 2)},
      {200, full->body + "}"},
      {200, ""},
      {200, "[]"},
      {200, R"({"status":200})"},
      {200, R"({"status":200,"result":null})"},
      {200, R"({"status":200,"result":{"admin_district":"Southwark"}})"},
      {200, foundBody("null", "null", "null")},
      {200, foundBody("7", "[]", "{}")},
      {200, foundBody("\"\xff\"", "null", "null")},
      {404, R"({"status":404,"error":"Resource not found"})"},
      {404, R"({"status":404})"},
      {301, ""},
      {0, ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.status);
    CAPTURE(c.body);
    auto reply = parsePostcodeReply(c.status, c.body, "SE1 2DL");
    CHECK_FALSE(reply.answer);
    CHECK_FALSE(reply.failure.empty());
  }
}

TEST_CASE("a reply about another postcode than the one asked for counts as failed") {
  auto reply = parsePostcodeReply(200, FOUND_BODY, "AB10 1AB");
  CHECK_FALSE(reply.answer);
  CHECK(reply.failure.find("SE1 2DL") != std::string::npos);
  CHECK(parsePostcodeReply(200, FOUND_BODY, "SE1 2DL").answer);
}
