"""Open the HTML report in a real browser (headless Chromium via chromedriver).

Needs the Debian packages ``chromium`` and ``chromium-driver`` (installed by
``.ci/run``) and the ``selenium`` Python package (in the ``test`` extra).
Selenium is pointed at ``/usr/bin/chromedriver`` explicitly, so Selenium
Manager never tries to download a driver or browser.

Set ``FASCICLF_SCREENSHOT_DIR`` to keep the screenshot somewhere other than
pytest's temporary directory.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

if not CHROMIUM.exists():
    pytest.skip(
        "/usr/bin/chromium is missing: install the Debian packages chromium and "
        "chromium-driver (.ci/run does) to run the browser test",
        allow_module_level=True,
    )

# Every top-level image and SVG, with its rendered size and (for SVG) the size
# of what was actually drawn inside it.
_IMAGES_JS = """
const out = [];
for (const img of document.images) {
  out.push({kind: 'img', complete: img.complete, width: img.naturalWidth,
            height: img.naturalHeight, label: img.alt || img.src.slice(0, 60)});
}
for (const svg of document.querySelectorAll('svg')) {
  if (svg.parentElement && svg.parentElement.closest('svg')) continue;
  const box = svg.getBoundingClientRect();
  let drawn = 0;
  try { drawn = svg.getBBox().width; } catch (e) { drawn = -1; }
  out.push({kind: 'svg', complete: true, width: box.width, height: box.height,
            drawn: drawn, label: svg.getAttribute('aria-label') || ''});
}
return out;
"""


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:  # a missing test dependency is a failure, not a skip
        pytest.fail("selenium is needed for the browser test: pip install 'fasciclf[test]'")

    assert CHROMEDRIVER.exists(), (
        "/usr/bin/chromium exists but /usr/bin/chromedriver does not: "
        "install the Debian package chromium-driver"
    )
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()


@pytest.fixture(scope="module")
def report_path(tmp_path_factory):
    from fasciclf.evaluation._synthetic import synthetic_report

    out = tmp_path_factory.mktemp("report")
    report = synthetic_report(n=300, seed=0, n_bootstrap=200)
    paths = report.write(out)
    return paths["report"]


def test_report_renders_in_chromium(driver, report_path, tmp_path):
    driver.get(report_path.resolve().as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    assert "Triage aid, not a diagnosis" in driver.find_element("tag name", "body").text

    images = driver.execute_script(_IMAGES_JS)
    assert len(images) >= 4, f"expected the report's figures, found {images}"
    for im in images:
        assert im["complete"] and im["width"] > 0 and im["height"] > 0, im
        if im["kind"] == "svg":
            assert im["drawn"] > 0, f"SVG drew nothing: {im}"

    # Nothing may be fetched: the file is self-contained.
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert resources == [], f"report loaded external resources: {resources}"

    logs = driver.get_log("browser")
    errors = [entry for entry in logs if entry["level"] in {"SEVERE", "ERROR"}]
    assert errors == [], f"console errors: {errors}"

    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(int(height) + 40, 30000))
    shot = tmp_path / "report.png"
    assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    keep = os.environ.get("FASCICLF_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "report.png")
    print(f"screenshot: {shot}")


def test_notebook_fragment_renders(driver, tmp_path):
    from fasciclf.evaluation._synthetic import synthetic_report

    fragment = synthetic_report(n=80, seed=1, n_bootstrap=50)._repr_html_()
    page = tmp_path / "fragment.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{fragment}</body></html>",
        encoding="utf-8",
    )
    driver.get(page.resolve().as_uri())
    images = driver.execute_script(_IMAGES_JS)
    assert images and all(im["width"] > 0 for im in images), images
    errors = [e for e in driver.get_log("browser") if e["level"] in {"SEVERE", "ERROR"}]
    assert errors == [], errors
