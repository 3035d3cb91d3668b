// What a postcode look-up tells the front-end: found (with the delivery area), invalid, not found,
// or that postcodes.io could not be reached.
#pragma once

#include <string>

namespace jh {

struct PostcodeAnswer {
  enum class Kind { FOUND, INVALID, NOT_FOUND, UNREACHABLE };
  Kind kind;
  std::string postCode;  // normalised ("AB10 1AB"); empty when INVALID by local check
  std::string area;      // FOUND only: admin_district, else region, else country
  std::string message;   // one plain sentence for a person
};

}  // namespace jh
