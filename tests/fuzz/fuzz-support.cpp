// Scratch folder, logging and failure for the fuzz targets.
#include "tests/fuzz/fuzz-support.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "schema/runtime/log.h"
#include "tests/schema/temp-dir.h"

namespace jh::fuzz {

void quietLogs() {
  static bool done = [] { return logInit("fuzz", "error"); }();
  (void)done;
}

const std::string& scratchDir() {
  static std::unique_ptr<test::TempDir> dir = [] {
    struct stat st;
    const char* tmp = std::getenv("TMPDIR");
    if ((tmp == nullptr || *tmp == '\0') && stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode)) {
      setenv("TMPDIR", "/dev/shm", 1);
    }
    return std::make_unique<test::TempDir>();
  }();
  return dir->path();
}

std::string writeScratch(const std::string& name, std::string_view bytes) {
  std::string path = scratchDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail("cannot write " + path);
  return path;
}

std::string readWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void fail(std::string_view what) {
  fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  fflush(stderr);
  abort();
}

}  // namespace jh::fuzz
