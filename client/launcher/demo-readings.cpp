// What the failover demonstration reads (demo-readings.h).
#include "client/launcher/demo-readings.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

namespace jh::launch {

namespace {

rapidjson::Document parsed(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  if (doc.HasParseError() || !doc.IsObject()) doc.SetObject();
  return doc;
}

std::string text(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

int64_t number(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

// The array `key` of `doc`, or null.
const rapidjson::Value* listed(const rapidjson::Document& doc, const char* key) {
  auto it = doc.FindMember(key);
  return it != doc.MemberEnd() && it->value.IsArray() ? &it->value : nullptr;
}

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

std::string primaryIn(const std::string& statusJson) { return text(parsed(statusJson), "primary"); }

std::string replicaView(const std::string& statusJson, const std::string& name) {
  auto doc = parsed(statusJson);
  auto* replicas = listed(doc, "replicas");
  if (replicas == nullptr) return "";
  for (auto& r : replicas->GetArray()) {
    if (!r.IsObject() || text(r, "name") != name) continue;
    std::string role = text(r, "role"), state = text(r, "state");
    if (role == "down") return "down";
    if (state != "SYNCING") return role + ", " + state;
    return fmt::format("{}, {} ({} rows fetched, {} to go)", role, state, number(r, "fetched"),
                       number(r, "lag"));
  }
  return "";
}

bool settledOn(const std::string& statusJson, const std::string& first) {
  auto doc = parsed(statusJson);
  auto* replicas = listed(doc, "replicas");
  if (replicas == nullptr || replicas->Empty()) return false;
  for (auto& r : replicas->GetArray()) {
    if (!r.IsObject() || text(r, "state") != "READY") return false;
  }
  return text(doc, "primary") == first;
}

std::optional<int64_t> failoverGapMs(const std::string& eventsJson, const std::string& killed,
                                     int64_t sinceMs) {
  auto doc = parsed(eventsJson);
  auto* events = listed(doc, "events");
  if (events == nullptr) return std::nullopt;
  std::optional<int64_t> down;
  for (auto& e : events->GetArray()) {
    if (!e.IsObject()) continue;
    int64_t at = number(e, "at_ms");
    if (at < sinceMs) continue;
    if (!down && text(e, "kind") == "replica-down" && text(e, "replica") == killed) {
      down = at;
    } else if (down && text(e, "kind") == "promoted" && at >= *down) {
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
