// Temporary folders for unit tests.
#include "tests/schema/temp-dir.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace jh::test {

namespace {

void writeBytes(const std::string& path, const std::string& bytes, std::ios::openmode mode) {
  std::ofstream out(path, std::ios::binary | mode);
  out << bytes;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/jh-unit-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;  // a destructor must not throw; a leftover folder is only untidy
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& bytes) const {
  writeBytes(file(name), bytes, std::ios::trunc);
  return file(name);
}

void TempDir::append(const std::string& name, const std::string& bytes) const {
  writeBytes(file(name), bytes, std::ios::app);
}

std::string TempDir::read(const std::string& name) const {
  std::ifstream in(file(name), std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file(name));
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace jh::test
