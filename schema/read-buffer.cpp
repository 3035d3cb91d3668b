// A read-ahead buffer in front of a connection's stream.
#include "schema/read-buffer.h"

#include <algorithm>
#include <cstring>

namespace jh {

namespace {

class ReadBufferedStream final : public kj::AsyncIoStream {
 public:
  explicit ReadBufferedStream(kj::Own<kj::AsyncIoStream> inner) : inner_(kj::mv(inner)) {}

  kj::Promise<size_t> tryRead(void* buffer, size_t minBytes, size_t maxBytes) override {
    auto* out = static_cast<kj::byte*>(buffer);
    size_t have = takeBuffered(out, maxBytes);
    if (have >= minBytes) return have;
    out += have;
    minBytes -= have;
    maxBytes -= have;
    if (maxBytes >= CAPACITY) {  // a large message body: straight into the caller's memory
      return inner_->tryRead(out, minBytes, maxBytes).then([have](size_t n) { return have + n; });
    }
    return inner_->tryRead(buffer_, minBytes, CAPACITY).then([this, out, maxBytes, have](size_t n) {
      end_ = n;  // the buffer was empty, so begin_ is 0
      return have + takeBuffered(out, maxBytes);  // n < minBytes only at the end of the stream
    });
  }

  kj::Promise<void> write(const void* buffer, size_t size) override { return inner_->write(buffer, size); }
  kj::Promise<void> write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) override {
    return inner_->write(pieces);
  }
  kj::Promise<void> whenWriteDisconnected() override { return inner_->whenWriteDisconnected(); }
  void shutdownWrite() override { inner_->shutdownWrite(); }
  void abortRead() override { inner_->abortRead(); }
  void getsockopt(int level, int option, void* value, kj::uint* length) override {
    inner_->getsockopt(level, option, value, length);
  }
  void setsockopt(int level, int option, const void* value, kj::uint length) override {
    inner_->setsockopt(level, option, value, length);
  }
  void getsockname(struct sockaddr* addr, kj::uint* length) override { inner_->getsockname(addr, length); }
  void getpeername(struct sockaddr* addr, kj::uint* length) override { inner_->getpeername(addr, length); }
  kj::Maybe<int> getFd() const override { return inner_->getFd(); }

 private:
  static constexpr size_t CAPACITY = 16384;

  // Moves up to `max` buffered bytes to `out`; returns how many.
  size_t takeBuffered(kj::byte* out, size_t max) {
    size_t n = std::min(end_ - begin_, max);
    if (n > 0) std::memcpy(out, buffer_ + begin_, n);
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
    return n;
  }

  kj::Own<kj::AsyncIoStream> inner_;
  size_t begin_ = 0;
  size_t end_ = 0;
  kj::byte buffer_[CAPACITY];
};

}  // namespace

kj::Own<kj::AsyncIoStream> bufferReads(kj::Own<kj::AsyncIoStream> stream) {
  return kj::heap<ReadBufferedStream>(kj::mv(stream));
}

}  // namespace jh
