// A replica's resources: motd.txt and menu.csv load, and every mistake names the file and line.
#include <doctest/doctest.h>

#include <string>

#include "replica/resources.h"
#include "schema/config/cluster-config.h"
#include "tests/replica/resources-folder.h"

using jh::ConfigError;
using jh::loadResources;
using jh::test::TempDir;
using jh::test::writeResources;

namespace {

// The message of the ConfigError that loading `dir` throws, or "" if it loads.
std::string loadError(const TempDir& dir) {
  try {
    loadResources(dir.path());
  } catch (const ConfigError& e) { return e.what(); }
  return "";
}

// What loading a folder whose menu.csv holds `menu` gives.
jh::Resources loadMenu(const std::string& menu) {
  TempDir dir;
  writeResources(dir, menu);
  return loadResources(dir.path());
}

// Checks that a menu.csv holding `menu` is refused with a message containing `part`.
void checkMenuRefused(const std::string& menu, const std::string& part) {
  TempDir dir;
  writeResources(dir, menu);
  std::string message = loadError(dir);
  CAPTURE(menu);
  CAPTURE(message);
  CHECK(message.find(part) != std::string::npos);
}

}  // namespace

TEST_CASE("a good folder loads the motd without its final line break and the menu in file order") {
  TempDir dir;
  writeResources(dir);
  jh::Resources r = loadResources(dir.path());
  CHECK(r.motd == "Welcome to Just Hungry!");
  REQUIRE(r.menu.size() == 3);
  CHECK(r.menu[0].item == "Margherita pizza");
  CHECK(r.menu[0].pricePence == 1185);
  CHECK(r.menu[1].item == "Fish, chips");
  CHECK(r.menu[1].pricePence == 750);
  CHECK(r.menu[2].item == "Tea");
  CHECK(r.menu[2].pricePence == 5);
  CHECK(r.digest.size() == 16);
}

TEST_CASE("the digest is stable for the same bytes and changes when the motd or menu changes") {
  TempDir a, b;
  writeResources(a);
  writeResources(b);
  std::string digest = loadResources(a.path()).digest;
  CHECK(loadResources(a.path()).digest == digest);
  CHECK(loadResources(b.path()).digest == digest);
  writeResources(b, jh::test::SAMPLE_MENU, "Closed on Mondays.\n");
  CHECK(loadResources(b.path()).digest != digest);
  writeResources(b, std::string(jh::test::SAMPLE_MENU) + "Cake,2.00\r\n");
  CHECK(loadResources(b.path()).digest != digest);
}

TEST_CASE("a missing motd.txt or menu.csv is an error naming the file") {
  TempDir noMotd;
  noMotd.write("menu.csv", jh::test::SAMPLE_MENU);
  CHECK(loadError(noMotd).find(noMotd.file("motd.txt")) != std::string::npos);
  TempDir noMenu;
  noMenu.write("motd.txt", jh::test::SAMPLE_MOTD);
  CHECK(loadError(noMenu).find(noMenu.file("menu.csv")) != std::string::npos);
}

TEST_CASE("a bad price is an error naming menu.csv and its line") {
  checkMenuRefused("item,price\r\nTea,1.00\r\nPizza,7.8.5\r\n", "menu.csv:3");
  checkMenuRefused("item,price\nTea,-1\n", "menu.csv:2");
  checkMenuRefused("item,price\nTea,1.234\n", "1.234");
}

TEST_CASE("an item listed twice is an error naming the second line") {
  checkMenuRefused("item,price\nTea,1.00\nCake,2.00\nTea,1.50\n", "menu.csv:4");
}

TEST_CASE("a menu without the item,price header is an error naming line 1") {
  checkMenuRefused("name,cost\nTea,1.00\n", "menu.csv:1");
  checkMenuRefused("Tea,1.00\n", "menu.csv:1");
}

TEST_CASE("a line with other than two fields is an error naming its line") {
  checkMenuRefused("item,price\nTea,1.00\nCake,2.00,extra\n", "menu.csv:3");
  checkMenuRefused("item,price\nTea\n", "menu.csv:2");
}

TEST_CASE("a malformed CSV line or an empty item is an error naming its line") {
  checkMenuRefused("item,price\nT\"ea,1.00\n", "menu.csv:2");
  checkMenuRefused("item,price\n,1.00\n", "menu.csv:2");
}

TEST_CASE("a menu with no items is an error") {
  checkMenuRefused("item,price\n", "menu.csv");
  checkMenuRefused("", "menu.csv");
}

TEST_CASE("a menu without a final line break still loads its last item") {
  auto r = loadMenu("item,price\nTea,1.00\nCake,2.50");
  REQUIRE(r.menu.size() == 2);
  CHECK(r.menu[1].item == "Cake");
  CHECK(r.menu[1].pricePence == 250);
}

TEST_CASE("blank lines and LF-only line ends in a menu are accepted") {
  auto r = loadMenu("item,price\n\nTea,1.00\n\n");
  REQUIRE(r.menu.size() == 1);
  CHECK(r.menu[0].item == "Tea");
}

TEST_CASE("an unterminated quote on a menu's last line is an error naming the line") {
  checkMenuRefused("item,price\nTea,1.00\n\"Cake,2.50\n", "menu.csv:3");
}
