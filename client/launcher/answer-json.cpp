// Reading the front-end's answers (answer-json.h).
#include "client/launcher/answer-json.h"

namespace jh::launch {

rapidjson::Document parseAnswer(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  if (doc.HasParseError() || !doc.IsObject()) doc.SetObject();
  return doc;
}

std::string textAt(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject()) return "";
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

int64_t numberAt(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject()) return 0;
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

const rapidjson::Value* arrayAt(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(key);
  return it != object.MemberEnd() && it->value.IsArray() ? &it->value : nullptr;
}

const rapidjson::Value* replicaNamed(const rapidjson::Value& status, const std::string& name) {
  const rapidjson::Value* replicas = arrayAt(status, "replicas");
  if (replicas == nullptr) return nullptr;
  for (auto& r : replicas->GetArray()) {
    if (textAt(r, "name") == name) return &r;
  }
  return nullptr;
}

}  // namespace jh::launch
