// `startup.sh logs` and `tail`: the servers' logs as "HH:MM:SS.mmm name | LEVEL message", one
// server's or all of them merged by time, coloured only on a terminal. A server writes
// "2026-11-21T22:31:05.123Z INFO  name | message"; the launcher's markers ("----- TIME startup.sh
// (mode): command") and a crash's last words sit between them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace jh::launch {

struct LogStyle {
  bool colour = false;
  size_t width = 0;                               // names are padded to it
  std::map<std::string, std::string> nameColour;  // SGR code per server (default cyan)
};

// One server's colour each, the same on every run: by its place in `servers`.
std::map<std::string, std::string> nameColours(const std::vector<std::string>& servers);

// Formats the lines of one server's log, in order: a line that has no time of its own takes the
// time of the line before (before any: "--:--:--.---").
class LogFormatter {
 public:
  LogFormatter(std::string name, const LogStyle& style);

  struct Line {
    std::string key;   // the full UTC time stamp, to merge logs by ("0000-…" before any)
    std::string text;  // "22:31:05.123 replica.server1 | INFO  message"
  };
  Line format(std::string_view raw);

 private:
  std::string name_;
  std::string shown_;  // the name padded to the style's width, coloured
  const LogStyle& style_;
  std::string time_ = "--:--:--.---";
  std::string key_ = "0000-00-00T00:00:00.000Z";
};

// Every line of several logs in time order (stable: lines of one instant keep their order).
std::vector<std::string> mergeByTime(std::vector<std::vector<LogFormatter::Line>> logs);

// The lines of the log file `path` of server `name`.
std::vector<LogFormatter::Line> formatFile(const std::string& path, const std::string& name,
                                           const LogStyle& style);

// The last `lines` of each file, then each new line as it is written, until a signal ends the
// process; follows a file by its name, so one removed and written again is read from its start.
[[noreturn]] void followLogs(const std::vector<std::string>& paths,
                             const std::vector<std::string>& names, const LogStyle& style,
                             size_t lines);

}  // namespace jh::launch
