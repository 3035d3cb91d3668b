// A temporary folder for one test: made with mkdtemp, removed with all it holds when the test
// ends, so tests never share or leave files behind.
#pragma once

#include <string>

namespace jh::test {

class TempDir {
 public:
  TempDir();   // a fresh folder under $TMPDIR (or /tmp); throws std::runtime_error on failure
  ~TempDir();  // removes the folder and everything in it

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name, whether or not it exists.
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes (replaces) path()/name with `bytes` exactly and returns its path.
  std::string write(const std::string& name, const std::string& bytes) const;
  // Appends `bytes` to path()/name.
  void append(const std::string& name, const std::string& bytes) const;
  // The whole of path()/name; throws std::runtime_error when it cannot be read.
  std::string read(const std::string& name) const;

 private:
  std::string path_;
};

}  // namespace jh::test
