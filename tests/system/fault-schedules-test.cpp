// The five fault schedules of issue 13, each driven on real processes and judged as DESIGN.md §4
// promises: every acknowledged order is in its user's list at every look after its
// acknowledgement (a read that fails counts for nothing; a read that succeeds without it is a
// miss), and on every replica, with the same content, once the replicas have converged.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/system/order-ledger.h"
#include "tests/system/system-checks.h"

using namespace jh::test;
using namespace std::chrono_literals;

namespace {

const std::string R1 = "replica.server1", R2 = "replica.server2", R3 = "replica.server3";
// How long a user's list is read again and again after a switch of primary: a replica that
// serves without the orders acknowledged while it was away lacks them until its peers' pushes
// reach it, which their back-off (capped at one second) can delay by that much.
constexpr auto LOOK_SPAN = 1500ms;

ClusterOptions schedule(uint32_t minAcks) {
  ClusterOptions o;
  o.minAcks = minAcks;
  o.callTimeoutMs = 500;
  o.heartbeatMs = 50;
  return o;
}

std::string primaryOf(const TestCluster& cluster) {
  auto s = cluster.frontendStatus();
  return s ? s->primary : std::string();
}

// Whether the front-end's table shows `replica` answering (in whatever state).
bool frontendSeesUp(const TestCluster& cluster, const std::string& replica) {
  auto s = cluster.frontendStatus();
  if (!s) return false;
  for (auto& r : s->replicas) {
    if (r.name == replica) return r.state != "DOWN";
  }
  return false;
}

// Whether the front-end routes to `name` and `name` itself says it is READY.
bool primaryIs(const TestCluster& cluster, const std::string& name,
               std::chrono::milliseconds bound = 10s) {
  return waitUntil(
      [&]() {
        auto h = cluster.replicaHealth(name);
        return primaryOf(cluster) == name && h && h->state == "READY";
      },
      bound);
}

void restartKilled(TestCluster& cluster, const std::string& name) {
  cluster.stop(name);
  cluster.start(name);
}

// How long replica 1 stays frozen after the first order acknowledged without it. Its peers try
// to reach it again and again, each try lasting a call timeout (500 ms) and followed by a
// back-off sleep of 50, 100, 200, 400, 800 and then 1000 ms: 4.7 s after their first try they are
// both in the 1000 ms sleep (which spans 4.55 s to 5.55 s after it), so when replica 1 resumes,
// nothing is on its way to it for another 0.85 s, and only a replica that waits for what it
// lacks before serving shows the orders. Resumed during one of their tries instead, it receives
// them within milliseconds, and today's code is caught only now and then.
constexpr auto FROZEN_FOR = 4700ms;

// Replica 1 freezes; the front-end fails over to replica 2 by the call deadline, and `user`'s
// orders are acknowledged there (min_acks 1: on replica 3 too) one after another for
// FROZEN_FOR. Replica 2's first push to the frozen replica 1 waits in its socket buffer and is
// applied when it resumes; the pushes after it time out, so most orders can reach replica 1
// only through a push after it resumes.
void orderWhileReplica1Frozen(TestCluster& cluster, OrderLedger& ledger, const std::string& user) {
  REQUIRE(cluster.kill(R1, SIGSTOP));
  auto first = ledger.place(user, "CHIPS", "AB10 1AB");
  REQUIRE_MESSAGE(first.exitCode == 0, first.out << first.err);
  REQUIRE(jsonField(first.out, "origin") == R2);
  auto until = std::chrono::steady_clock::now() + FROZEN_FOR;
  while (std::chrono::steady_clock::now() < until) {
    auto r = ledger.place(user, "HAMBURGER", "M1 1AD");
    REQUIRE_MESSAGE(r.exitCode == 0, r.out << r.err);
  }
  ledger.look();
}

// The end of every schedule, with every replica running: once they have converged, each
// acknowledged order on every replica with its content, the same rows on all, every user's list
// read once more, and the schedule's figures.
void checkAtTheEnd(TestCluster& cluster, OrderLedger& ledger, const std::string& name) {
  bool converged = waitConverged(cluster);
  ledger.look();
  std::string missing, difference;
  size_t everywhere = ledger.onEveryReplica(missing);
  bool same = ledger.sameRowsEverywhere(difference);
  MESSAGE(name << ": " << ledger.summary());
  std::string misses;
  for (auto& m : ledger.missedReads()) misses += m + "\n";
  if (!converged || !misses.empty() || !missing.empty() || !same) cluster.dumpLogs(std::cerr, 30);
  CHECK(converged);
  CHECK_MESSAGE(ledger.visibleThroughout() == ledger.watched(), misses);
  CHECK_MESSAGE(everywhere == ledger.acked().size(), missing);
  CHECK_MESSAGE(same, difference);
}

}  // namespace

