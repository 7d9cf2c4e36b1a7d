"""Which dqlib versions this runtime was built and tested for, checked when a package is imported.

dqlib's internals that exact results rely on (six-digit rounding, symbol values) may change
between minor versions, so a package refuses other versions with a clear message instead of
returning wrong verdicts. ``ODCS_CODEGEN_IGNORE_DQLIB_VERSION=1`` lets it run anyway.
"""

from __future__ import annotations

import os
import re

__all__ = ["DQLIB_SUPPORTED", "check_dqlib"]

DQLIB_SUPPORTED = ">=0.5.23,<0.6"
"""The dqlib versions the runtime supports (the same range as odcs-codegen's own dependency)."""

_LOWEST, _BELOW = (0, 5, 23), (0, 6)


def _release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: '0.5.23.post1' -> (0, 5, 23)."""
    parts = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(p) for p in parts.group().split(".")) if parts else ()


def check_dqlib() -> None:
    """Raise ImportError when the installed dqlib is outside ``DQLIB_SUPPORTED``."""
    if os.environ.get("ODCS_CODEGEN_IGNORE_DQLIB_VERSION") == "1":
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("dqlib")
    except PackageNotFoundError:
        raise ImportError(
            f"these checks need dqlib{DQLIB_SUPPORTED}: pip install 'dqlib{DQLIB_SUPPORTED}'"
        ) from None
    release = _release(installed)
    if not _LOWEST <= release < _BELOW:
        raise ImportError(
            f"these checks were generated for dqlib{DQLIB_SUPPORTED}, but dqlib {installed} is "
            f"installed: pip install 'dqlib{DQLIB_SUPPORTED}', or generate the checks again "
            "with an odcs-codegen that supports it (ODCS_CODEGEN_IGNORE_DQLIB_VERSION=1 runs "
            "them anyway)"
        )
