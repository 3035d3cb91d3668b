// Reading processes and ports: signal names, whose a pid is, which ports listen, and states.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "client/launcher/process-control.h"
#include "client/launcher/process-table.h"
#include "client/launcher/run-folder.h"

namespace jh::launch {

TEST_CASE("a signal may be given as kill(1) takes it, in any case, and nothing else") {
  CHECK(signalNumber("KILL") == SIGKILL);
  CHECK(signalNumber("sigstop") == SIGSTOP);
  CHECK(signalNumber("Cont") == SIGCONT);
  CHECK(signalNumber("9") == SIGKILL);
  CHECK_FALSE(signalNumber("NOPE").has_value());
  CHECK_FALSE(signalNumber("").has_value());
  CHECK_FALSE(signalNumber("0").has_value());
  CHECK_FALSE(signalNumber("99999").has_value());
  CHECK(signalName(SIGKILL) == "KILL");
  CHECK(signalName(SIGSTOP) == "STOP");
}

TEST_CASE("a recorded pid is ours only when its command line is the process the launcher started") {
  std::string replica = "/b/jh-replica --cluster /c.json --name replica.server1 ";
  CHECK(isOurs("replica.server1", replica, "client"));
  CHECK_FALSE(isOurs("replica.server2", replica, "client"));
  CHECK_FALSE(isOurs("replica.server1", "/usr/bin/vim --name replica.server1 ", "client"));
  std::string runOne =
      "bash /r/scripts/run-one.sh --log /r/run/logs/just.hungry.log "
      "/r/run/pids/just.hungry.pid /b/jh-frontend --cluster c ";
  CHECK(isOurs("just.hungry", runOne, "client"));
  CHECK_FALSE(isOurs("just.hungry.2", runOne, "client"));
  CHECK(isOurs("client", "/b/jh-client --cluster c ", "client"));
  CHECK(isOurs("client.xterm", "xterm -title client -hold -e x ", "client"));
  CHECK_FALSE(isOurs("client.xterm", "xterm -title clients -hold ", "client"));
}

TEST_CASE("the listening ports are read from /proc/net/tcp, in hex, state 0A only") {
  std::string table =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
      "   0: 0100007F:2329 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0\n"
      "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0\n"
      "   2: 0100007F:2329 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000  0\n"
      "   3: 0100007F:C350 0100007F:2329 01 00000000:00000000 00:00000000 00000000  0\n";
  CHECK(listeningPorts(table) == std::set<uint16_t>{9001, 8080});
  CHECK(listeningPorts("").empty());
}

TEST_CASE("a process that exited is not alive, even before it is reaped") {
  CHECK(pidAlive(getpid()));
  CHECK(procCmdline(getpid()).find("jh_launch_tests") != std::string::npos);
  pid_t child = fork();
  if (child == 0) _exit(0);
  CHECK(pollUntil(5, [&] { return !pidAlive(child); }));  // a zombie until waited for
  waitpid(child, nullptr, 0);
  CHECK_FALSE(pidAlive(child));
  CHECK(procState(child) == '\0');
}

TEST_CASE("the cluster secret is random bytes in base64") {
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64(std::string(32, '\xff')).size() == 44);
}

TEST_CASE(
    "a file whose read fails reads as nothing, as a /proc file of a process that has just ended "
    "does") {
  // /proc/self/mem opens, and its first read fails (EIO: nothing is mapped at address 0), as a
  // read of /proc/PID/stat fails with ESRCH once PID has ended between the open and the read.
  CHECK(readFile("/proc/self/mem").empty());
  CHECK(procState(getpid()) != '\0');  // and a readable one is read
}

}  // namespace jh::launch
