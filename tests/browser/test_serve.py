"""`callqa serve` in a real browser (headless Chromium through Selenium).

Usage: python tests/browser/test_serve.py --url http://127.0.0.1:PORT [--shots DIR]

The server must already run on a scored output folder. Checks, exiting non-zero on the first
failure:
  - the overview shows the store's call count (as /api/calls reports it);
  - the calls list filtered in its form by a failed item shows exactly the calls the API gives;
  - a call page: clicking an evidence item moves the player's currentTime to that moment, and so
    does a transcript time;
  - the agents table sorts when a column header is clicked;
  - no request of any page leaves the server's origin (resource timing entries and Chrome's
    network log: every URL is the origin or data:), and the console shows no error.
Screenshots of each page go to --shots (serve-overview.png, serve-calls.png, serve-call.png,
serve-agents.png).
"""

import argparse
import json
import os
import sys
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def api(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return json.load(r)


def driver(chromium, chromedriver):
    opts = Options()
    opts.binary_location = chromium
    for a in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1100",
        "--autoplay-policy=no-user-gesture-required",
        "--mute-audio",
        # No background traffic of the browser's own (it would not be the page's anyway, but keep
        # the network log to what the pages ask for).
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=chromium_driver_path(chromedriver)), options=opts)


def chromium_driver_path(p):
    if not os.path.exists(p):
        fail(f"{p} absent")
    return p


class Origins:
    """Collects every URL the browser requested, from resource timing and the network log."""

    def __init__(self, drv, origin):
        self.drv = drv
        self.origin = origin
        self.urls = set()

    def collect(self):
        entries = self.drv.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".concat(performance.getEntriesByType('navigation').map(e => e.name))"
        )
        self.urls.update(entries)
        for entry in self.drv.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent":
                self.urls.add(msg["params"]["request"]["url"])
        errors = [e for e in self.drv.get_log("browser") if e.get("level") == "SEVERE"]
        check(not errors, f"console errors on {self.drv.current_url}: {errors}")

    def verify(self):
        outside = sorted(
            u for u in self.urls if not (u.startswith(self.origin + "/") or u == self.origin or u.startswith("data:"))
        )
        check(not outside, f"requests outside {self.origin}: {outside}")
        check(len(self.urls) > 0, "no request was seen at all")


