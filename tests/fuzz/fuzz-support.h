// What the fuzz targets share: a scratch folder for loaders that read files, quiet logging, and
// the check that turns a broken invariant into a crash libFuzzer keeps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace jh::fuzz {

// Once per process: logs only errors (a torn orders.csv is logged as a warning on every run).
void quietLogs();

// A folder of this process's own, removed at exit; under $TMPDIR, else /dev/shm, so the loaders'
// fdatasync calls cost nothing.
const std::string& scratchDir();

// Writes (replaces) scratchDir()/name with `bytes` and returns its path.
std::string writeScratch(const std::string& name, std::string_view bytes);

// The whole file at `path`.
std::string readWhole(const std::string& path);

// Prints `what` and aborts, so that libFuzzer saves the input as a crash.
[[noreturn]] void fail(std::string_view what);

inline std::string_view asText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace jh::fuzz

// Fails the run when `cond` is false; an invariant of the code under test, not of the input.
#define JH_FUZZ_CHECK(cond, what)        \
  do {                                   \
    if (!(cond)) ::jh::fuzz::fail(what); \
  } while (false)
