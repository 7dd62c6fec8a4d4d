"""Headless Chromium for the tests that look at a page as a person would (Debian's chromium and
chromium-driver; .ci/run installs them)."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager

import pytest


def _chromium() -> str | None:
    for browser in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(browser) and shutil.which("chromedriver"):
            return shutil.which(browser)
    return None


@contextmanager
def chromium(profile, monkeypatch, size: str = "1600,1200"):
    """A Selenium driver; skips the test without a browser (fails it on CI). The test's socket
    guard is lifted: the driver talks to chromedriver over loopback only. On leaving, the page
    must have logged no errors."""
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and chromium-driver (.ci/run does)")
        pytest.skip("chromium and chromedriver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.undo()
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
        f"--window-size={size}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        yield driver
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
    finally:
        driver.quit()
