// How jh-launch talks to a person (say.h).
#include "client/launcher/say.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

namespace jh::launch {

namespace {
std::string& nameSlot() {
  static std::string name = "jh-launch";
  return name;
}
}  // namespace

void setProgramName(std::string name) { nameSlot() = std::move(name); }
const std::string& programName() { return nameSlot(); }

void say(std::string_view line) {
  fmt::print("{}\n", line);
  std::fflush(stdout);
}

void warn(std::string_view message) {
  std::fflush(stdout);
  fmt::print(stderr, "{}: {}\n", programName(), message);
}

void die(const std::string& message) { throw LaunchError(message); }
void usageError(const std::string& message) { throw LaunchError(message, 2); }

std::string rel(const std::string& path) {
  std::error_code error;
  std::string here = std::filesystem::current_path(error).string();
  if (!error && path.size() > here.size() + 1 && path.starts_with(here) && path[here.size()] == '/')
    return path.substr(here.size() + 1);
  return path;
}

bool useColour(int fd) {
  const char* term = std::getenv("TERM");
  const char* noColour = std::getenv("NO_COLOR");
  return isatty(fd) && (noColour == nullptr || *noColour == '\0') && term != nullptr &&
         std::string_view(term) != "dumb" && *term != '\0';
}

std::string paint(bool on, std::string_view code, std::string_view text) {
  if (!on) return std::string(text);
  return fmt::format("\033[{}m{}\033[0m", code, text);
}

}  // namespace jh::launch
