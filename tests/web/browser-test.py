#!/usr/bin/python3
"""The web page in a real browser (DESIGN.md §6): headless Chromium, driven by Selenium, against a
real cluster (jh-cluster: three replicas, a front-end with its HTTP door, the postcodes.io
imitation). A person enters a user code, sees the message of the day and the menu, orders a dish
to a postcode whose area is shown before confirming, sees it listed; the primary is killed
(kill -9); the live view shows the new primary, the old one down and the change in its timeline;
a second order goes through and both are listed once. The browser's console must stay free of
errors (a Content-Security-Policy violation is one).

With JH_SCREENSHOTS=DIR (relative to the repository), it also keeps DIR/web-order.png and
DIR/web-live-failover.png, the latter taken under load (jh-bench) a moment after the kill.
Skips (exit 77, saying why) when Chromium, chromedriver or python3-selenium is missing.

Usage: browser-test.py --bin-dir BUILD/bin --source-dir REPO
"""
import argparse
import json
import os
import select
import shutil
import subprocess
import sys
import time

SKIP = 77
STEP_TIMEOUT_S = 15


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    skip("python3-selenium is not installed for this python (scripts/install-deps.sh installs it)")


class Cluster:
    """jh-cluster as a child: where it runs, and commands to it. Closing its input stops
    every process it started; it is only killed (by pid) if it does not exit in time."""

    def __init__(self, bin_dir, *args):
        self.process = subprocess.Popen([os.path.join(bin_dir, "jh-cluster"), *args],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self._line(60)
        if not line:
            self.close()
            raise RuntimeError("jh-cluster did not start a cluster (its errors are above)")
        self.where = json.loads(line)

    def _line(self, timeout_s):
        ready, _, _ = select.select([self.process.stdout], [], [], timeout_s)
        return self.process.stdout.readline().strip() if ready else ""

    def command(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self._line(30)
        if answer != "ok" and not answer.startswith("ok "):
            raise RuntimeError(f"jh-cluster: {line}: {answer or 'no answer'}")
        return answer[3:]

    def free_port(self):
        """A loopback port below the ephemeral range, reserved while jh-cluster runs."""
        return int(self.command("free-port"))

    def close(self):
        if self.process.poll() is not None:
            return
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def browser(cluster, width, height):
    """Chromium under chromedriver, both listening on ports picked by jh-cluster: left to
    themselves, Selenium would start chromedriver on a port it binds as port 0, and chromedriver
    Chromium's DevTools on port 0, both from the ephemeral range. Should another program take a
    picked port before they bind it, starting the browser fails and so does the test."""
    options = webdriver.ChromeOptions()
    for arg in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={width},{height}", "--force-device-scale-factor=1", "--lang=en-GB",
                f"--remote-debugging-port={cluster.free_port()}"]:
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER, port=cluster.free_port()), options=options)


def wait_for(driver, what, condition):
    try:
        return WebDriverWait(driver, STEP_TIMEOUT_S, poll_frequency=0.1).until(lambda d: condition())
    except TimeoutException:
        message = driver.find_element(By.ID, "message").text
        raise AssertionError(f"timed out waiting for {what} (the page says: {message!r})") from None


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def rows(driver, table_id):
    return driver.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr")


def order(driver, dish, postcode, area):
    """Chooses the dish, checks the postcode, sees its area, confirms, and waits for the order."""
    driver.find_element(By.CSS_SELECTOR, f'#menu button[data-item="{dish}"]').click()
    field = driver.find_element(By.ID, "postcode")
    field.clear()
    field.send_keys(postcode)
    driver.find_element(By.ID, "check").click()
    wait_for(driver, f"the area of {postcode}", lambda: driver.find_element(By.ID, "confirm").is_displayed())
    assert area in text(driver, "confirm-text"), text(driver, "confirm-text")
    before = len(rows(driver, "orders"))
    driver.find_element(By.ID, "place").click()
    wait_for(driver, f"{dish} to be ordered", lambda: text(driver, "message").startswith("Ordered"))
    wait_for(driver, f"{dish} in my orders", lambda: len(rows(driver, "orders")) == before + 1)
    assert dish in rows(driver, "orders")[0].text, rows(driver, "orders")[0].text
    print(f"browser-test: ordered {dish} to {postcode}: {text(driver, 'message')}")


def full_page(driver, path):
    """A screenshot of the whole page: the window made as tall as the page, then put back."""
    size = driver.get_window_size()
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(size["width"], height + (size["height"] - driver.execute_script("return innerHeight")))
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(path)
    driver.set_window_size(size["width"], size["height"])


