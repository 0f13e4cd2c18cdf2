"""Headless chromium for layout tests: open a page on screen (1400 px) or as printed on A4, and measure it.

The measurements are made by the browser's own layout engine
(``getBoundingClientRect``, ``scrollWidth``) so that a test can say "no two
header cells overlap" and "no cell's text overflows it" about the page a
reviewer actually sees. Print is emulated with the CDP
``Emulation.setEmulatedMedia`` (media ``print``) at the width of an A4 page's
printable area, so the ``@media print`` rules apply.

:func:`unavailable` names what is missing (chromium, chromedriver or
selenium) so that tests can skip with one line.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Screen width of the layout tests, CSS px.
SCREEN_WIDTH = 1400
#: A4 is 210 mm = 793.7 CSS px (96 px per inch); the pages print with 12 mm side margins, leaving 186 mm.
A4_WIDTH = 794
A4_PRINTABLE_WIDTH = round(186 / 25.4 * 96)
#: A4 landscape (297 mm) less the same margins: 273 mm, for wide tables (the batch dashboard).
A4_LANDSCAPE_PRINTABLE_WIDTH = round(273 / 25.4 * 96)
#: Tallest screenshot taken, CSS px (a long report is cut; the measurements still cover the whole page).
MAX_SHOT_HEIGHT = 12000
#: Sub-pixel rounding of the layout engine: boxes closer than this are "touching", not overlapping.
EPS = 1.0

_MEASURE = r"""
const [groups, overflowSel, eps] = arguments;
function box(el, text) {
  let r = el.getBoundingClientRect();
  if (text) { const range = document.createRange(); range.selectNodeContents(el); r = range.getBoundingClientRect(); }
  return {x0: r.left + scrollX, y0: r.top + scrollY, x1: r.right + scrollX, y1: r.bottom + scrollY}; }
function visible(el) { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; }
function name(el) { const t = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60);
  return el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined && el.className
    ? '.' + String(el.className).split(' ')[0] : '') + ' "' + t + '"'; }
const overlaps = [];
for (const [selector, gap, text] of groups) {
  const els = Array.from(document.querySelectorAll(selector)).filter(visible);
  const boxes = els.map(el => box(el, text));
  for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
    if (els[i].contains(els[j]) || els[j].contains(els[i])) continue;
    const a = boxes[i], b = boxes[j];
    const dx = Math.max(a.x0, b.x0) - Math.min(a.x1, b.x1);   // > 0: a horizontal gap of dx
    const dy = Math.max(a.y0, b.y0) - Math.min(a.y1, b.y1);
    // overlapping (both spans cross by more than eps) or, on one line, closer than the gap asked for
    if ((dx < -eps && dy < -eps) || (gap > 0 && dy < -eps && dx < gap - eps && dx >= -eps)) {
      overlaps.push(selector + ': ' + name(els[i]) + ' / ' + name(els[j]) + ' dx=' + dx.toFixed(1)
                    + ' dy=' + dy.toFixed(1));
      if (overlaps.length > 40) break;
    }
  }
}
const overflows = [];
for (const el of document.querySelectorAll(overflowSel)) {
  if (!visible(el)) continue;
  if (el.scrollWidth > el.clientWidth + 1)
    overflows.push(name(el) + ' scrollWidth=' + el.scrollWidth + ' clientWidth=' + el.clientWidth);
}
const doc = document.documentElement;
return {overlaps: overlaps, overflows: overflows, page_width: doc.scrollWidth, viewport: doc.clientWidth,
        height: Math.max(doc.scrollHeight, document.body ? document.body.scrollHeight : 0),
        counts: groups.map(g => document.querySelectorAll(g[0]).length),  // per group, in order
        cells: document.querySelectorAll(overflowSel).length};
"""

_SVG_BOXES = r"""
const [selector] = arguments;
return Array.from(document.querySelectorAll(selector)).map(el => {
  const r = el.getBoundingClientRect();
  return {name: (el.getAttribute('class') || el.tagName) + ' "' + (el.textContent || '').trim().slice(0, 40) + '"',
          x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; });
"""


def unavailable() -> str | None:
    """Why the browser tests cannot run here (one line), or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not installed (apt-get install chromium)"
    if not CHROMEDRIVER.exists():
        return f"{CHROMEDRIVER} not installed (apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium not installed (pip install -e .[test])"
    return None


class Browser:
    """One headless chromium driven by selenium; :meth:`open` loads a file at a width and media."""

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self._profile = tempfile.mkdtemp(prefix="drawcheck-layout-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = str(CHROMIUM)
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--hide-scrollbars", "--force-device-scale-factor=1",
                    f"--user-data-dir={self._profile}", f"--window-size={SCREEN_WIDTH},900"):
            opts.add_argument(arg)
        # a fixed driver path: selenium-manager never runs (and never downloads anything)
        os.environ.setdefault("SE_AVOID_STATS", "true")
        self.driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
        self.width = SCREEN_WIDTH

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)

    def open(self, path: Path, *, media: str = "screen", landscape: bool = False) -> None:
        """Load ``path`` at 1400 px (``screen``) or at A4's printable width with print styles (``print``,
        portrait or ``landscape``)."""
        if media == "screen":
            width = SCREEN_WIDTH
        else:
            width = A4_LANDSCAPE_PRINTABLE_WIDTH if landscape else A4_PRINTABLE_WIDTH
        self.width = width
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        self.driver.get(Path(path).resolve().as_uri())
        self.driver.execute_script("return document.fonts ? document.fonts.ready.then(() => true) : true")

    def measure(self, groups: list[tuple], overflow: str) -> dict:
        """Overlaps within each group and the elements whose text overflows them.

        A group is (CSS selector, least horizontal gap px) or (selector, gap,
        True) to compare the extent of the elements' text instead of their boxes
        (table cells touch; their texts must not). Boxes of one group overlap
        when they cross in both directions; boxes on one line closer than the
        group's gap "run together". Elements nested in one another are not
        compared. ``overflow`` selects the elements whose content must fit
        (scrollWidth <= clientWidth + 1).
        """
        spec = [[g[0], g[1], bool(g[2]) if len(g) > 2 else False] for g in groups]
        return self.driver.execute_script(_MEASURE, spec, overflow, EPS)

    def boxes(self, selector: str) -> list[dict]:
        """Bounding boxes (page px) of the elements matching ``selector`` (SVG included)."""
        return self.driver.execute_script(_SVG_BOXES, selector)

    def screenshot(self, path: Path) -> Path:
        """The whole page last opened (up to MAX_SHOT_HEIGHT px tall, at its width) as PNG at ``path``."""
        width = self.width
        height = self.driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)")
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": int(min(max(height, 300), MAX_SHOT_HEIGHT)),
                                     "deviceScaleFactor": 1, "mobile": False})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        self.driver.save_screenshot(str(path))
        return path
