// Reading the front-end's answers as `jh-client --json` prints them, without trusting their
// shape: a missing key or a value of another type reads as empty, so that a front-end that did
// not answer, or answered something else, is simply "not known".
#pragma once

#include <cstdint>
#include <string>

#include <rapidjson/document.h>

namespace jh::launch {

// `json` parsed; an empty object when it is not a JSON object.
rapidjson::Document parseAnswer(const std::string& json);

// The string at `key` ("" when absent or not a string).
std::string textAt(const rapidjson::Value& object, const char* key);
// The whole number at `key` (0 when absent or not one).
int64_t numberAt(const rapidjson::Value& object, const char* key);
// The array at `key`, or null.
const rapidjson::Value* arrayAt(const rapidjson::Value& object, const char* key);
// The entry of the status's "replicas" named `name`, or null.
const rapidjson::Value* replicaNamed(const rapidjson::Value& status, const std::string& name);

}  // namespace jh::launch
