"""Headless Chromium for the report tests, and the command that refreshes the README screenshot:

python -m tests.integrations.browser.chromium docs/report.png
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "contracts" / "orders_sample.odcs.yaml"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
)


def find_chromium() -> str:
    """The Chromium binary; skip outside the `browser` session when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if "browser" in os.environ.get("ODCS_CODEGEN_REQUIRE", "").split(","):
        pytest.fail("browser session: no chromium on PATH (Debian: apt-get install chromium)")
    pytest.skip("needs Chromium (Debian: apt-get install chromium)")


def render(page: Path, screenshot: Path, width: int = 1200, height: int = 1400) -> list[str]:
    """Render `page` headless into `screenshot`; the page's console messages."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                find_chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={screenshot}",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=profile,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return [line for line in done.stderr.splitlines() if "CONSOLE" in line]


def distinct_pixel_bytes(png: Path) -> int:
    """How many distinct byte values the image data holds (a blank page holds very few)."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    index, chunks = 8, []
    while index < len(data):
        length = int.from_bytes(data[index : index + 4], "big")
        kind = data[index + 4 : index + 8]
        if kind == b"IDAT":
            chunks.append(data[index + 8 : index + 8 + length])
        index += 12 + length
    return len(set(zlib.decompress(b"".join(chunks))))


def example_report(folder: Path) -> Path:
    """The HTML report of the shipped example, as `odcs-codegen run` writes it."""
    page = folder / "report.html"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "odcs_codegen.cli",
            "run",
            str(EXAMPLE),
            "--format",
            "html",
            "--output",
            str(page),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    return page


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "report.png")
    with tempfile.TemporaryDirectory() as scratch:
        render(example_report(Path(scratch)), target.absolute(), 1100, 1000)
    print(f"wrote {target}")
