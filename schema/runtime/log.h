// Logging for the servers: one line per event, "2026-11-21T22:31:05.123Z INFO  replica.server1 |
// message", to stderr and, when set, to a log file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace jh {

enum class LogLevel { DEBUG = 0, INFO = 1, WARN = 2, ERROR = 3 };

// Sets the process's name and level; the level comes from `level` if non-empty, else from
// $JH_LOG_LEVEL, else INFO. Returns false (and keeps INFO) for an unknown level name.
bool logInit(std::string name, std::string_view level, std::string filePath = {});

// Starts each later line logged from the calling thread with "[tag] " ("" for none): which of a
// process's event loops said it.
void logThreadTag(std::string tag);

bool logEnabled(LogLevel level);
void logLine(LogLevel level, std::string_view message);

template <typename... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (logEnabled(level)) logLine(level, fmt::format(format, std::forward<Args>(args)...));
}

// "1 row", "29,596 rows": a count for a log line or a message, with thousands separated.
std::string counted(uint64_t n, std::string_view one, std::string_view many);

#define JH_DEBUG(...) ::jh::log(::jh::LogLevel::DEBUG, __VA_ARGS__)
#define JH_INFO(...) ::jh::log(::jh::LogLevel::INFO, __VA_ARGS__)
#define JH_WARN(...) ::jh::log(::jh::LogLevel::WARN, __VA_ARGS__)
#define JH_ERROR(...) ::jh::log(::jh::LogLevel::ERROR, __VA_ARGS__)

}  // namespace jh
