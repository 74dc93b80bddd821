import os
import tempfile
from pathlib import Path

import pytest

from tests.conftest import BASE_DIR, CHROMEDRIVER, CHROMIUM, unavailable

ARTIFACTS = BASE_DIR / "test-artifacts"


def make_driver(javascript=True):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tempfile.mkdtemp(prefix='portal-chromium-')}",
    ):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture
def browser_available():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            unavailable(f"{path} is missing: apt-get install chromium chromium-driver")


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def any_browser(request, browser_available):
    driver = make_driver(javascript=request.param)
    driver.javascript = request.param
    yield driver
    driver.quit()


@pytest.fixture
def browser(browser_available):
    driver = make_driver()
    yield driver
    driver.quit()


@pytest.fixture
def screenshot(request):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(driver, name):
        path = Path(ARTIFACTS) / f"{request.node.name}-{name}.png".replace("/", "_")
        driver.save_screenshot(str(path))
        assert path.stat().st_size > 1000
        return path

    return take
