"""The `callqa report` HTML file in a real browser (headless Chromium through Selenium).

Usage: python tests/browser/test_report.py REPORT.html [--calibration] [--shot PNG [--shot-height PX]]
           [--chromium /usr/bin/chromium] [--chromedriver /usr/bin/chromedriver]

Checks, exiting non-zero with a FAIL line on the first failure:
  - the page loads from file:// and has its title and every section (overview, distribution,
    teams, stars, items, sentiment, reviews, evidence; calibration with --calibration), each
    visible, with a heading;
  - the inline SVG charts render with a non-zero size;
  - no script and no element that loads anything (img, link, iframe, script, object, embed);
  - no request leaves the file: Chrome's network log (every requestWillBeSent) and resource
    timing hold only the report's own file:// URL (or data:), and the console shows no error.
--shot writes a screenshot of the top of the page (docs/screenshots/report-month.png is made
this way).
"""

import argparse
import os
import sys
import json
import pathlib

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

SECTIONS = ["overview", "distribution", "teams", "stars", "items", "sentiment", "reviews", "evidence"]


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def driver(chromium, chromedriver):
    for p in (chromium, chromedriver):
        if not os.path.exists(p):
            fail(f"{p} absent")
    opts = Options()
    opts.binary_location = chromium
    for a in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1200,1000",
        # Keep the network log to what the page asks for.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=opts)


def requested_urls(drv):
    urls = []
    for entry in drv.get_log("performance"):
        try:
            msg = json.loads(entry["message"])["message"]
        except (KeyError, ValueError):
            continue
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    urls += drv.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    return urls


def main():
    ap = argparse.ArgumentParser(description="callqa report in headless Chromium")
    ap.add_argument("html")
    ap.add_argument("--calibration", action="store_true", help="expect the calibration section")
    ap.add_argument("--shot", help="write a screenshot of the top of the page here (PNG)")
    ap.add_argument("--shot-height", type=int, default=1700, help="screenshot height, px")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = ap.parse_args()
    path = pathlib.Path(args.html).resolve()
    check(path.is_file(), f"{path} absent")
    url = path.as_uri()
    drv = driver(args.chromium, args.chromedriver)
    try:
        drv.get(url)
        check("Call quality report" in drv.title, f"title {drv.title!r}")
        sections = SECTIONS + (["calibration"] if args.calibration else [])
        for sid in sections:
            found = drv.find_elements(By.ID, sid)
            check(len(found) == 1, f"section #{sid}: {len(found)} elements")
            el = found[0]
            check(el.is_displayed(), f"section #{sid} not displayed")
            h2 = el.find_elements(By.TAG_NAME, "h2")
            check(h2 and h2[0].text.strip(), f"section #{sid} has no heading")
            check(el.size["height"] > 30, f"section #{sid} is {el.size['height']} px high")
        if not args.calibration:
            check(not drv.find_elements(By.ID, "calibration"), "calibration section without --human")
        svgs = drv.find_elements(By.CSS_SELECTOR, "svg.chart")
        check(len(svgs) >= 4, f"{len(svgs)} charts")
        for s in svgs:
            check(s.size["width"] > 100 and s.size["height"] > 40, f"chart size {s.size}")
        bars = drv.find_elements(By.CSS_SELECTOR, "#distribution svg rect.bar")
        check(len(bars) == 10, f"{len(bars)} histogram bars")
        loaders = drv.execute_script(
            "return document.querySelectorAll('script, img, link, iframe, object, embed, video, audio, source').length"
        )
        check(loaders == 0, f"{loaders} elements that load resources")
        remote = drv.execute_script(
            "return Array.from(document.querySelectorAll('[src],[href]'))"
            ".map(e => e.getAttribute('src') || e.getAttribute('href'))"
            ".filter(v => /^(https?:)?\\/\\//i.test(v.trim()))"
        )
        check(not remote, f"remote references {remote}")
        others = [u for u in requested_urls(drv) if u != url and not u.startswith("data:")]
        check(not others, f"requests beyond the file: {others}")
        errors = [e for e in drv.get_log("browser") if e.get("level") == "SEVERE"]
        check(not errors, f"console errors: {errors}")
        if args.shot:
            drv.set_window_size(1200, args.shot_height)
            pathlib.Path(args.shot).parent.mkdir(parents=True, exist_ok=True)
            check(drv.save_screenshot(args.shot), f"cannot write {args.shot}")
        print(f"ok: {path.name}: {len(sections)} sections, {len(svgs)} charts, no external request")
    finally:
        drv.quit()


if __name__ == "__main__":
    main()
