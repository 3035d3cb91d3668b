// What the kernel says about processes and ports (process-table.h).
#include "client/launcher/process-table.h"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "client/launcher/run-folder.h"
#include "client/launcher/say.h"
#include "client/launcher/subprocess.h"

namespace jh::launch {

namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// "…run-one.sh … /NAME.pid …": the run-one.sh that holds NAME's pid file.
bool isRunOneOf(std::string_view name, std::string_view cmdline) {
  auto script = cmdline.find("run-one.sh");
  return script != std::string_view::npos &&
         contains(cmdline.substr(script), fmt::format("/{}.pid ", name));
}

}  // namespace

char procState(pid_t pid) {
  std::string stat = readFile(fmt::format("/proc/{}/stat", pid));
  // The command name in parentheses may hold anything: the state follows the last ") ".
  auto end = stat.rfind(") ");
  return end == std::string::npos || end + 2 >= stat.size() ? '\0' : stat[end + 2];
}

bool pidAlive(pid_t pid) {
  char state = procState(pid);
  return state != '\0' && state != 'Z' && state != 'X';
}

std::string procCmdline(pid_t pid) {
  std::string cmdline = readFile(fmt::format("/proc/{}/cmdline", pid));
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  std::replace(cmdline.begin(), cmdline.end(), '\n', ' ');
  return cmdline;
}

bool isOurs(std::string_view name, std::string_view cmdline, std::string_view clientName) {
  if (name.ends_with(".xterm")) {
    auto window = name.substr(0, name.size() - 6);
    return contains(cmdline, "xterm") && contains(cmdline, fmt::format("-title {} ", window));
  }
  if (name == clientName) return contains(cmdline, "jh-client") || isRunOneOf(name, cmdline);
  return (contains(cmdline, "jh-") && contains(cmdline, fmt::format("--name {} ", name))) ||
         isRunOneOf(name, cmdline);
}

std::optional<int> signalNumber(std::string_view text) {
  std::string name;
  for (char c : text) name += char(std::toupper(static_cast<unsigned char>(c)));
  if (name.starts_with("SIG")) name.erase(0, 3);
  if (name.empty()) return std::nullopt;
  if (std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(c); })) {
    if (name.size() > 2) return std::nullopt;
    int number = std::stoi(name);
    return number >= 1 && number < SIGRTMIN && sigabbrev_np(number) ? std::optional(number)
                                                                    : std::nullopt;
  }
  for (int number = 1; number < SIGRTMIN; ++number) {
    const char* known = sigabbrev_np(number);
    if (known != nullptr && name == known) return number;
  }
  return std::nullopt;
}

std::string signalName(int signal) {
  const char* name = sigabbrev_np(signal);
  return name ? name : std::to_string(signal);
}

std::set<uint16_t> listeningPorts(std::string_view procNetTcp) {
  std::set<uint16_t> ports;
  std::istringstream lines{std::string(procNetTcp)};
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    if (!(fields >> slot >> local >> remote >> state) || state != "0A") continue;  // 0A: LISTEN
    auto colon = local.rfind(':');
    if (colon == std::string::npos) continue;
    ports.insert(uint16_t(std::stoul(local.substr(colon + 1), nullptr, 16)));
  }
  return ports;
}

bool portListening(uint16_t port) {
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    if (listeningPorts(readFile(table)).count(port)) return true;
  }
  return false;
}

std::string portOwner(uint16_t port) {
  auto ss = capture({"ss", "-Hltnp", fmt::format("sport = :{}", port)}, 5000);
  if (!ss.started) return "an unknown process";
  std::string line = ss.out.substr(0, ss.out.find('\n'));
  auto at = line.find("pid=");
  if (at == std::string::npos) {
    return fmt::format("a process ss cannot name ({})", line.empty() ? "none" : line);
  }
  pid_t pid = std::atoi(line.c_str() + at + 4);
  return fmt::format("pid {} ({})", pid, procCmdline(pid).substr(0, 120));
}

namespace {
const std::atomic<bool>* stopFlag = nullptr;
}  // namespace

void setStopFlag(const std::atomic<bool>* flag) { stopFlag = flag; }

void sleepMs(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  if (stopFlag != nullptr && *stopFlag) throw LaunchError("stopped by a signal", 130);
}

}  // namespace jh::launch
