"""`--report migration.html`: one self-contained HTML file, checked as text and as rendered by
a real headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from conftest import TF1_SOURCE, TF2_CLEAN
from test_notebooks import TF_NOTEBOOK, notebook

# A changed line with markup in it: the report must show it, never run it.
TRICKY = """\
import tensorflow as tf

tf.logging.info("<script>alert('x')</script> & <b>bold</b>")
"""

SECTIONS = ("Totals by rule family", "What was fixed", "What is left for a person",
            "Changes, side by side", "Rules in this report")


def make_tree(project) -> None:
    project.write("pkg/train.py", TF1_SOURCE)
    project.write("pkg/clean.py", TF2_CLEAN)
    project.write("pkg/tricky.py", TRICKY)
    (project.root / "notebooks").mkdir()
    nbformat.write(notebook(*TF_NOTEBOOK), str(project.root / "notebooks" / "tut.ipynb"))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "data", "poster") and value:
                self.urls.append(value)


def self_contained(html: str) -> None:
    parser = _Links()
    parser.feed(html)
    assert not parser.tags & {"script", "link", "img", "iframe", "object", "embed"}
    assert all(url.startswith("#") for url in parser.urls), parser.urls
    assert "url(" not in html and "@import" not in html


def test_fix_write_report(project):
    make_tree(project)
    result = project.run("fix", "--write", "--no-cache", "--report", "migration.html", ".")
    assert result.returncode == 1, result.stderr  # findings are left for a person
    assert "Report written to migration.html." in result.stderr
    html = (project.root / "migration.html").read_text(encoding="utf-8")
    self_contained(html)
    for section in SECTIONS:
        assert section in html
    assert "tfmigrate fix --write" in html
    # Totals by family: TFM1xx fixed, TFM8xx left.
    assert "<code>TFM1xx</code>" in html and "<code>TFM8xx</code>" in html
    # What was fixed, per file and per rule, and what is left with its guidance.
    assert "notebooks/tut.ipynb" in html and "pkg/train.py" in html
    assert "tf-logging" in html and "absl.logging" in html
    assert "cell 4, line 1, col 5" in html  # tf.placeholder, left for a person
    assert "`tf.placeholder` does not exist in TF2" in html
    # Side-by-side diffs: a notebook per changed cell; everything escaped.
    assert "<h4>cell 2</h4>" in html and "<h4>cell 6</h4>" in html and "<h4>cell 4</h4>" in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>" not in html and "<b>bold" not in html
    assert "pkg/clean.py</code></h3>" not in html  # unchanged files have no diff


def test_check_report(project):
    make_tree(project)
    result = project.run("check", "--no-cache", "--report", "out/report.html", ".")
    assert result.returncode == 2  # out/ does not exist: the report cannot be written
    assert "cannot write the report" in result.stderr
    (project.root / "out").mkdir()
    result = project.run("check", "--no-cache", "--report", "out/report.html", ".")
    assert result.returncode == 1
    html = (project.root / "out" / "report.html").read_text(encoding="utf-8")
    self_contained(html)
    for section in SECTIONS:
        assert section in html
    assert "Nothing was changed" in html and "No file was changed." in html
    assert "cell 6, line 1, col 1" in html
    assert project.read("pkg/train.py") == TF1_SOURCE


def test_report_with_stdin_is_a_usage_error(project):
    result = project.run("check", "-", "--report", "r.html", input=TF1_SOURCE)
    assert result.returncode == 2 and "--report" in result.stderr


# -- real browser --------------------------------------------------------------------------

def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") or os.environ.get("TFMIGRATE_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's `chromium`)")
        pytest.skip("chromium is not installed: apt-get install chromium")
    return found


def run_chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
               f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def test_report_renders_in_headless_chromium(project, tmp_path):
    make_tree(project)
    result = project.run("fix", "--write", "--no-cache", "--report", "migration.html", ".")
    assert result.returncode == 1, result.stderr
    page = (project.root / "migration.html").resolve().as_uri()
    dom = run_chromium(tmp_path / "profile", "--dump-dom", page)
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = dom.stdout
    for section_id in ("totals", "fixed", "left", "diffs", "rules"):
        assert f'id="{section_id}"' in rendered
    for section in SECTIONS:
        assert section in rendered
    assert rendered.count('<table class="diff">') == 5  # train.py, tricky.py, 3 notebook cells
    assert '<td class="del">' in rendered and '<td class="add">' in rendered
    assert "&lt;script&gt;" in rendered and "<script" not in rendered  # shown, not run
    shot = tmp_path / "report.png"
    taken = run_chromium(tmp_path / "profile2", f"--screenshot={shot}",
                         "--window-size=1200,1600", "--hide-scrollbars", page)
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
