// jh-client: parses the command line, reads the cluster file, connects to the front-ends and runs
// one command or the interactive client.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include <kj/async-io.h>

#include "client/command-line.h"
#include "client/ctrl-c.h"
#include "client/event-timeline.h"
#include "client/front-end-client.h"
#include "client/interactive.h"
#include "client/line-input.h"
#include "client/one-shot.h"
#include "schema/config/cluster-config.h"
#include "schema/runtime/daemon.h"

int main(int argc, char** argv) {
  using namespace jh::client;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parseCommandLine(args);
  if (auto* error = std::get_if<UsageError>(&parsed)) {
    bool json = std::find(args.begin(), args.end(), "--json") != args.end();
    return Reporter(std::cout, std::cerr, json).usageError("USAGE", error->message);
  }
  const CommandLine& cl = std::get<CommandLine>(parsed);
  if (cl.help) {
    std::cout << usageText();
    return EXIT_DONE;
  }
  Reporter reporter(std::cout, std::cerr, cl.json, Style::forStream(STDOUT_FILENO), STDOUT_FILENO);

  std::vector<jh::NodeConfig> frontends;
  try {
    auto config = jh::loadClusterConfig(jh::chooseClusterPath(cl.clusterPath, argv[0]));
    frontends = config.frontends;
    if (cl.frontend) {
      const jh::NodeConfig* chosen = config.findFrontend(*cl.frontend);
      if (chosen == nullptr) {
        return reporter.usageError("USAGE", "The cluster file " + config.path +
                                                " lists no front-end '" + *cl.frontend + "'.");
      }
      frontends = {*chosen};
    }
    if (frontends.empty()) {
      return reporter.usageError("CONFIG",
                                 "The cluster file " + config.path + " lists no front-end.");
    }
  } catch (const std::exception& e) { return reporter.usageError("CONFIG", e.what()); }

  // `events --follow` runs until Ctrl-C or a TERM, and then ends as it would at the end of a feed.
  if (cl.follow) jh::captureStopSignals();
  auto io = kj::setupAsyncIo();
  FrontEndClient client(io.provider->getNetwork(), io.provider->getTimer(), frontends);
  if (cl.follow) {
    return followEvents(client, io.provider->getTimer(), reporter, jh::stopSignal(io.unixEventPort))
        .wait(io.waitScope);
  }
  if (!cl.command.empty()) return runOneShot(cl, client, reporter).wait(io.waitScope);

  if (auto refused = checkBeforeCalling(cl)) return reporter.rejected(*refused);
  // On a terminal Ctrl-C cancels a step; a script piped in is stopped by it as usual.
  std::unique_ptr<CtrlC> ctrlC;
  std::unique_ptr<LineInput> input;
  if (isatty(STDIN_FILENO) == 1) {
    ctrlC = std::make_unique<CtrlC>(*io.lowLevelProvider, std::cout);
    input = std::make_unique<EditLineInput>(std::cout, *ctrlC);
  } else {
    input = std::make_unique<StreamLineInput>(std::cin, std::cout);
  }
  InteractiveSession session(client, *input, std::cout, Style::forStream(STDOUT_FILENO),
                             cl.userCode, ctrlC.get());
  return session.run().wait(io.waitScope);
}
