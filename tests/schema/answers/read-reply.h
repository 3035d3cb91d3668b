// Reading a Reply<T> in a test: what it answered, or the code it was refused with. Either reads as
// nothing when the reply is the other kind, so a check on it fails rather than throws.
#pragma once

#include <optional>
#include <variant>

#include "schema/answers/rejection.h"

namespace jh::test {

// What the reply answered, or nullptr when it was refused.
template <typename T>
const T* answered(const Reply<T>& reply) {
  return std::get_if<T>(&reply);
}

// The code the reply was refused with, or nullopt when it answered.
template <typename T>
std::optional<rpc::RejectCode> refusalCode(const Reply<T>& reply) {
  if (auto* no = std::get_if<Rejection>(&reply)) return no->code;
  return std::nullopt;
}

}  // namespace jh::test
