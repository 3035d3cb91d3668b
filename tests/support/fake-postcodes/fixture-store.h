// The postcodes.io fixtures in memory (/work/shared/postcodes-fixtures): for each postcode and
// outcode, the HTTP status and the exact body bytes postcodes.io sends.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace jh::fake {

struct FixtureReply {
  unsigned status;
  std::string body;
};

class FixtureStore {
 public:
  // Reads postcodes.jsonl.gz and outcodes.jsonl from `dir`; throws std::runtime_error naming the
  // file and line of anything it cannot read.
  explicit FixtureStore(const std::string& dir);

  // By look-up key ("AB101AB", "AB10"); nullptr when unknown.
  const FixtureReply* postcode(const std::string& key) const;
  const FixtureReply* outcode(const std::string& key) const;
  size_t postcodeCount() const { return postcodes.size(); }

 private:
  std::unordered_map<std::string, FixtureReply> postcodes;
  std::unordered_map<std::string, FixtureReply> outcodes;
};

// In a fixture body whose last top-level member is `"name":VALUE` (as "result" and "terminated"
// are), the VALUE text; "" when `"name":` does not occur.
std::string_view trailingMember(std::string_view body, std::string_view name);

}  // namespace jh::fake
