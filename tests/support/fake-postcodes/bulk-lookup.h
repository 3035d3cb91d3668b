// postcodes.io's bulk look-up, POST /postcodes {"postcodes": [...]}, with its ?filter=.
#pragma once

#include <string_view>

#include "tests/support/fake-postcodes/fixture-store.h"
#include "tests/support/fake-postcodes/http-reply.h"

namespace jh::fake {

// `filter` is the comma-separated field list of ?filter=, empty for all fields.
HttpReply bulkLookup(std::string_view contentType, std::string_view body, std::string_view filter,
                     const FixtureStore& fixtures);

}  // namespace jh::fake
