"""Headless Chromium for the tests that look at a page as a person would (Debian's chromium and
chromium-driver; .ci/run installs them). One browser per test process, started by the first test
that asks for it and quit when the process ends: starting Chromium costs about 2 s of CPU, more
than most of these tests spend in it."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager, suppress
from typing import TypeVar

import pytest

T = TypeVar("T")
_shared: dict = {}  # "driver" and "profile" of this process's browser, once started


def _chromium() -> str | None:
    for browser in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(browser) and shutil.which("chromedriver"):
            return shutil.which(browser)
    return None


def _start(browser: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="mkgraph-test-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    _shared.update(driver=driver, profile=profile)
    return driver


def _quit() -> None:
    driver = _shared.pop("driver", None)
    if driver is not None:
        driver.quit()
    profile = _shared.pop("profile", None)
    if profile is not None:
        shutil.rmtree(profile, ignore_errors=True)


atexit.register(_quit)


def _driver(browser: str):
    """This process's browser, started now if no test has started it or it has died."""
    driver = _shared.get("driver")
    if driver is not None:
        try:
            driver.get("about:blank")
        except Exception:  # it crashed, or a test quit it: start another
            _quit()
            driver = None
    return driver if driver is not None else _start(browser)


@contextmanager
def chromium(profile, monkeypatch, size: str = "1600,1200"):
    """The process's Selenium driver on a blank page, its window `size` wide and high; skips the
    test without a browser (fails it on CI). The test's socket guard is lifted: the driver talks
    to chromedriver over loopback only. Earlier tests' console messages are dropped first; on
    leaving, the page must have logged no errors. (`profile` is not used: the browser's profile
    is a temporary folder of its own, removed when the process ends.)"""
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and chromium-driver (.ci/run does)")
        pytest.skip("chromium and chromedriver are not installed")
    monkeypatch.undo()
    driver = _driver(browser)
    width, height = (int(n) for n in size.split(","))
    driver.set_window_size(width, height)
    driver.get_log("browser")  # what earlier pages logged is theirs
    try:
        yield driver
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
    finally:
        with suppress(Exception):  # a browser that died is started again by the next test
            driver.get("about:blank")  # nothing of this test's pages runs on into the next


def sample_of_pages(pages: list[T], kind: Callable[[T], str], per_kind: int = 2) -> list[T]:
    """The pages a browser walks: the first `per_kind` of each kind in the order given (a
    deterministic sample: one template draws every page of a kind), or all of them with
    MKGRAPH_TEST_PAGES=all. Each page loaded costs Chromium about 0.15 s of CPU, and the bundled
    site has over a hundred; the links of every page are checked without a browser."""
    if os.environ.get("MKGRAPH_TEST_PAGES") == "all":
        return list(pages)
    taken: Counter[str] = Counter()
    chosen = []
    for page in pages:
        taken[kind(page)] += 1
        if taken[kind(page)] <= per_kind:
            chosen.append(page)
    return chosen
