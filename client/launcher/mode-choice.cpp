// Where the system's processes run (mode-choice.h).
#include "client/launcher/mode-choice.h"

#include <cstdlib>
#include <sstream>

#include "client/launcher/subprocess.h"

namespace jh::launch {

ModeChoice chooseMode(const std::string& forced, const DisplayFacts& facts) {
  std::string whyNoX;
  bool displayOk = false;
  if (facts.display.empty()) {
    whyNoX = "DISPLAY is not set";
  } else if (!facts.xtermInstalled) {
    whyNoX = "xterm is not installed";
  } else if (facts.displayAnswers) {
    displayOk = true;
  } else {
    whyNoX = "the X display " + facts.display + " does not answer";
  }
  if (forced == "xterm") {
    if (!displayOk) return {"", "", "--mode xterm: " + whyNoX};
    return {"xterm", "forced by --mode", ""};
  }
  if (forced == "tmux") {
    if (!facts.tmuxInstalled) return {"", "", "--mode tmux: tmux is not installed"};
    return {"tmux", "forced by --mode", ""};
  }
  if (forced == "background") return {"background", "forced by --mode", ""};
  if (displayOk) return {"xterm", "the X display " + facts.display + " answers", ""};
  if (facts.tmuxInstalled) return {"tmux", whyNoX + ", and tmux is installed", ""};
  return {"background", whyNoX + ", and tmux is not installed", ""};
}

bool onPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream folders(path != nullptr ? path : "/usr/bin:/bin");
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    if (!folder.empty() && isExecutable(folder + "/" + program)) return true;
  }
  return false;
}

DisplayFacts probeDisplay() {
  DisplayFacts facts;
  const char* display = std::getenv("DISPLAY");
  facts.display = display != nullptr ? display : "";
  facts.xtermInstalled = onPath("xterm");
  facts.tmuxInstalled = onPath("tmux");
  if (!facts.display.empty() && facts.xtermInstalled) {
    facts.displayAnswers = (onPath("xdpyinfo") && capture({"xdpyinfo"}, 5000).status == 0) ||
                           (onPath("xset") && capture({"xset", "q"}, 5000).status == 0);
  }
  return facts;
}

}  // namespace jh::launch