def role_of(driver, replica):
    found = driver.find_elements(By.CSS_SELECTOR, f'#replicas tbody tr[data-name="{replica}"]')
    return found[0].get_attribute("data-role") if found else ""


def primary_change_to(driver, replica):
    return driver.find_elements(By.CSS_SELECTOR, f'#timeline li.primary-change[data-replica="{replica}"]')


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def run(bin_dir, screenshots):
    cluster = Cluster(bin_dir, "--http")
    driver = None
    load = None
    try:
        url = f"http://{cluster.where['frontends'][0]['http']}/"
        print(f"browser-test: cluster in {cluster.where['dir']}, page at {url}")
        driver = browser(cluster, 1000, 1350)
        driver.get(url)
        assert driver.title == "Just Hungry", driver.title

        user = f"browser-test-{os.getpid()}"
        driver.find_element(By.ID, "user-code").send_keys(user)
        driver.find_element(By.ID, "start").click()
        wait_for(driver, "the menu", lambda: len(rows(driver, "menu")) > 0)
        assert "Welcome to Just Hungry" in text(driver, "motd"), text(driver, "motd")
        assert "£7.85" in driver.find_element(By.CSS_SELECTOR, '#menu tr[data-item="HAMBURGER"]').text
        assert "not a password" in text(driver, "user-hint")

        order(driver, "HAMBURGER", "ab10 1ab", "Aberdeen City")
        if screenshots:
            # The order view as a person sees it before confirming a second dish.
            driver.find_element(By.CSS_SELECTOR, '#menu button[data-item="CHIPS"]').click()
            driver.find_element(By.ID, "postcode").send_keys("m1 1ad")
            driver.find_element(By.ID, "check").click()
            wait_for(driver, "the area of M1 1AD", lambda: driver.find_element(By.ID, "confirm").is_displayed())
            full_page(driver, os.path.join(screenshots, "web-order.png"))
            driver.find_element(By.ID, "change").click()

        driver.find_element(By.ID, "tab-live").click()
        wait_for(driver, "replica.server1 as primary", lambda: text(driver, "live-primary") == "replica.server1")
        wait_for(driver, "three replicas", lambda: len(rows(driver, "replicas")) == 3)
        if screenshots:
            load = subprocess.Popen([os.path.join(bin_dir, "jh-bench"), "--cluster", cluster.where["cluster"],
                                     "--clients", "4", "--duration", "14", "--retry-until-acked"],
                                    stdout=subprocess.DEVNULL)
            time.sleep(8)

        cluster.command("kill replica.server1 KILL")
        print("browser-test: killed the primary, replica.server1")
        wait_for(driver, "replica.server2 as primary", lambda: text(driver, "live-primary") == "replica.server2")
        wait_for(driver, "replica.server1 shown down", lambda: role_of(driver, "replica.server1") == "down")
        wait_for(driver, "the change of primary in the timeline", lambda: primary_change_to(driver, "replica.server2"))
        print(f"browser-test: the live view shows: {primary_change_to(driver, 'replica.server2')[0].text}")
        if screenshots:
            time.sleep(3)
            driver.save_screenshot(os.path.join(screenshots, "web-live-failover.png"))

        driver.find_element(By.ID, "tab-order").click()
        order(driver, "CHIPS", "M1 1AD", "Manchester")
        listed = [row.get_attribute("data-order-id") for row in rows(driver, "orders")]
        assert len(listed) == 2 and len(set(listed)) == 2, listed

        errors = console_errors(driver)
        assert not errors, f"the browser's console shows errors: {errors}"
        print("browser-test: passed")
    finally:
        if load is not None:
            load.wait(timeout=30)
        if driver is not None:
            driver.quit()
        cluster.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--source-dir", required=True)
    args = parser.parse_args()
    global CHROMIUM, CHROMEDRIVER
    CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
    CHROMEDRIVER = shutil.which("chromedriver")
    if not CHROMIUM:
        skip("Chromium is not installed (Debian's chromium; scripts/install-deps.sh installs it)")
    if not CHROMEDRIVER:
        skip("chromedriver is not installed (Debian's chromium-driver; scripts/install-deps.sh installs it)")
    screenshots = os.environ.get("JH_SCREENSHOTS")
    if screenshots:
        screenshots = os.path.join(args.source_dir, screenshots)
        os.makedirs(screenshots, exist_ok=True)
    try:
        run(args.bin_dir, screenshots)
    except AssertionError as e:
        print(f"browser-test: FAILED: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
