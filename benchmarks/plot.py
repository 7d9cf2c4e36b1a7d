"""The scaling plot: check time against rows and against rules, from the rows' ``series``.

Each row with a ``series`` (``panel|label``) and an ``x`` is one point (its median, in
seconds). Two panels: "rows" (sections 1 and 4, log-log: linear growth is a line of slope 1)
and "rules" (section 7). matplotlib is needed only here: `pip install matplotlib`.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from .common import Row

PLOT = Path(__file__).resolve().parent / "scaling.png"
PANELS = {
    "rows": ("rows in the Parquet file", "check time, s (median)"),
    "rules": ("rules on one dataset", "check time, s (median)"),
}
Series = dict[str, dict[str, list[tuple[float, float]]]]


def points(rows: Iterable[Row]) -> Series:
    """panel -> label -> sorted (x, median seconds)."""
    found: Series = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if not row.series or row.x is None or row.median is None:
            continue
        panel, _, label = row.series.partition("|")
        seconds = row.median / 1000 if row.unit == "ms" else row.median
        found[panel][label].append((row.x, seconds))
    return {p: {k: sorted(v) for k, v in labels.items()} for p, labels in found.items()}


def write_plot(rows: Iterable[Row], path: Path = PLOT, title: str = "") -> Path | None:
    """Draw the panels that have points into ``path`` (PNG); None when there are none or
    matplotlib is not installed (then it says so on stderr)."""
    series = points(rows)
    panels = [name for name in PANELS if name in series]
    if not panels:
        return None
    try:
        import matplotlib  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        print("no plot: matplotlib is not installed (pip install matplotlib)", file=sys.stderr)
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]

    figure, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 4.8), squeeze=False)
    for axis, panel in zip(axes[0], panels, strict=True):
        for label, values in sorted(series[panel].items()):
            xs, ys = zip(*values, strict=True)
            dashed = "hand-written" in label
            axis.plot(xs, ys, marker="o", linestyle="--" if dashed else "-", label=label)
        if panel == "rows":
            axis.set_xscale("log")
            axis.set_yscale("log")
        axis.set_xlabel(PANELS[panel][0])
        axis.set_ylabel(PANELS[panel][1])
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize="small")
    if title:
        figure.suptitle(title, fontsize="medium")
    figure.tight_layout()
    figure.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(figure)
    return path
