// parsePostcodeReply on any reply. An input is "STATUS POSTCODE\n" then the body (seeds are real
// postcodes.io replies in that form); without such a first line the whole input is the body of a
// 200 for "AB10 1AB". Invariants: an answer is FOUND (200, with an area), INVALID or NOT_FOUND
// (404), carries the postcode asked for and a message; anything else is a failure that says why.
#include <string>

#include "frontend/postcodes/postcode-response.h"
#include "tests/fuzz/fuzz-support.h"

namespace {

struct Reply {
  long status = 200;
  std::string postCode = "AB10 1AB";
  std::string_view body;
};

Reply split(std::string_view input) {
  Reply reply;
  reply.body = input;
  size_t lineEnd = input.find('\n');
  size_t digits = input.find_first_not_of("0123456789");
  if (lineEnd == std::string_view::npos || digits == 0 || digits > 3 || input[digits] != ' ') {
    return reply;
  }
  reply.status = std::stol(std::string(input.substr(0, digits)));
  reply.postCode = std::string(input.substr(digits + 1, lineEnd - digits - 1));
  reply.body = input.substr(lineEnd + 1);
  return reply;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reply in = split(jh::fuzz::asText(data, size));
  jh::PostcodeReply reply = jh::parsePostcodeReply(in.status, in.body, in.postCode);
  if (!reply.answer) {
    JH_FUZZ_CHECK(!reply.failure.empty(), "a failure says why");
    return 0;
  }
  using Kind = jh::PostcodeAnswer::Kind;
  const jh::PostcodeAnswer& answer = *reply.answer;
  JH_FUZZ_CHECK(in.status == 200 || in.status == 404, "only 200 and 404 are answers");
  JH_FUZZ_CHECK(answer.postCode == in.postCode, "the answer is for the postcode asked for");
  JH_FUZZ_CHECK(!answer.message.empty(), "an answer has a message");
  if (in.status == 200) {
    JH_FUZZ_CHECK(answer.kind == Kind::FOUND && !answer.area.empty(),
                  "a 200 answer is FOUND in an area");
  } else {
    JH_FUZZ_CHECK(
        (answer.kind == Kind::INVALID || answer.kind == Kind::NOT_FOUND) && answer.area.empty(),
        "a 404 answer is INVALID or NOT_FOUND, without an area");
  }
  return 0;
}
