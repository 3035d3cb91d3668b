// The one word for an expected refusal, from the replica to the client: a code of the schema's
// RejectCode and one plain sentence (DESIGN.md §5: expected outcomes are data, not exceptions).
#pragma once

#include <string>
#include <variant>

#include "schema/just-hungry.capnp.h"

namespace jh {

// An expected refusal (a bad item, an unknown postcode, a replica not ready…).
struct Rejection {
  rpc::RejectCode code;
  std::string message;  // one plain sentence for a person
};

// Either what was asked for, or why it was refused.
template <typename T>
using Reply = std::variant<T, Rejection>;

}  // namespace jh
