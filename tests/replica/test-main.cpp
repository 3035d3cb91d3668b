// doctest's main for the unit tests of replica/: the node's INFO lines are left out unless
// JH_LOG_LEVEL asks for them, so that doctest's report stays readable.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

#include "schema/runtime/log.h"

int main(int argc, char** argv) {
  jh::logInit("replica-test", std::getenv("JH_LOG_LEVEL") ? "" : "ERROR");
  return doctest::Context(argc, argv).run();
}
