"""One local Spark session for the whole test run (`local[2]`, no UI, two shuffle partitions)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integrations.needs import require


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The shared session; the runtime uses it (it never stops a session it did not start)."""
    sql = require("spark", "pyspark.sql")
    session = (
        sql.SparkSession.builder.master("local[2]")
        .appName("odcs-codegen-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
