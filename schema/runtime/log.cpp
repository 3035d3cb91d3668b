// Line-at-a-time logging, safe to call from any thread.
#include "schema/runtime/log.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "schema/orders/order.h"

namespace jh {

namespace {
std::mutex logMutex;
std::string logName = "jh";
LogLevel minLevel = LogLevel::INFO;
FILE* logFile = nullptr;
const char* LEVEL_NAMES[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
thread_local std::string threadTag;
}  // namespace

void logThreadTag(std::string tag) { threadTag = tag.empty() ? std::string() : "[" + tag + "] "; }

bool logInit(std::string name, std::string_view level, std::string filePath) {
  std::lock_guard lock(logMutex);
  logName = std::move(name);
  std::string_view chosen = level;
  if (chosen.empty()) {
    const char* env = std::getenv("JH_LOG_LEVEL");
    chosen = env ? env : "info";
  }
  bool ok = true;
  if (chosen == "debug")
    minLevel = LogLevel::DEBUG;
  else if (chosen == "info")
    minLevel = LogLevel::INFO;
  else if (chosen == "warn")
    minLevel = LogLevel::WARN;
  else if (chosen == "error")
    minLevel = LogLevel::ERROR;
  else
    ok = false;
  if (!filePath.empty()) {
    if (logFile) fclose(logFile);
    logFile = fopen(filePath.c_str(), "a");
  }
  return ok;
}

bool logEnabled(LogLevel level) { return level >= minLevel; }

void logLine(LogLevel level, std::string_view message) {
  std::string line = fmt::format("{} {} {} | {}{}\n", utcTimestampNow(),
                                 LEVEL_NAMES[static_cast<int>(level)], logName, threadTag, message);
  std::lock_guard lock(logMutex);
  fwrite(line.data(), 1, line.size(), stderr);
  if (logFile) {
    fwrite(line.data(), 1, line.size(), logFile);
    fflush(logFile);
  }
}

std::string counted(uint64_t n, std::string_view one, std::string_view many) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out + " " + std::string(n == 1 ? one : many);
}

}  // namespace jh
