// Buffering in front of a connection's stream.
#include "schema/rpc/buffered-stream.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include <capnp/rpc.capnp.h>
#include <capnp/serialize.h>

namespace jh {

namespace {

// A Finish is 40 bytes (segment table, root pointer, Message, Finish); anything larger is not one.
constexpr size_t MAX_FINISH_BYTES = 64;

// Whether `pieces`, one message as capnp writes it (segment table, then segments), is a Finish.
bool isFinish(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) {
  size_t size = 0;
  for (auto& piece : pieces) size += piece.size();
  if (size > MAX_FINISH_BYTES || size % sizeof(capnp::word) != 0) return false;
  capnp::word words[MAX_FINISH_BYTES / sizeof(capnp::word)];  // aligned, as the reader needs
  auto* at = reinterpret_cast<kj::byte*>(words);
  for (auto& piece : pieces) {
    if (piece.size() > 0) std::memcpy(at, piece.begin(), piece.size());
    at += piece.size();
  }
  bool finish = false;
  auto failure = kj::runCatchingExceptions([&]() {
    capnp::FlatArrayMessageReader message(kj::arrayPtr(words, size / sizeof(capnp::word)));
    finish = message.getRoot<capnp::rpc::Message>().which() == capnp::rpc::Message::FINISH;
  });
  return failure == nullptr && finish;
}

class BufferedStream final : public kj::AsyncIoStream {
 public:
  BufferedStream(kj::Own<kj::AsyncIoStream> inner, kj::Timer& timer)
      : inner_(kj::mv(inner)), timer_(timer) {}

  kj::Promise<size_t> tryRead(void* buffer, size_t minBytes, size_t maxBytes) override {
    auto* out = static_cast<kj::byte*>(buffer);
    size_t have = takeBuffered(out, maxBytes);
    if (have >= minBytes) return have;
    out += have;
    minBytes -= have;
    maxBytes -= have;
    if (maxBytes >= READ_CAPACITY) {  // a large message body: straight into the caller's memory
      return inner_->tryRead(out, minBytes, maxBytes).then([have](size_t n) { return have + n; });
    }
    return inner_->tryRead(readBuffer_, minBytes, READ_CAPACITY)
        .then([this, out, maxBytes, have](size_t n) {
          readEnd_ = n;                               // the buffer was empty, so readBegin_ is 0
          return have + takeBuffered(out, maxBytes);  // n < minBytes only at the end of the stream
        });
  }

  kj::Promise<void> write(const void* buffer, size_t size) override {
    kj::ArrayPtr<const kj::byte> piece(static_cast<const kj::byte*>(buffer), size);
    return write(kj::arrayPtr(&piece, 1));
  }

  kj::Promise<void> write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) override {
    KJ_IF_MAYBE (e, writeError_) { return kj::cp(*e); }
    // (While a send is under way, whatever is queued goes when it ends anyway.)
    bool hold = !sending_ && (queued_.empty() || holding_) && isFinish(pieces);
    for (auto& piece : pieces) queued_.insert(queued_.end(), piece.begin(), piece.end());
    if (hold) {
      if (!holding_) {
        holding_ = true;
        holdTimer_ = timer_.afterDelay(FINISH_HOLD)
                         .then([this]() {
                           holding_ = false;
                           startSending();
                         })
                         .eagerlyEvaluate(nullptr);
      }
      return kj::READY_NOW;
    }
    stopHolding();
    if (!sending_) startSending();
    if (queued_.size() + inFlight_.size() < WRITE_AHEAD) return kj::READY_NOW;
    auto paf = kj::newPromiseAndFulfiller<void>();
    drainWaiters_.push_back(kj::mv(paf.fulfiller));
    return kj::mv(paf.promise);
  }

  kj::Promise<void> whenWriteDisconnected() override { return inner_->whenWriteDisconnected(); }

  void shutdownWrite() override {
    if (holding_) {
      stopHolding();
      startSending();
    }
    if (sending_) {
      shutdownPending_ = true;  // after what is queued has gone
    } else {
      inner_->shutdownWrite();
    }
  }

