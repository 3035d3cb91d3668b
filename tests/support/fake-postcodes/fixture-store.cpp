// Fixture lines look like {"postcode":"AB10 1AB","status":200,"body":{...}}: the body is the text
// after ,"body": up to the line's final }, sent byte for byte.
#include "tests/support/fake-postcodes/fixture-store.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <zlib.h>

namespace jh::fake {
namespace {

std::string readGzip(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw std::runtime_error(fmt::format("{}: cannot open", path));
  std::string text;
  char buffer[1 << 16];
  int got = 0;
  while ((got = gzread(file, buffer, sizeof(buffer))) > 0) text.append(buffer, got);
  bool failed = got < 0;
  gzclose(file);
  if (failed) throw std::runtime_error(fmt::format("{}: not a readable gzip file", path));
  return text;
}

std::string readPlain(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string withoutSpaces(std::string_view text) {
  std::string out;
  std::copy_if(text.begin(), text.end(), std::back_inserter(out), [](char c) { return c != ' '; });
  return out;
}

// Adds each line of `text` ({"<keyName>":"...","status":N,"body":...}) to `into`.
void loadLines(const std::string& path, const std::string& text, std::string_view keyName,
               std::unordered_map<std::string, FixtureReply>& into) {
  std::string keyPrefix = fmt::format("{{\"{}\":\"", keyName);
  size_t lineNumber = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    ++lineNumber;
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.empty()) continue;
    auto bad = [&](const char* why) {
      return std::runtime_error(fmt::format("{}:{}: {}", path, lineNumber, why));
    };
    if (line.substr(0, keyPrefix.size()) != keyPrefix || line.back() != '}') {
      throw bad("not a fixture line");
    }
    size_t keyEnd = line.find('"', keyPrefix.size());
    size_t statusAt = line.find(",\"status\":", keyEnd);
    size_t bodyAt = line.find(",\"body\":", keyEnd);
    if (keyEnd == std::string_view::npos || statusAt != keyEnd + 1 ||
        bodyAt == std::string_view::npos) {
      throw bad("expected \"status\" and \"body\" after the key");
    }
    unsigned status = 0;
    try {
      status = static_cast<unsigned>(std::stoul(std::string(line.substr(statusAt + 10))));
    } catch (const std::exception&) { throw bad("status is not a number"); }
    size_t bodyBegin = bodyAt + 8;
    std::string key = withoutSpaces(line.substr(keyPrefix.size(), keyEnd - keyPrefix.size()));
    into[key] =
        FixtureReply{status, std::string(line.substr(bodyBegin, line.size() - 1 - bodyBegin))};
  }
}

}  // namespace

FixtureStore::FixtureStore(const std::string& dir) {
  std::string postcodesPath = dir + "/postcodes.jsonl.gz";
  std::string outcodesPath = dir + "/outcodes.jsonl";
  loadLines(postcodesPath, readGzip(postcodesPath), "postcode", postcodes);
  loadLines(outcodesPath, readPlain(outcodesPath), "outcode", outcodes);
  if (postcodes.empty()) throw std::runtime_error(fmt::format("{}: no postcodes", postcodesPath));
}

const FixtureReply* FixtureStore::postcode(const std::string& key) const {
  auto found = postcodes.find(key);
  return found == postcodes.end() ? nullptr : &found->second;
}

const FixtureReply* FixtureStore::outcode(const std::string& key) const {
  auto found = outcodes.find(key);
  return found == outcodes.end() ? nullptr : &found->second;
}

std::string_view trailingMember(std::string_view body, std::string_view name) {
  std::string needle = fmt::format("\"{}\":", name);
  size_t at = body.find(needle);
  if (at == std::string_view::npos || body.empty() || body.back() != '}') return {};
  size_t begin = at + needle.size();
  return body.substr(begin, body.size() - 1 - begin);
}

}  // namespace jh::fake
