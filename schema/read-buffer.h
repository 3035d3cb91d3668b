// A read-ahead buffer in front of a connection's stream. Cap'n Proto 0.9 reads each message
// with two read() calls (its first word, then the rest) and a third that finds the socket empty;
// with the buffer one read() takes in whatever has arrived (often a call and the Finish of the
// previous one), and the messages are then cut out of memory.
#pragma once

#include <kj/async-io.h>

namespace jh {

kj::Own<kj::AsyncIoStream> bufferReads(kj::Own<kj::AsyncIoStream> stream);

}  // namespace jh
