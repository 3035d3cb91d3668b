// Running other programs: their answer, their deadline, and a command line for a tmux window.
#include <doctest/doctest.h>

#include "client/launcher/subprocess.h"

namespace jh::launch {

TEST_CASE("capture returns a program's output and exit status") {
  auto echoed = capture({"sh", "-c", "echo hello; echo oops >&2; exit 3"}, 5000);
  CHECK(echoed.started);
  CHECK(echoed.out == "hello\n");
  CHECK(echoed.status == 3);
  CHECK_FALSE(capture({"/no/such/program"}, 5000).started);
}

TEST_CASE("capture ends a program that outlives its deadline (timing-dependent)") {
  auto slow = capture({"sleep", "10"}, 200);
  CHECK(slow.status == 124);
}

TEST_CASE("waiting for a spawn that could not fork reaps no other child") {
  pid_t other = spawn({"true"}, {}, false);
  REQUIRE(other > 0);
  CHECK(waitFor(-1) == -1);
  CHECK(waitFor(other) == 0);  // still there to be reaped by its owner
}

TEST_CASE("a command line for sh quotes only the words that need it") {
  CHECK(shellQuote({"/r/run-one.sh", "--wait-for", "/r/run/tmux-go.a"}) ==
        "/r/run-one.sh --wait-for /r/run/tmux-go.a");
  CHECK(shellQuote({"echo", "it's", "", "a b"}) == "echo 'it'\\''s' '' 'a b'");
  CHECK(capture({"sh", "-c", shellQuote({"printf", "%s|", "it's", "a b"})}, 5000).out ==
        "it's|a b|");
}

}  // namespace jh::launch
