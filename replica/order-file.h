// orders.csv: loading at start (a torn final record is cut off; any other damage stops the
// replica naming the line), durable appends with group commit on a writer thread, and whether
// the file holds the replica's whole history (DESIGN.md §4: a replica that lost it cannot vouch
// for what its earlier life held).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <kj/async.h>

#include "replica/loop-bell.h"
#include "schema/orders/order.h"

namespace jh {

class OrderFile {
 public:
  // Receives the file's orders at start, in file order, each checked (fields, and seqs 1, 2, 3…
  // per origin incarnation).
  struct Loader {
    virtual ~Loader() = default;
    virtual void expect(size_t orders) = 0;  // about how many will come (from the file's size)
    virtual void add(const OrderView& order) = 0;  // its text lives only during the call
  };

  // Opens `path`, hands every order to `loader`, and cuts off a torn final record (logged).
  // Throws ConfigError "PATH:LINE: why" for any other damage. When `path` does not exist, the
  // replica lost its file (or never had one): it writes PATH.partial instead (loading what an
  // earlier start wrote there) until keepHistory() renames it to `path`. Appends and probes
  // resolve on the event loop of `io` (made on that loop's thread); without it, only loading.
  OrderFile(std::string path, Loader&& loader, kj::LowLevelAsyncIoProvider* io = nullptr);
  // The same, collecting the orders in `loaded`.
  OrderFile(std::string path, std::vector<OrderRecord>& loaded,
            kj::LowLevelAsyncIoProvider* io = nullptr);
  ~OrderFile();  // finishes what was queued, then stops the writer thread

  OrderFile(const OrderFile&) = delete;
  OrderFile& operator=(const OrderFile&) = delete;

  // Queues CSV records for appending (on the loop given at construction). The promise resolves
  // once they are on disk and fdatasync'ed; appends queued while a sync runs share the next
  // sync. Appends complete in the order they were queued. When a write or sync fails, that
  // append and every one queued after it fail (FAILED), the file is cut back to its last good
  // length, and further appends fail until resume() is called: the caller must first forget
  // whatever it had assumed about the failed records.
  kj::Promise<void> append(std::string records);
  void resume();

  // Whether the disk takes writes again: appends a line break, syncs, cuts it off and syncs
  // again, on the writer thread. Resolves true (and resumes appends) or false.
  kj::Promise<bool> probe();

  // Whether the file holds every row this replica ever stored: it existed at start, or
  // keepHistory() was called since.
  bool holdsHistory() const { return holdsHistory_; }
  // The replica has since synced with every peer, so the file holds whatever any acknowledgement
  // counted this replica for: renames PATH.partial to PATH (durably). Main thread.
  void keepHistory();

  // The file being written: PATH, or PATH.partial while it does not hold the history.
  const std::string& path() const { return writing_; }
  uint64_t syncs() const { return syncs_; }

 private:
  // The fulfillers belong to the loop: the writer thread only moves them from queue_ to
  // finished_ (or probes_ to probed_), and the loop fulfills them when the bell rings.
  struct Pending {
    std::string bytes;
    kj::Own<kj::PromiseFulfiller<void>> done;
    kj::Maybe<kj::Exception> failure;  // set by the writer thread
  };
  struct Probe {
    kj::Own<kj::PromiseFulfiller<bool>> done;
    bool ok = false;  // set by the writer thread
  };
  bool probeNow();
  void listen();  // the loop: starts delivering, once
  kj::Promise<void> deliverWhenRung();
  void deliverFinished();  // the loop: fulfills what the writer finished
  void ringBell();         // the writer thread

  void load(Loader& loader);
  void writerLoop();
  bool writeAll(const std::string& bytes, std::string& error);

  std::string path_;
  std::string writing_;
  bool holdsHistory_ = true;
  int fd_ = -1;
  uint64_t size_ = 0;  // bytes known good on disk; written by the writer thread only

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Pending> queue_;
  std::vector<Probe> probes_;
  std::vector<Pending> finished_;  // written and synced (or failed), for the loop to answer
  std::vector<Probe> probed_;
  bool stopping_ = false;
  bool failed_ = false;
  std::string failure_;
  std::atomic<uint64_t> syncs_ = 0;
  kj::Maybe<kj::Own<LoopBell>> bell_;        // rung by the writer thread when something finished
  kj::Maybe<kj::Promise<void>> delivering_;  // the loop's wait for the bell, once appending
  std::thread writer_;
};

}  // namespace jh
