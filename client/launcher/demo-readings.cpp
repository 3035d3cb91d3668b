// What the failover demonstration reads (demo-readings.h).
#include "client/launcher/demo-readings.h"

#include <fmt/format.h>
#include "client/launcher/answer-json.h"

namespace jh::launch {

namespace {

// The lines of `text` in order, each without its newline.
template <typename Visit>
void eachLine(const std::string& text, Visit&& visit) {
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    if (!visit(std::string_view(text).substr(at, end - at))) return;
    at = end + 1;
  }
}

}  // namespace

std::string primaryIn(const std::string& statusJson) {
  return textAt(parseAnswer(statusJson), "primary");
}

std::string replicaView(const std::string& statusJson, const std::string& name) {
  auto doc = parseAnswer(statusJson);
  const rapidjson::Value* r = replicaNamed(doc, name);
  if (r == nullptr) return "";
  std::string role = textAt(*r, "role"), state = textAt(*r, "state");
  if (role == "down") return "down";
  if (state != "SYNCING") return role + ", " + state;
  return fmt::format("{}, {} ({} rows fetched, {} to go)", role, state, numberAt(*r, "fetched"),
                     numberAt(*r, "lag"));
}

bool settledOn(const std::string& statusJson, const std::string& first) {
  auto doc = parseAnswer(statusJson);
  auto* replicas = arrayAt(doc, "replicas");
  if (replicas == nullptr || replicas->Empty()) return false;
  for (auto& r : replicas->GetArray()) {
    if (!r.IsObject() || textAt(r, "state") != "READY") return false;
  }
  return textAt(doc, "primary") == first;
}

std::optional<int64_t> failoverGapMs(const std::string& eventsJson, const std::string& killed,
                                     int64_t sinceMs) {
  auto doc = parseAnswer(eventsJson);
  auto* events = arrayAt(doc, "events");
  if (events == nullptr) return std::nullopt;
  std::optional<int64_t> down;
  for (auto& e : events->GetArray()) {
    if (!e.IsObject()) continue;
    int64_t at = numberAt(e, "at_ms");
    if (at < sinceMs) continue;
    if (!down && textAt(e, "kind") == "replica-down" && textAt(e, "replica") == killed) {
      down = at;
    } else if (down && textAt(e, "kind") == "promoted" && at >= *down) {
      return at - *down;
    }
  }
  return std::nullopt;
}

size_t secondsOfLoad(const std::string& loadOutput) {
  size_t count = 0;
  eachLine(loadOutput, [&](std::string_view line) {
    if (line.starts_with("t=")) ++count;
    return true;
  });
  return count;
}

std::optional<std::string> loadSummary(const std::string& loadOutput) {
  std::optional<std::string> summary;
  eachLine(loadOutput, [&](std::string_view line) {
    if (!line.starts_with("Stopped after")) return true;
    auto colon = line.find(": ");
    summary = std::string(colon == std::string_view::npos ? line : line.substr(colon + 2));
    return false;
  });
  return summary;
}

}  // namespace jh::launch
