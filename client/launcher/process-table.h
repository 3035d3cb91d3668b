// What the kernel says about processes and ports, read from /proc: a pid's state and command
// line, signal names, and which TCP ports something listens on. Nothing here looks a process up
// by name: the launcher knows its processes by the pids it recorded.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace jh::launch {

// One letter of /proc/PID/stat: R, S, T (stopped), Z (zombie)…; '\0' when there is no such pid.
char procState(pid_t pid);
// Exists and is not a zombie: an exited child that nobody reaped is not running.
bool pidAlive(pid_t pid);
// The command line with its arguments joined by spaces, and a space after the last ("" if gone).
std::string procCmdline(pid_t pid);

// Whether `cmdline` (as procCmdline gives it) is the process that the launcher started as `name`
// rather than a stranger that got the pid later: the program itself (its --name, or jh-client for
// the client), scripts/run-one.sh holding its pid file, or for NAME.xterm the window titled NAME.
bool isOurs(std::string_view name, std::string_view cmdline, std::string_view clientName);

// "KILL", "SIGKILL", "kill" or "9" -> SIGKILL; nullopt for what kill(1) would not know.
std::optional<int> signalNumber(std::string_view text);
// SIGKILL -> "KILL".
std::string signalName(int signal);

// The ports in LISTEN state in the text of /proc/net/tcp or /proc/net/tcp6.
std::set<uint16_t> listeningPorts(std::string_view procNetTcp);
// Whether something listens on TCP `port` on this machine (in this network namespace).
bool portListening(uint16_t port);
// Who listens on `port`: "pid 123 (jh-replica --cluster …)", or what ss says.
std::string portOwner(uint16_t port);

// Sleeps, for polling loops; throws LaunchError (status 130) once the stop flag is set.
void sleepMs(int ms);
// The flag that a signal handler sets to end a command at its next wait (the demonstration's).
void setStopFlag(const std::atomic<bool>* flag);
// Evaluates `condition` every 100 ms until it holds (true) or `seconds` pass (false).
template <typename Condition>
bool pollUntil(double seconds, Condition&& condition);

}  // namespace jh::launch

#include <chrono>

template <typename Condition>
bool jh::launch::pollUntil(double seconds, Condition&& condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    sleepMs(100);
  }
  return true;
}
