// Resources folders for tests.
#include "tests/replica/resources-folder.h"

namespace jh::test {

void writeResources(const TempDir& dir, const std::string& menu, const std::string& motd) {
  dir.write("menu.csv", menu);
  dir.write("motd.txt", motd);
}

}  // namespace jh::test
