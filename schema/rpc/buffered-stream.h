// Buffering in front of a connection's stream, for the Cap'n Proto connections of the system.
//
// Reads: Cap'n Proto 0.9 reads each message with two read() calls (its first word, then the
// rest) and a third that finds the socket empty; here one read() takes in whatever has arrived
// (often a call and the Finish of the previous one) and the messages are cut out of memory.
//
// Writes: capnp writes each message with its own writev(), so a Finish followed by the next call
// cost two sends and two wake-ups of the far side. Here the messages written during one turn of
// the event loop are sent together, with one write at the end of the turn. A write resolves at
// once while less than WRITE_AHEAD bytes wait to be sent, and only once they are sent beyond that,
// so a peer that stops reading still holds back the writer as before.
//
// Finish: capnp sends a Finish for every call once the caller has its answer. When nothing else
// is on its way, that message alone would wake the far side (a replica, for every order the
// front-end forwards) just to free an answer. A Finish written while nothing else waits is held
// until the next message goes (it rides along) or, on a quiet connection, FINISH_HOLD has passed.
#pragma once

#include <kj/async-io.h>
#include <kj/timer.h>

namespace jh {

constexpr size_t WRITE_AHEAD = 256 * 1024;
constexpr kj::Duration FINISH_HOLD = 20 * kj::MILLISECONDS;

kj::Own<kj::AsyncIoStream> bufferStream(kj::Own<kj::AsyncIoStream> stream, kj::Timer& timer);

}  // namespace jh
