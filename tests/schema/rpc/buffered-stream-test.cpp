// The buffering in front of RPC connections: whatever the sizes of the writes and of the reads,
// the bytes come out whole and in order, and the end of the stream is reported; a lone Finish
// waits for company, but not for long.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include <capnp/message.h>
#include <capnp/rpc.capnp.h>
#include <capnp/serialize.h>
#include <kj/async-io.h>
#include <kj/debug.h>
#include <kj/timer.h>

#include "schema/rpc/buffered-stream.h"

namespace {

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return s;
}

}  // namespace

TEST_CASE(
    "buffered reads give back every byte in order, for small, exact and large reads, and then the "
    "end") {
  auto io = kj::setupAsyncIo();
  auto pipe = io.provider->newTwoWayPipe();
  auto reader = jh::bufferStream(kj::mv(pipe.ends[0]), io.provider->getTimer());
  const std::string sent = pattern(100000);

  // Writes of uneven sizes, then the end of the stream.
  auto writing =
      kj::evalLater([&]() -> kj::Promise<void> {
        size_t at = 0;
        size_t sizes[] = {1, 7, 8, 100, 4096, 20000, 3, 50000};
        kj::Promise<void> chain = kj::READY_NOW;
        for (size_t s : sizes) {
          size_t n = std::min(s, sent.size() - at);
          chain = chain.then([&, at, n]() { return pipe.ends[1]->write(sent.data() + at, n); });
          at += n;
        }
        size_t rest = sent.size() - at;
        return chain.then([&, at, rest]() { return pipe.ends[1]->write(sent.data() + at, rest); })
            .then([&]() { pipe.ends[1]->shutdownWrite(); });
      }).eagerlyEvaluate(nullptr);

  std::string got;
  // Like capnp: a fixed 8 bytes, then a body of a given size; also reads that take what is there.
  size_t plan[][2] = {{8, 8}, {1, 5}, {300, 300}, {1, 20000}, {30000, 30000}, {8, 8}, {1, 1}};
  char buffer[40000];
  for (auto& [min, max] : plan) {
    size_t n = reader->tryRead(buffer, min, max).wait(io.waitScope);
    REQUIRE(n >= min);
    REQUIRE(n <= max);
    got.append(buffer, n);
  }
  while (true) {
    size_t n = reader->tryRead(buffer, 1, sizeof buffer).wait(io.waitScope);
    if (n == 0) break;
    got.append(buffer, n);
  }
  writing.wait(io.waitScope);
  CHECK(got.size() == sent.size());
  CHECK(got == sent);
  // At the end, a read asking for more than is left returns what there is: nothing.
  CHECK(reader->tryRead(buffer, 8, 8).wait(io.waitScope) == 0);
}

TEST_CASE(
    "a read that needs more than the buffered bytes returns them with the rest, and a short end is "
    "reported short") {
  auto io = kj::setupAsyncIo();
  auto pipe = io.provider->newTwoWayPipe();
  auto reader = jh::bufferStream(kj::mv(pipe.ends[0]), io.provider->getTimer());
  pipe.ends[1]->write("0123456789", 10).wait(io.waitScope);
  char buffer[64];
  REQUIRE(reader->tryRead(buffer, 4, 4).wait(io.waitScope) == 4);  // six more now buffered
  CHECK(std::string(buffer, 4) == "0123");
  auto pending = reader->tryRead(buffer, 12, 12);  // six buffered + six still to come
  pipe.ends[1]->write("abcdef", 6).wait(io.waitScope);
  REQUIRE(pending.wait(io.waitScope) == 12);
  CHECK(std::string(buffer, 12) == "456789abcdef");
  pipe.ends[1]->write("xyz", 3).wait(io.waitScope);
  pipe.ends[1]->shutdownWrite();
  CHECK(reader->tryRead(buffer, 8, 8).wait(io.waitScope) == 3);  // the stream ended short
  CHECK(std::string(buffer, 3) == "xyz");
}

TEST_CASE("writes made in one turn arrive whole and in order, and shutdownWrite waits for them") {
  auto io = kj::setupAsyncIo();
  auto pipe = io.provider->newTwoWayPipe();
  auto writer = jh::bufferStream(kj::mv(pipe.ends[0]), io.provider->getTimer());
  const std::string sent = pattern(5000);
  // Uneven pieces, as capnp's writev of a segment table and segments; none waits for the last.
  size_t at = 0;
  for (size_t n : {8, 40, 1, 999, 3000, 952}) {
    kj::ArrayPtr<const kj::byte> pieces[2] = {
        kj::arrayPtr(reinterpret_cast<const kj::byte*>(sent.data()) + at, n / 2),
        kj::arrayPtr(reinterpret_cast<const kj::byte*>(sent.data()) + at + n / 2, n - n / 2)};
    auto written = writer->write(kj::arrayPtr(pieces, 2));
    CHECK(written.poll(io.waitScope));  // well under the write-ahead limit: done at once
    written.wait(io.waitScope);
    at += n;
  }
  REQUIRE(at == sent.size());
  writer->shutdownWrite();  // must not cut off what is still queued
  std::string got;
  char buffer[4096];
  while (true) {
    size_t n = pipe.ends[1]->tryRead(buffer, 1, sizeof buffer).wait(io.waitScope);
    if (n == 0) break;
    got.append(buffer, n);
  }
  CHECK(got == sent);
}

