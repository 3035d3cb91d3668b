// The acknowledged orders of a fault-schedule test, and the two promises DESIGN.md §4 makes about
// each: its user sees it at every look after the acknowledgement, and every replica holds it once
// they have converged. Orders are compared by content (order_id, user, item, postcode), never by
// the row's name (origin, seq, incarnation), which a fix may change.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "schema/orders/order.h"
#include "tests/support/harness/test-cluster.h"

namespace jh::test {

struct AckedOrder {
  std::string orderId, user, item, postCode;
  // Whether its visibility is checked: false only where DESIGN.md §4 allows it to be out of
  // sight (min_acks 0 and its only holder down); the test that clears it says why.
  bool watched = true;
  size_t looks = 0;   // successful reads of its user's list since it was acknowledged
  size_t misses = 0;  // of those, the ones it was not in (with this content)
};

// Whether `row` is `order`: the same order_id, user, item and postcode.
bool sameOrder(const OrderRecord& row, const AckedOrder& order);

class OrderLedger {
 public:
  explicit OrderLedger(const TestCluster& cluster) : cluster_(cluster) {}

  // Places an order through `jh-client --json` (with --id when `id` is not empty) and records it
  // when acknowledged (exit 0). Returns jh-client's result.
  CommandResult place(const std::string& user, const std::string& item, const std::string& postCode,
                      const std::string& id = {});

  std::vector<AckedOrder>& acked() { return acked_; }
  const std::vector<AckedOrder>& acked() const { return acked_; }
  AckedOrder& get(const std::string& orderId);  // throws when it was not acknowledged

  // Reads the list of every user with a watched order once through `jh-client --json orders`,
  // and counts, for each watched order, whether a read that succeeded showed it. A read that
  // failed (unavailable) shows nothing and counts for nothing. Returns how many orders the
  // reads missed.
  size_t look();
  // look() again and again, from now until `span` has passed, noting when reads missed orders.
  void lookFor(std::chrono::milliseconds span);

  size_t watched() const;
  size_t visibleThroughout() const;  // watched orders that no successful read missed
  size_t reads() const { return reads_; }
  size_t failedReads() const { return failedReads_; }
  const std::vector<std::string>& missedReads() const {
    return missed_;
  }  // the first few, described

  // How many replicas' orders.csv hold `order` (with its content), as of now.
  size_t holders(const AckedOrder& order) const;
  // Acknowledged orders that every replica's orders.csv holds (with their content); the others
  // are described in `missing`.
  size_t onEveryReplica(std::string& missing) const;
  // Whether every replica's orders.csv holds the same rows (as a multiset); when not, what
  // differs from the first replica is described in `difference`.
  bool sameRowsEverywhere(std::string& difference) const;

  // "acknowledged A, visible throughout V of W watched (R reads, F failed), on every replica E",
  // and when reads missed orders, for the test's MESSAGE: the figures of the schedule.
  std::string summary() const;

 private:
  const TestCluster& cluster_;
  std::vector<AckedOrder> acked_;
  size_t reads_ = 0;
  size_t failedReads_ = 0;
  std::vector<std::string> missed_;
  // For each lookFor() whose reads missed orders: from when to when (after it began), in ms.
  std::vector<std::pair<long, long>> missedWhile_;
};

}  // namespace jh::test
