// jh-launch: the launcher that ./startup.sh and the scripts beside it run. Parses the command line
// and runs one command (commands.h); a failure is one line, "PROG: why", and a non-zero exit.
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "client/launcher/commands.h"
#include "client/launcher/launch-options.h"
#include "client/launcher/run-folder.h"
#include "client/launcher/say.h"

using namespace jh::launch;

namespace {

int runCommand(const Options& o) {
  const std::string& c = o.command;
  if (c == "start") return startCommand(o);
  if (c == "stop") return stopCommand(o);
  if (c == "status") return statusCommand(o);
  if (c == "watch") return watchCommand(o);
  if (c == "restart") return restartCommand(o);
  if (c == "kill") return killCommand(o);
  if (c == "logs" || c == "tail") return logsCommand(o, c == "tail");
  if (c == "clean") return cleanCommand(o);
  if (c == "pid") return pidCommand(o);
  if (c == "demo") return demoCommand(o);
  if (c == "load") return loadCommand(o);
  usageError("unknown command '" + c + "'");
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = argv[0];
  setProgramName(name.substr(name.rfind('/') + 1));
  RunFolder run = RunFolder::fromEnvironment();
  std::string usage = usageText(rel(run.tmuxSocket), run.stopGraceS);
  const char* level = std::getenv("JH_LOG_LEVEL");
  auto parsed = parseOptions({argv + 1, argv + argc}, level != nullptr ? level : "");
  try {
    if (auto* error = std::get_if<UsageError>(&parsed)) usageError(error->message);
    const Options& options = std::get<Options>(parsed);
    if (options.help) {
      fmt::print("{}", usage);
      return 0;
    }
    return runCommand(options);
  } catch (const LaunchError& e) {
    warn(e.what());
    if (e.status == 2 && std::string_view(e.what()).starts_with("unknown")) {
      fmt::print(stderr, "{}", usage);
    }
    return e.status;
  } catch (const std::exception& e) {
    // What no command expected (a run folder it cannot write): one line, not an abort.
    warn(e.what());
    return 1;
  }
}
