"""The HTML report in a real browser: it renders without console errors and is not blank."""

from __future__ import annotations

from pathlib import Path

from .chromium import distinct_pixel_bytes, example_report, render


def test_the_example_report_renders_without_console_errors(tmp_path: Path) -> None:
    page = example_report(tmp_path)
    shot = tmp_path / "report.png"
    console = render(page, shot)
    assert console == []
    assert shot.stat().st_size > 20_000
    assert distinct_pixel_bytes(shot) > 64


def test_a_phone_sized_window_renders_too(tmp_path: Path) -> None:
    page = example_report(tmp_path)
    shot = tmp_path / "phone.png"
    assert render(page, shot, width=390, height=844) == []
    assert distinct_pixel_bytes(shot) > 64


def test_a_blank_page_is_told_apart(tmp_path: Path) -> None:
    blank = tmp_path / "blank.html"
    blank.write_text("<!doctype html><title>x</title>", encoding="utf-8")
    shot = tmp_path / "blank.png"
    render(blank, shot)
    assert distinct_pixel_bytes(shot) <= 64


def test_console_errors_are_seen(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><title>x</title><script>missing();</script>", "utf-8")
    console = render(page, tmp_path / "broken.png")
    assert any("missing is not defined" in line for line in console)
