// The one parser of postcodes.io replies (GET /postcodes/:postcode): HTTP status and body text in,
// an answer or the reason the url counts as failed out. Takes any bytes, so it can be fuzzed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "frontend/postcodes/postcode-answer.h"

namespace jh {

struct PostcodeReply {
  std::optional<PostcodeAnswer> answer;  // nullopt: the url failed; try the next one
  std::string failure;                   // when `answer` is nullopt: why, for the log
};

// `postCode` is the normalised postcode that was asked for; answers carry it. 200 with a result
// holding admin_district, region or country is FOUND; 404 "Invalid postcode" is INVALID; 404
// "Postcode not found" is NOT_FOUND (the message says when it was terminated). Anything else —
// another status, a body that is not JSON, JSON without the expected fields — is a failure.
// Unknown fields and field order never matter.
PostcodeReply parsePostcodeReply(long httpStatus, std::string_view body,
                                 const std::string& postCode);

}  // namespace jh
