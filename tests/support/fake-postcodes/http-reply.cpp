// The error bodies are postcodes.io 18.0.1's own, byte for byte (see edge-cases.jsonl).
#include "tests/support/fake-postcodes/http-reply.h"

#include <fmt/format.h>

namespace jh::fake {

HttpReply jsonError(unsigned status, std::string_view error) {
  return {status, std::string(JSON_TYPE),
          fmt::format("{{\"status\":{},\"error\":\"{}\"}}", status, error)};
}

HttpReply serverError() {
  return jsonError(500,
                   "500 Server Error.\\nFor an urgent fix email support@ideal-postcodes.co.uk. "
                   "\\nAlternatively submit an issue at "
                   "https://github.com/ideal-postcodes/postcodes.io/issues\\n");
}

std::string jsonString(std::string_view utf8) {
  std::string out = "\"";
  for (char c : utf8) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace jh::fake
