// Small helpers for tests that run real processes: free loopback ports, polling with a bound,
// whole-file reads and writes.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace jh::test {

// A TCP port on 127.0.0.1 that was free a moment ago, below the ephemeral range and reserved
// for this process against other test processes (see harness-util.cpp).
uint16_t pickFreePort();

// `n` distinct such ports.
std::vector<uint16_t> pickFreePorts(size_t n);

// Calls `predicate` every `interval` until it returns true or `timeout` has passed, and once
// more at the deadline. Returns whether it became true.
template <typename Predicate>
bool waitUntil(Predicate&& predicate, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval = std::chrono::milliseconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (predicate()) return true;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(interval, deadline - now));
    if (std::chrono::steady_clock::now() >= deadline) return predicate();
  }
}

// The whole file, or "" when it cannot be read.
std::string readFile(const std::string& path);

// Writes (replaces) the file; throws std::runtime_error on failure.
void writeFile(const std::string& path, const std::string& text);

// The last `lines` lines of `text`.
std::string tailLines(const std::string& text, size_t lines);

}  // namespace jh::test
