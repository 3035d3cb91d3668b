// How jh-launch talks to a person: lines on stdout, warnings and the reason it gives up on stderr
// prefixed with the program's name (startup.sh, kill-primary.sh…, as the script that ran it).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace jh::launch {

// Thrown by die(): main() prints "PROG: message" and exits with `status`.
struct LaunchError : std::runtime_error {
  explicit LaunchError(const std::string& message, int status = 1)
      : std::runtime_error(message), status(status) {}
  int status;
};

// The name that prefixes warnings (argv[0]'s last part: `exec -a startup.sh` sets it).
void setProgramName(std::string name);
const std::string& programName();

// One line on stdout, flushed (child processes share the stream).
void say(std::string_view line);
// "PROG: message" on stderr.
void warn(std::string_view message);
[[noreturn]] void die(const std::string& message);
// A usage error: "PROG: message", exit status 2.
[[noreturn]] void usageError(const std::string& message);

// `path` as a person would type it from the working folder: relative when it lies below it.
std::string rel(const std::string& path);

// Whether file descriptor `fd` gets colour: a terminal, NO_COLOR unset, TERM set and not dumb.
bool useColour(int fd = 1);
// `text` in the SGR colour `code` ("1;32") when `on`.
std::string paint(bool on, std::string_view code, std::string_view text);

}  // namespace jh::launch