def wait_for(drv, fn, what, timeout=30):
    try:
        return WebDriverWait(drv, timeout, poll_frequency=0.2).until(lambda d: fn(d))
    except Exception as e:  # TimeoutException, with what we waited for
        fail(f"timed out waiting for {what}: {e!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--shots", default=None)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    a = ap.parse_args()
    base = a.url.rstrip("/")
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(base))
    shots = a.shots
    if shots:
        os.makedirs(shots, exist_ok=True)

    listing = api(base, "/api/calls?per_page=500")
    total = listing["total"]
    check(total > 0, "the store has no calls")
    calls = listing["calls"]

    drv = driver(a.chromium, a.chromedriver)
    seen = Origins(drv, origin)
    try:
        # Overview.
        drv.get(base + "/")
        check("Overview" in drv.title, f"title {drv.title!r}")
        kpi = drv.find_element(By.ID, "kpi-calls").text
        check(kpi == str(total), f"overview shows {kpi} calls, the API {total}")
        drv.find_element(By.ID, "score-hist")
        if shots:
            drv.save_screenshot(os.path.join(shots, "serve-overview.png"))
        seen.collect()

        # Calls list, filtered through its form by an item that failed somewhere.
        failed = next((c for c in calls if c["failed_items"]), None)
        check(failed is not None, "no call failed any item: cannot test the item filter")
        item = failed["failed_items"][0]
        want = api(base, "/api/calls?per_page=500&item_failed=" + urllib.parse.quote(item))
        drv.get(base + "/calls")
        Select(drv.find_element(By.NAME, "item_failed")).select_by_value(item)
        drv.find_element(By.ID, "apply").click()
        wait_for(drv, lambda d: "item_failed=" in d.current_url, "the filtered list")
        shown = drv.find_element(By.ID, "total").text
        check(shown == str(want["total"]), f"list shows {shown} calls, the API {want['total']}")
        ids = [e.text for e in drv.find_elements(By.CSS_SELECTOR, "#calls a.call-link")]
        check(ids == [c["call_id"] for c in want["calls"][: len(ids)]], f"list rows {ids} differ from the API")
        check(want["total"] < total or all(item in c["failed_items"] for c in calls), "the filter kept every call")
        for row in drv.find_elements(By.CSS_SELECTOR, "#calls tbody tr"):
            check(item in row.find_elements(By.TAG_NAME, "td")[-1].text, f"a row without {item} failed")
        if shots:
            drv.save_screenshot(os.path.join(shots, "serve-calls.png"))
        seen.collect()

        # A call page: evidence click → player at that moment. Take the call whose evidence
        # starts latest (a seek to 0 would prove nothing).
        best = None
        for c in calls[:40]:
            d = api(base, "/api/calls/" + urllib.parse.quote(c["call_id"], safe=""))
            for e in d["evaluations"]:
                ms = e.get("evidence_start_ms")
                if ms is not None and ms > 2000 and (best is None or ms > best[1]):
                    best = (c["call_id"], ms, e["item_id"])
        check(best is not None, "no evidence moment after 2 s in the first 40 calls")
        call_id, ms, item_id = best
        drv.get(base + "/calls/" + urllib.parse.quote(call_id, safe=""))
        player = drv.find_element(By.ID, "player")
        wait_for(drv, lambda d: d.execute_script("return arguments[0].readyState", player) >= 1, "audio metadata")
        duration = drv.execute_script("return arguments[0].duration", player)
        check(duration and duration > ms / 1000, f"player duration {duration} s, evidence at {ms / 1000} s")
        link = drv.find_element(By.CSS_SELECTOR, f'a.evidence[data-item="{item_id}"][data-seek-ms="{ms}"]')
        drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        link.click()
        target = ms / 1000
        wait_for(
            drv,
            lambda d: abs(d.execute_script("return arguments[0].currentTime", player) - target) < 1.0,
            f"currentTime near {target:.2f} s after clicking the {item_id} evidence",
        )
        now = drv.execute_script("return arguments[0].currentTime", player)
        print(f"evidence {item_id} of {call_id} at {target:.2f} s: player at {now:.2f} s")
        # A transcript time button seeks too (the last utterance: far from the evidence).
        buttons = drv.find_elements(By.CSS_SELECTOR, "#transcript button.t")
        check(buttons, "no transcript")
        last = buttons[-1]
        t2 = int(last.get_attribute("data-seek-ms")) / 1000
        drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", last)
        last.click()
        wait_for(
            drv,
            lambda d: abs(d.execute_script("return arguments[0].currentTime", player) - t2) < 1.0,
            f"currentTime near {t2:.2f} s after clicking the last utterance",
        )
        drv.execute_script("arguments[0].pause()", player)
        # Back to the evidence for the screenshot.
        drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        link.click()
        time.sleep(0.5)
        drv.execute_script("arguments[0].pause(); window.scrollTo(0, 0)", player)
        if shots:
            drv.save_screenshot(os.path.join(shots, "serve-call.png"))
            drv.execute_script("document.getElementById('scorecard').scrollIntoView()")
            drv.save_screenshot(os.path.join(shots, "serve-call-scorecard.png"))
        seen.collect()

        # Agents table sorts by a clicked column (mean score).
        drv.get(base + "/agents")
        headers = drv.find_elements(By.CSS_SELECTOR, "#agent-summary thead th")
        col = [h.text for h in headers].index("Mean")
        headers[col].click()
        means = [
            float(r.find_elements(By.TAG_NAME, "td")[col].text)
            for r in drv.find_elements(By.CSS_SELECTOR, "#agent-summary tbody tr")
        ]
        check(means == sorted(means), f"mean column not ascending after a click: {means}")
        if shots:
            drv.save_screenshot(os.path.join(shots, "serve-agents.png"))
        seen.collect()
        seen.verify()
        print(f"browser checks passed: {total} calls, {len(seen.urls)} distinct URLs, all on {origin}")
    finally:
        drv.quit()


if __name__ == "__main__":
    main()
