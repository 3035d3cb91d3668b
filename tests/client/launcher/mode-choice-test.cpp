// Where the processes run: xterm, then tmux, then the background, and what --mode may force.
#include <doctest/doctest.h>

#include "client/launcher/mode-choice.h"

namespace jh::launch {

TEST_CASE("an answering X display with xterm means xterm") {
  auto c = chooseMode("", {":0", true, true, true});
  CHECK(c.mode == "xterm");
  CHECK(c.why == "the X display :0 answers");
}

TEST_CASE("without a usable display it is tmux, and the reason says why not xterm") {
  CHECK(chooseMode("", {"", true, false, true}).why == "DISPLAY is not set, and tmux is installed");
  CHECK(chooseMode("", {":0", false, false, true}).why ==
        "xterm is not installed, and tmux is installed");
  auto silent = chooseMode("", {":0", true, false, true});
  CHECK(silent.mode == "tmux");
  CHECK(silent.why == "the X display :0 does not answer, and tmux is installed");
}

TEST_CASE("without tmux either it is the background") {
  auto c = chooseMode("", {"", false, false, false});
  CHECK(c.mode == "background");
  CHECK(c.why == "DISPLAY is not set, and tmux is not installed");
}

TEST_CASE("--mode forces a mode that can work here, and refuses one that cannot, saying why") {
  CHECK(chooseMode("background", {":0", true, true, true}).mode == "background");
  CHECK(chooseMode("tmux", {"", false, false, true}).why == "forced by --mode");
  auto noTmux = chooseMode("tmux", {"", false, false, false});
  CHECK(noTmux.mode == "");
  CHECK(noTmux.error == "--mode tmux: tmux is not installed");
  CHECK(chooseMode("xterm", {"", true, false, true}).error == "--mode xterm: DISPLAY is not set");
}

}  // namespace jh::launch
