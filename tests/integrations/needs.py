"""Integration tests need an optional dependency. Outside its nox session a missing dependency
skips the test; inside it (`ODCS_CODEGEN_REQUIRE` names the integration) it is an error, so a
broken environment can never turn the suite green by skipping."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def require(integration: str, module: str) -> ModuleType:
    """Import `module` for `integration`, or skip (fail inside that integration's session)."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        if integration in os.environ.get("ODCS_CODEGEN_REQUIRE", "").split(","):
            pytest.fail(f"{integration} session: cannot import {module}: {error}")
        pytest.skip(f"needs the {integration} extra ({module} is not installed)")