TEST_CASE(
    "schedule 1: a replica resumed from SIGSTOP as the interim primary dies serves only once it "
    "holds every acknowledged order, timing-dependent") {
  TestCluster cluster(schedule(1));
  OrderLedger ledger(cluster);
  orderWhileReplica1Frozen(cluster, ledger, "ann");
  // At once, as the front-end sees it: replica 2 dies the moment the front-end sees replica 1
  // again, within a heartbeat of its resuming. (Killed a moment before instead, replica 2 may be
  // found dead first; the front-end then picks replica 3 and hands over to replica 1 only once it
  // holds everything, which today's code gets right: that order caught today's code in 4 runs
  // of 5.)
  REQUIRE(cluster.kill(R1, SIGCONT));
  REQUIRE(waitUntil([&]() { return frontendSeesUp(cluster, R1); }, 10s, 5ms));
  REQUIRE(cluster.kill(R2, SIGKILL));
  ledger.lookFor(LOOK_SPAN);
  restartKilled(cluster, R2);
  checkAtTheEnd(cluster, ledger, "schedule 1");
}

TEST_CASE(
    "schedule 2: a hand-over to a replica resumed from SIGSTOP, cut short by the interim primary "
    "freezing, serves only what it holds in full, timing-dependent") {
  TestCluster cluster(schedule(1));
  OrderLedger ledger(cluster);
  orderWhileReplica1Frozen(cluster, ledger, "bea");
  REQUIRE(cluster.kill(R1, SIGCONT));
  // The hand-over to replica 1 begins when the front-end sees it again.
  REQUIRE(waitUntil([&]() { return frontendSeesUp(cluster, R1); }, 10s, 5ms));
  // The schedule itself: replica 2 freezes tens of milliseconds into the hand-over.
  std::this_thread::sleep_for(20ms);
  REQUIRE(cluster.kill(R2, SIGSTOP));
  ledger.lookFor(LOOK_SPAN);
  REQUIRE(cluster.kill(R2, SIGCONT));
  checkAtTheEnd(cluster, ledger, "schedule 2");
}