  void abortRead() override { inner_->abortRead(); }
  void getsockopt(int level, int option, void* value, kj::uint* length) override {
    inner_->getsockopt(level, option, value, length);
  }
  void setsockopt(int level, int option, const void* value, kj::uint length) override {
    inner_->setsockopt(level, option, value, length);
  }
  void getsockname(struct sockaddr* addr, kj::uint* length) override {
    inner_->getsockname(addr, length);
  }
  void getpeername(struct sockaddr* addr, kj::uint* length) override {
    inner_->getpeername(addr, length);
  }
  kj::Maybe<int> getFd() const override { return inner_->getFd(); }

 private:
  // Room for a call and a Finish, or a batch of a few dozen orders; larger messages are read
  // straight into capnp's memory. Small, as a front-end holds one per client connection.
  static constexpr size_t READ_CAPACITY = 8192;
  // A send buffer that grew beyond this for a large message (a catch-up batch) is given back.
  static constexpr size_t KEEP_CAPACITY = 65536;

  // Moves up to `max` buffered bytes to `out`; returns how many.
  size_t takeBuffered(kj::byte* out, size_t max) {
    size_t n = std::min(readEnd_ - readBegin_, max);
    if (n > 0) std::memcpy(out, readBuffer_ + readBegin_, n);
    readBegin_ += n;
    if (readBegin_ == readEnd_) readBegin_ = readEnd_ = 0;
    return n;
  }

  // Sends what is queued at the end of this turn of the event loop.
  void startSending() {
    sending_ = true;
    sender_ =
        kj::evalLast([this]() { return sendQueued(); }).eagerlyEvaluate([this](kj::Exception&& e) {
          sending_ = false;
          queued_.clear();
          for (auto& w : drainWaiters_) w->reject(kj::cp(e));
          drainWaiters_.clear();
          writeError_ = kj::mv(e);
        });
  }

  // Held Finish messages go with whatever is sent next.
  void stopHolding() {
    if (!holding_) return;
    holding_ = false;
    holdTimer_ = kj::READY_NOW;  // cancels the timer
  }

  // Sends everything queued, including what is queued while a send is under way.
  kj::Promise<void> sendQueued() {
    if (queued_.empty()) {
      sending_ = false;
      for (auto& w : drainWaiters_) w->fulfill();
      drainWaiters_.clear();
      if (shutdownPending_) inner_->shutdownWrite();
      return kj::READY_NOW;
    }
    inFlight_.swap(queued_);
    queued_.clear();
    return inner_->write(inFlight_.data(), inFlight_.size()).then([this]() {
      inFlight_.clear();
      if (inFlight_.capacity() > KEEP_CAPACITY) inFlight_.shrink_to_fit();
      return sendQueued();
    });
  }

  kj::Own<kj::AsyncIoStream> inner_;
  kj::Timer& timer_;
  size_t readBegin_ = 0;
  size_t readEnd_ = 0;
  kj::byte readBuffer_[READ_CAPACITY];

  std::vector<kj::byte> queued_;    // written, not yet handed to the socket
  std::vector<kj::byte> inFlight_;  // being written to the socket
  bool sending_ = false;
  bool holding_ = false;  // queued_ holds only Finish messages, sent at the latest by holdTimer_
  bool shutdownPending_ = false;
  kj::Maybe<kj::Exception> writeError_;
  std::vector<kj::Own<kj::PromiseFulfiller<void>>> drainWaiters_;
  // The promises last: destroyed (cancelled) first.
  kj::Promise<void> sender_ = kj::READY_NOW;
  kj::Promise<void> holdTimer_ = kj::READY_NOW;
};

}  // namespace

kj::Own<kj::AsyncIoStream> bufferStream(kj::Own<kj::AsyncIoStream> stream, kj::Timer& timer) {
  return kj::heap<BufferedStream>(kj::mv(stream), timer);
}

}  // namespace jh