TEST_CASE("a writer whose peer does not read is held back once the write-ahead limit is queued") {
  auto io = kj::setupAsyncIo();
  auto pipe = io.provider->newTwoWayPipe();
  auto writer = jh::bufferStream(kj::mv(pipe.ends[0]), io.provider->getTimer());
  const std::string chunk = pattern(64 * 1024);
  // Queue chunks until a write is not done at once; the socket buffers take some first.
  size_t queued = 0;
  kj::Maybe<kj::Promise<void>> held;
  for (int i = 0; i < 1000 && held == nullptr; ++i) {
    auto written = writer->write(chunk.data(), chunk.size());
    queued += chunk.size();
    if (!written.poll(io.waitScope)) {
      held = kj::mv(written);
    } else {
      written.wait(io.waitScope);
    }
  }
  REQUIRE(held != nullptr);
  CHECK(queued >= jh::WRITE_AHEAD);
  // Once the peer reads everything, the held write completes and every byte arrived in order.
  size_t got = 0;
  bool ordered = true;
  char buffer[65536];
  auto& promise = KJ_ASSERT_NONNULL(held);
  while (got < queued) {
    size_t n = pipe.ends[1]->tryRead(buffer, 1, sizeof buffer).wait(io.waitScope);
    REQUIRE(n > 0);
    for (size_t i = 0; i < n; ++i)
      ordered = ordered && buffer[i] == chunk[(got + i) % chunk.size()];
    got += n;
  }
  promise.wait(io.waitScope);
  CHECK(got == queued);
  CHECK(ordered);
}

namespace {

// One RPC message as capnp writes it, and a way to write it through a stream.
kj::Array<capnp::word> rpcMessage(bool finish, uint32_t questionId) {
  capnp::MallocMessageBuilder builder;
  auto message = builder.initRoot<capnp::rpc::Message>();
  if (finish) {
    message.initFinish().setQuestionId(questionId);
  } else {
    message.initCall().setQuestionId(questionId);
  }
  return capnp::messageToFlatArray(builder);
}

void writeMessage(kj::AsyncIoStream& stream, kj::ArrayPtr<const capnp::word> words,
                  kj::WaitScope& ws) {
  stream.write(words.begin(), words.size() * sizeof(capnp::word)).wait(ws);
}

// The RPC messages in `bytes`, by kind: "finish 7", "call 8", ...
std::vector<std::string> messagesIn(const std::string& bytes) {
  std::vector<std::string> out;
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  kj::ArrayPtr<const capnp::word> rest = words;
  while (rest.size() > 0) {
    capnp::FlatArrayMessageReader reader(rest);
    auto m = reader.getRoot<capnp::rpc::Message>();
    if (m.isFinish()) out.push_back("finish " + std::to_string(m.getFinish().getQuestionId()));
    if (m.isCall()) out.push_back("call " + std::to_string(m.getCall().getQuestionId()));
    rest = kj::arrayPtr(reader.getEnd(), rest.end());
  }
  return out;
}

}  // namespace

TEST_CASE(
    "a Finish written alone is held until the next message or the hold time, and never reordered") {
  auto io = kj::setupAsyncIo();
  kj::TimerImpl timer(kj::origin<kj::TimePoint>());
  auto pipe = io.provider->newTwoWayPipe();
  auto writer = jh::bufferStream(kj::mv(pipe.ends[0]), timer);
  char buffer[4096];
  auto readNow = [&]() {  // what has arrived by the end of this turn
    auto read = pipe.ends[1]->tryRead(buffer, 1, sizeof buffer);
    io.waitScope.poll();
    return read.poll(io.waitScope) ? std::string(buffer, read.wait(io.waitScope)) : std::string();
  };

  SUBCASE("a Finish and then a call go together, the Finish first") {
    writeMessage(*writer, rpcMessage(true, 7), io.waitScope);
    CHECK(readNow().empty());
    writeMessage(*writer, rpcMessage(false, 8), io.waitScope);
    CHECK(messagesIn(readNow()) == std::vector<std::string>{"finish 7", "call 8"});
  }
  SUBCASE("on a quiet connection, Finish messages go once the hold time has passed") {
    writeMessage(*writer, rpcMessage(true, 7), io.waitScope);
    writeMessage(*writer, rpcMessage(true, 9), io.waitScope);
    timer.advanceTo(timer.now() + jh::FINISH_HOLD - 1 * kj::MILLISECONDS);
    CHECK(readNow().empty());
    timer.advanceTo(timer.now() + 1 * kj::MILLISECONDS);
    CHECK(messagesIn(readNow()) == std::vector<std::string>{"finish 7", "finish 9"});
  }
  SUBCASE("a call is not held, and shutdownWrite sends a held Finish") {
    writeMessage(*writer, rpcMessage(false, 3), io.waitScope);
    CHECK(messagesIn(readNow()) == std::vector<std::string>{"call 3"});
    writeMessage(*writer, rpcMessage(true, 3), io.waitScope);
    writer->shutdownWrite();
    CHECK(messagesIn(readNow()) == std::vector<std::string>{"finish 3"});
    CHECK(pipe.ends[1]->tryRead(buffer, 1, sizeof buffer).wait(io.waitScope) == 0);  // then the end
  }
}
