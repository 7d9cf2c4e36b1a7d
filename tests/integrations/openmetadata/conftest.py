"""Fixtures of the OpenMetadata tests: the strict local API server and a run to publish."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.integrations.needs import require

HERE = Path(__file__).resolve().parent
CONTRACT = HERE / "contracts" / "shipments.odcs.yaml"
SCHEMA = "warehouse.analytics.logistics"
TOKEN = "good-token"


@pytest.fixture
def server() -> Iterator[Any]:
    """A FakeOpenMetadata on 127.0.0.1 (requests and answers checked with the models)."""
    require("openmetadata", "metadata.generated.schema.tests.testCase")
    require("openmetadata", "httpx")
    from tests.integrations.openmetadata.fake_server import FakeOpenMetadata

    fake = FakeOpenMetadata()
    yield fake
    fake.stop()
    assert fake.store.errors == [], "requests or answers that do not validate"


def om_table(server: Any, token: str = TOKEN, **extra: Any) -> dict[str, Any]:
    """The [openmetadata] table for ``server``."""
    return {
        "service": "warehouse",
        "database": "analytics",
        "schema": "logistics",
        "server": {
            "hostPort": server.url,
            "authProvider": "openmetadata",
            "securityConfig": {"jwtToken": token},
        },
        "backoff": 0.01,
        "timeout": 0.5,
        **extra,
    }


@pytest.fixture
def shipments() -> tuple[ModuleType, Any]:
    """The test contract compiled in memory, and the report of a run on its sample."""
    from odcs_codegen._runtime.cli import run_module
    from odcs_codegen._runtime.opening import open_sources
    from odcs_codegen.run import load_contract

    module, _ = load_contract(CONTRACT)
    sources = open_sources(module.DATASETS, [], module.SERVERS, base_dir=CONTRACT.parent)
    try:
        report = run_module(module, sources)
    finally:
        for source in sources.values():
            source.close()
    return module, report


def seed(server: Any, module: ModuleType) -> None:
    """The contract's tables, as the connector creates them."""
    for dataset in module.DATASETS:
        server.store.seed_table(SCHEMA, dataset.name, [c.name for c in dataset.columns])
