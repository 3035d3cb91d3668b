// The servers' logs for a person (log-view.h).
#include "client/launcher/log-view.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "client/launcher/process-table.h"
#include "client/launcher/say.h"

namespace jh::launch {

namespace {

// Whether `text` at `at` has the shape of `pattern`, where '9' stands for any digit.
bool shaped(std::string_view text, size_t at, std::string_view pattern) {
  if (text.size() < at + pattern.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = text[at + i];
    if (pattern[i] == '9' ? !std::isdigit(static_cast<unsigned char>(c)) : c != pattern[i])
      return false;
  }
  return true;
}

std::string part(std::string_view text, size_t at, size_t length = std::string_view::npos) {
  return at < text.size() ? std::string(text.substr(at, length)) : "";
}

const char* levelColour(std::string_view level) {
  if (level.starts_with("WARN")) return "33";
  if (level.starts_with("ERROR")) return "1;31";
  if (level.starts_with("DEBUG")) return "2";
  return nullptr;
}

}  // namespace

std::map<std::string, std::string> nameColours(const std::vector<std::string>& servers) {
  std::map<std::string, std::string> colours;
  for (size_t i = 0; i < servers.size(); ++i) colours[servers[i]] = std::to_string(31 + i % 6);
  return colours;
}

LogFormatter::LogFormatter(std::string name, const LogStyle& style)
    : name_(std::move(name)), style_(style) {
  auto colour = style.nameColour.find(name_);
  shown_ = paint(style.colour, colour != style.nameColour.end() ? colour->second : "36",
                 fmt::format("{:<{}}", name_, style.width));
}

LogFormatter::Line LogFormatter::format(std::string_view raw) {
  std::string text(raw);
  if (shaped(raw, 0, "9999-99-99T99:99:99.999Z ")) {
    key_ = part(raw, 0, 24);
    time_ = part(raw, 11, 12);
    std::string level = part(raw, 25, 5), body = part(raw, 31);
    // The log's own name after the level says nothing here: the name column says it.
    if (body.starts_with(name_ + " | ")) body.erase(0, name_.size() + 3);
    if (const char* colour = levelColour(level)) {
      level = paint(style_.colour, colour, level);
      body = paint(style_.colour, colour, body);
    }
    text = level + " " + body;
  } else if (raw.starts_with("----- ") && shaped(raw, 6, "9999-99-99T99:99:99")) {
    // Markers written before they had milliseconds count as .000.
    key_ = part(raw, 6, 19) + (part(raw, 25, 1) == "." ? part(raw, 25, 4) : ".000") + "Z";
    time_ = key_.substr(11, 12);
    text = paint(style_.colour, "2", raw);
  }
  return {key_, paint(style_.colour, "2", time_) + " " + shown_ + " | " + text};
}

std::vector<std::string> mergeByTime(std::vector<std::vector<LogFormatter::Line>> logs) {
  std::vector<LogFormatter::Line> all;
  for (auto& log : logs) all.insert(all.end(), log.begin(), log.end());
  std::stable_sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.key < b.key; });
  std::vector<std::string> lines;
  for (auto& line : all) lines.push_back(std::move(line.text));
  return lines;
}

std::vector<LogFormatter::Line> formatFile(const std::string& path, const std::string& name,
                                           const LogStyle& style) {
  LogFormatter formatter(name, style);
  std::vector<LogFormatter::Line> lines;
  std::ifstream in(path, std::ios::binary);
  std::string raw;
  while (std::getline(in, raw)) lines.push_back(formatter.format(raw));
  return lines;
}

void followLogs(const std::vector<std::string>& paths, const std::vector<std::string>& names,
                const LogStyle& style, size_t lines) {
  struct Followed {
    std::string path;
    LogFormatter formatter;
    FILE* file = nullptr;
    ino_t inode = 0;
    std::string partial = {};  // a line not yet ended
  };
  std::vector<Followed> followed;
  for (size_t i = 0; i < paths.size(); ++i) followed.push_back({paths[i], {names[i], style}});
  bool first = true;
  for (;;) {
    for (auto& f : followed) {
      struct stat st {};
      bool exists = stat(f.path.c_str(), &st) == 0;
      // Replaced or cut short: read it again from its start.
      if (f.file != nullptr && (!exists || st.st_ino != f.inode || st.st_size < ftell(f.file))) {
        std::fclose(f.file);
        f.file = nullptr;
      }
      if (f.file == nullptr && exists) {
        f.file = std::fopen(f.path.c_str(), "rb");
        f.inode = st.st_ino;
        f.partial.clear();
        if (f.file != nullptr && first) {
          // The last lines first, formatted with the lines before them for their times.
          std::vector<std::string> last;
          char* raw = nullptr;
          size_t size = 0;
          ssize_t n;
          while ((n = getline(&raw, &size, f.file)) > 0) {
            std::string_view line(raw, size_t(n));
            if (line.back() != '\n') {
              f.partial = line;
              break;
            }
            last.push_back(f.formatter.format(line.substr(0, line.size() - 1)).text);
            if (last.size() > lines) last.erase(last.begin());
          }
          std::free(raw);
          for (auto& l : last) say(l);
        }
      }
      if (f.file == nullptr) continue;
      std::clearerr(f.file);
      char buffer[8192];
      size_t n;
      while ((n = std::fread(buffer, 1, sizeof buffer, f.file)) > 0) {
        f.partial.append(buffer, n);
        size_t end;
        while ((end = f.partial.find('\n')) != std::string::npos) {
          say(f.formatter.format(std::string_view(f.partial).substr(0, end)).text);
          f.partial.erase(0, end + 1);
        }
      }
    }
    first = false;
    sleepMs(200);
  }
}

}  // namespace jh::launch
