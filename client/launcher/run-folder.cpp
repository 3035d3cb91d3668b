// The launcher's run folder (run-folder.h).
#include "client/launcher/run-folder.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "client/launcher/say.h"

namespace fs = std::filesystem;

namespace jh::launch {

namespace {
std::string envOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}
}  // namespace

RunFolder RunFolder::fromEnvironment() {
  RunFolder run;
  run.root = envOr("JH_ROOT", JH_SOURCE_DIR);
  run.dir = envOr("JH_RUN_DIR", run.root + "/run");
  run.pids = run.dir + "/pids";
  run.logs = run.dir + "/logs";
  run.tmuxSocket = envOr("JH_TMUX_SOCKET", run.dir + "/tmux.sock");
  try {
    run.stopGraceS = std::stod(envOr("JH_STOP_GRACE", "5"));
  } catch (const std::exception&) { run.stopGraceS = 5; }
  return run;
}

std::optional<pid_t> RunFolder::recordedPid(const std::string& name) const {
  return pidIn(pidFile(name));
}

std::vector<std::string> RunFolder::pidNames() const {
  std::vector<std::string> names;
  std::error_code error;
  for (auto& entry : fs::directory_iterator(pids, error)) {
    if (entry.path().extension() == ".pid") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string RunFolder::recorded(const std::string& what) const {
  return firstLine(dir + "/" + what);
}

void RunFolder::record(const std::string& what, const std::string& value) const {
  writeFile(dir + "/" + what, value + "\n");
}

Argv RunFolder::tmux(const Argv& args) const {
  Argv argv{"tmux", tmuxSocket.find('/') != std::string::npos ? "-S" : "-L", tmuxSocket};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::string RunFolder::tmuxAttachCommand() const {
  bool isPath = tmuxSocket.find('/') != std::string::npos;
  return std::string("tmux ") + (isPath ? "-S " + rel(tmuxSocket) : "-L " + tmuxSocket) + " attach";
}

bool RunFolder::tmuxHasSession() const {
  return capture(tmux({"has-session", "-t", TMUX_SESSION}), 5000).status == 0;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  // libstdc++'s filebuf throws a failed read(2) as std::ios_base::failure, whatever the stream's
  // exception mask.
  try {
    return std::string(std::istreambuf_iterator<char>(in), {});
  } catch (const std::ios_base::failure&) { return {}; }
}

std::string firstLine(const std::string& path) {
  std::string text = readFile(path);
  return text.substr(0, text.find('\n'));
}

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::optional<pid_t> pidIn(const std::string& path) {
  std::string text = firstLine(path);
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return pid_t(std::stol(text));
}

}  // namespace jh::launch