TEST_CASE(
    "schedule 3: a replica restarted without its orders.csv while a peer is down never gives a new "
    "order the name of an acknowledged one") {
  TestCluster cluster(schedule(1));
  OrderLedger ledger(cluster);
  REQUIRE(cluster.kill(R2, SIGKILL));
  cluster.stop(R2);
  // O: replica 1's first order, acknowledged with replica 3's copy (replica 2 never sees it).
  auto o = ledger.place("cy", "CHIPS", "AB10 1AB");
  REQUIRE_MESSAGE(o.exitCode == 0, o.out << o.err);
  REQUIRE(jsonField(o.out, "origin") == R1);
  CHECK(ledger.holders(ledger.acked().back()) >= 2);  // min_acks 1: durable on two replicas
  REQUIRE(cluster.kill(R3, SIGKILL));
  REQUIRE(cluster.kill(R1, SIGKILL));
  cluster.stop(R3);
  cluster.stop(R1);
  REQUIRE(std::filesystem::remove(cluster.replicaDir(R1) + "/orders.csv"));
  cluster.start(R2);
  REQUIRE(cluster.waitReplicaReady(R2, 10s));
  cluster.start(R1);  // it reaches only replica 2, which never held O
  REQUIRE(cluster.waitReplicaReady(R1, 10s));
  // Today's front-end hands replica 1 back its role within moments. One that will not promote a
  // replica unable to vouch for O never does: the order below is then refused or taken by
  // someone else, and either is right. The bound only keeps that case short.
  bool replica1Primary = primaryIs(cluster, R1, 5s);
  auto n = ledger.place("dee", "HAMBURGER", "M1 1AD");
  CHECK_MESSAGE((n.exitCode == 0 || n.exitCode == 3),
                n.out << n.err);  // acknowledged, or refused as unavailable
  if (n.exitCode == 0) CHECK(ledger.holders(ledger.acked().back()) >= 2);
  MESSAGE("schedule 3: replica 1 primary before N: " << replica1Primary << "; N exit " << n.exitCode
                                                     << ", origin " << jsonField(n.out, "origin"));
  // No running replica holds O until replica 3 returns: a read must fail rather than succeed
  // without it.
  ledger.look();
  cluster.start(R3);  // with O
  checkAtTheEnd(cluster, ledger, "schedule 3");
}

TEST_CASE(
    "schedule 4: with min_acks 2, a replica restarted without its orders.csv and no peer reachable "
    "acknowledges only what all three hold and overwrites no earlier order") {
  TestCluster cluster(schedule(2));
  OrderLedger ledger(cluster);
  // An acknowledgement under min_acks 2 means all three replicas hold the order durably as it
  // arrives: their files are read at once, with no waiting for propagation.
  auto checkAllHold = [&](const CommandResult& r) {
    CHECK_MESSAGE(ledger.holders(ledger.acked().back()) == 3,
                  "acknowledged while not on all three replicas: " << r.out);
  };
  for (int i = 0; i < 3; ++i) {
    auto r = ledger.place("eve", "CHIPS", "AB10 1AB");
    REQUIRE_MESSAGE(r.exitCode == 0, r.out << r.err);
    checkAllHold(r);
  }
  for (auto& name : cluster.replicaNames()) {
    REQUIRE(cluster.kill(name, SIGKILL));
    cluster.stop(name);
  }
  REQUIRE(std::filesystem::remove(cluster.replicaDir(R1) + "/orders.csv"));
  cluster.start(R1);  // no peer to reach: it gives up on them after the sync timeout
  REQUIRE(cluster.waitReplicaReady(R1, 10s));
  // Today's front-end makes it primary at once. One that will not promote a replica with nothing
  // to vouch for what was acknowledged never does, and then the order below is refused without
  // reaching it: the bound only keeps that case short.
  bool replica1Primary = primaryIs(cluster, R1, 5s);

  // Nothing can be acknowledged by replica 1 alone: the order is refused as unavailable.
  const std::string N = "schedule-4-n";
  auto alone = ledger.place("fay", "HAMBURGER", "M1 1AD", N);
  CHECK_MESSAGE(alone.exitCode == 3, alone.out << alone.err);
  MESSAGE("schedule 4: replica 1 primary alone: "
          << replica1Primary << "; the order placed then: exit " << alone.exitCode);
  if (alone.exitCode == 0) checkAllHold(alone);
  cluster.start(R2);
  cluster.start(R3);
  REQUIRE(cluster.waitReplicaReady(R2, 10s));
  REQUIRE(cluster.waitReplicaReady(R3, 10s));
  // Replica 1 serves again once it has synced with its peers (after an interim primary, at
  // times). Its pushes to them have failed since it started, and it waits up to a second between
  // tries, longer than an order waits for its acknowledgements (375 ms here): the first order it
  // takes is acknowledged at its first attempt only if the sync of its promotion, which reached
  // both peers, also ends that wait. Placed right after the promotion, it is refused most times
  // when it does not.
  REQUIRE(primaryIs(cluster, R1));
  auto first = ledger.place("fay", "CHIPS", "AB10 1AB");
  REQUIRE_MESSAGE(first.exitCode == 0, first.out << first.err);
  CHECK(jsonField(first.out, "origin") == R1);
  checkAllHold(first);
  // The refused attempt is repeated (as the client is told it safely may) until it is
  // acknowledged, which needs all three to hold it.
  CommandResult repeated;
  bool acknowledged = waitUntil(
      [&]() {
        repeated = ledger.place("fay", "HAMBURGER", "M1 1AD", N);
        return repeated.exitCode == 0;
      },
      10s, 100ms);
  REQUIRE_MESSAGE(acknowledged, repeated.out << repeated.err);
  checkAllHold(repeated);
  auto later = ledger.place("fay", "CHIPS", "AB10 1AB");
  REQUIRE_MESSAGE(later.exitCode == 0, later.out << later.err);
  checkAllHold(later);
  checkAtTheEnd(cluster, ledger, "schedule 4");
}

