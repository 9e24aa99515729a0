"""The fleet HTML page in a real headless Chromium: no console errors, the matrix, filtering.

Runs where Debian's chromium is installed (/usr/bin/chromium) and skips otherwise; the
suite never installs it. Each page is loaded with --dump-dom after its script has run
(the filter comes in the URL fragment); --enable-logging=stderr prints every console
message as an `:INFO:CONSOLE` line, which a control page with a deliberate error proves.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from envaudit.choices import FailOn
from envaudit.fleet.merge import merge
from envaudit.formats.html import HtmlFormat
from tests.fleet_reports import three_reports

# ENVAUDIT_CHROMIUM points elsewhere (or at nothing, to see the skip).
CHROMIUM = Path(os.environ.get("ENVAUDIT_CHROMIUM", "/usr/bin/chromium"))
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason=f"needs Debian's chromium at {CHROMIUM}")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--enable-logging=stderr", "--v=0")


def load(page: Path, fragment: str) -> tuple[str, list[str]]:
    """The DOM after the page's script ran, and the console messages Chromium logged."""
    profile = tempfile.mkdtemp(prefix="envaudit-chromium-")  # a fresh, throw-away profile
    try:
        done = subprocess.run(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "--dump-dom",
             f"{page.as_uri()}#{fragment}"],
            capture_output=True, text=True, timeout=60, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


class Rows(HTMLParser):
    """Rows of the matrix and causes tables, and whether each is hidden; a few ids' text."""

    def __init__(self) -> None:
        super().__init__()
        self.hosts: dict[str, bool] = {}
        self.causes: dict[str, bool] = {}
        self.attrs_by_id: dict[str, dict[str, str | None]] = {}
        self.text_by_id: dict[str, str] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("data-host") is not None:
            self.hosts[str(a["data-host"])] = "hidden" in a
        if tag == "tr" and a.get("data-cause") is not None:
            self.causes[str(a["data-cause"])] = "hidden" in a
        if a.get("id"):
            self.attrs_by_id[str(a["id"])] = a
            self._current = str(a["id"])

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self.text_by_id[self._current] = self.text_by_id.get(self._current, "") + data

    def handle_endtag(self, tag: str) -> None:
        self._current = None


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    fleet = merge(three_reports(tmp / "reports"), print)
    out = tmp / "fleet.html"
    out.write_text(HtmlFormat().render(fleet, FailOn.ERROR), encoding="utf-8")
    return out


def test_filtered_page_shows_the_matrix_without_console_errors(page: Path) -> None:
    dom, console = load(page, "q=torch&severity=error&host=node-c&sort=matrix.0.desc")
    assert console == []
    rows = Rows()
    rows.feed(dom)
    assert "matrix" in rows.attrs_by_id and "causes" in rows.attrs_by_id
    assert 'data-ready="1"' in dom  # the script ran to its end
    # The matrix: node-a and node-c have a torch error; node-b (clean) is filtered out.
    assert rows.hosts == {"0": False, "1": True, "2": False}
    assert list(rows.hosts) == ["2", "1", "0"]  # sorted by host name, descending
    assert 'class="desc"' in dom
    shown = [i for i, hidden in rows.causes.items() if not hidden]
    assert 1 <= len(shown) < len(rows.causes) == 258
    assert rows.text_by_id["shown"] == f"2 of 3 hosts, {len(shown)} of 258 root causes shown"
    assert "hidden" not in rows.attrs_by_id["drill"]  # the per-host drill-down is open
    assert rows.text_by_id["drill-name"] == "node-c"
    assert "<svg" in dom and 'class="bar-error"' in dom


def test_a_host_name_filter_shows_that_hosts_root_causes(page: Path) -> None:
    dom, console = load(page, "q=node-c&severity=error")
    rows = Rows()
    rows.feed(dom)
    assert console == [] and rows.hosts == {"0": True, "1": True, "2": False}
    assert rows.text_by_id["shown"] == "1 of 3 hosts, 13 of 258 root causes shown"


def test_console_errors_would_be_caught(tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text("<!DOCTYPE html><script>null.x;</script>")
    _, console = load(control, "")
    assert any("Uncaught TypeError" in line for line in console)
