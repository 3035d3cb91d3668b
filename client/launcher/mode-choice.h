// Where the system's processes run: an xterm each when an X display answers, else a tmux window
// each when tmux is installed, else in the background; --mode forces one, if it can work here.
#pragma once

#include <string>

namespace jh::launch {

// What the machine offers, as probeDisplay() finds it.
struct DisplayFacts {
  std::string display;  // $DISPLAY ("" when unset)
  bool xtermInstalled = false;
  bool displayAnswers = false;  // xdpyinfo or xset q succeeded
  bool tmuxInstalled = false;
};

struct ModeChoice {
  std::string mode;   // xterm, tmux or background; "" when `forced` cannot work
  std::string why;    // "forced by --mode", "DISPLAY is not set, and tmux is installed"…
  std::string error;  // when mode is "": "--mode xterm: xterm is not installed"…
};

ModeChoice chooseMode(const std::string& forced, const DisplayFacts& facts);

// Looks: $DISPLAY, xterm and tmux on PATH, and asks the display (xdpyinfo, else xset q; 5 s).
DisplayFacts probeDisplay();

// Whether PROGRAM is on PATH.
bool onPath(const std::string& program);

}  // namespace jh::launch