TEST_CASE(
    "schedule 5: two users' orders under one order_id on two sides of a failover both stay listed "
    "for their users, on every replica") {
  TestCluster cluster(schedule(0));
  OrderLedger ledger(cluster);
  const std::string ID = "schedule-5-one-id";
  // Replica 1 alone takes Alice's order: the others are down, not frozen, as a frozen replica
  // would find the push waiting in its socket buffer when it thaws.
  for (auto& name : {R2, R3}) {
    REQUIRE(cluster.kill(name, SIGKILL));
    cluster.stop(name);
  }
  auto alice = ledger.place("alice", "CHIPS", "AB10 1AB", ID);
  REQUIRE_MESSAGE(alice.exitCode == 0, alice.out << alice.err);
  REQUIRE(jsonField(alice.out, "origin") == R1);
  REQUIRE(cluster.kill(R1, SIGSTOP));
  // DESIGN.md §4's one exception: under min_acks 0 an order that only a frozen replica holds is
  // out of sight until it returns. Alice's is looked for once replica 1 is back for good.
  ledger.acked().back().watched = false;
  cluster.start(R2);
  cluster.start(R3);
  REQUIRE(primaryIs(cluster, R2));
  auto bob = ledger.place("bob", "HAMBURGER", "M1 1AD", ID);
  REQUIRE_MESSAGE(bob.exitCode == 0, bob.out << bob.err);
  CHECK(jsonField(bob.out, "origin") != R1);
  ledger.look();
  REQUIRE(cluster.kill(R1, SIGCONT));
  ledger.lookFor(LOOK_SPAN);  // Bob's order, through replica 1's return
  REQUIRE(waitConverged(cluster));
  for (auto& o : ledger.acked()) o.watched = true;

  // Each replica's own answer: the other two frozen, the front-end routes to it alone.
  for (auto& only : cluster.replicaNames()) {
    CAPTURE(only);
    std::vector<std::string> others;
    for (auto& name : cluster.replicaNames()) {
      if (name != only) others.push_back(name);
    }
    if (only != R1) {
      for (auto& name : others) REQUIRE(cluster.kill(name, SIGSTOP));
    }
    REQUIRE(primaryIs(cluster, only));
    REQUIRE(waitUntil(
        [&]() {
          size_t failedBefore = ledger.failedReads();
          ledger.look();
          return ledger.failedReads() == failedBefore;  // both users' lists were read
        },
        10s, 50ms));
    if (only != R1) {
      for (auto& name : others) REQUIRE(cluster.kill(name, SIGCONT));
    }
    REQUIRE(primaryIs(cluster, R1));
  }
  checkAtTheEnd(cluster, ledger, "schedule 5");
}
