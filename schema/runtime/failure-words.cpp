// Failures in plain words.
#include "schema/runtime/failure-words.h"

#include <cctype>
#include <string_view>

namespace jh {

namespace {

// strerror's texts (and capnp's) that reach us, and what a person reads instead.
constexpr std::pair<std::string_view, std::string_view> KNOWN[] = {
    {"Connection refused", "connection refused"},
    {"Connection reset by peer", "connection reset"},
    {"Broken pipe", "the connection was closed"},
    {"Peer disconnected", "the connection was closed"},
    {"No route to host", "no route to host"},
    {"Network is unreachable", "network unreachable"},
    {"Connection timed out", "no answer in time"},
    {"operation timed out", "no answer in time"},
    {"Address already in use", "address already in use"},
    {"Cannot assign requested address", "no such address on this machine"},
    {"Too many open files", "too many open files"},
    {"No space left on device", "disk full"},
    {"Permission denied", "permission denied"},
};

}  // namespace

std::string failureReason(const kj::Exception& e) {
  std::string_view text(e.getDescription().cStr());
  for (auto& [system, words] : KNOWN) {
    if (text.find(system) != std::string_view::npos) return std::string(words);
  }
  // "connect(): Some reason" or "bind(fd, &addr, len): Some reason": the reason alone.
  if (size_t call = text.rfind("): "); call != std::string_view::npos) text.remove_prefix(call + 3);
  std::string out(text);
  while (!out.empty() && (out.back() == '.' || out.back() == ' ')) out.pop_back();
  if (out.size() > 1 && std::isupper(static_cast<unsigned char>(out[0])) &&
      std::islower(static_cast<unsigned char>(out[1]))) {
    out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  }
  return out;
}

kj::Exception plainException(kj::Exception::Type type, std::string description, const char* file,
                             int line) {
  return kj::Exception(type, file, line, kj::heapString(description.data(), description.size()));
}

}  // namespace jh
