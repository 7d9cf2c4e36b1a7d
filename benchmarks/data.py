"""The data of the check-execution benchmark: an orders table matching contracts/bench.odcs.yaml.

Rows are computed by DuckDB from the row number with `hash()`, so a file is deterministic
and nothing random is stored; they are written in chunks of at most CHUNK_ROWS rows (each
chunk one or more Parquet row groups), so a 20M-row file never sits in memory.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import tracemalloc
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

CHUNK_ROWS = 1_000_000
COLUMNS = (
    "order_id",
    "customer_id",
    "status",
    "amount",
    "quantity",
    "country",
    "email",
    "created_at",
)

# order_id is (i * 48271) mod n + 1, a permutation of 1..n (48271 is prime and divides no
# n used here), so the ids are unique but not sorted. About 1% of amounts are NULL, 1.5% of
# countries NULL or sentinel values, 0.1% of emails malformed; 1 in 10,000 orders is big.
_ROWS = """
SELECT
    (i * 48271) % {n} + 1 AS order_id,
    CAST(hash(i, 1) % {customers} + 1 AS BIGINT) AS customer_id,
    ['pending', 'paid', 'shipped', 'delivered', 'cancelled'][CAST(hash(i, 2) % 5 AS INTEGER) + 1]
        AS status,
    CASE WHEN hash(i, 3) % 100 = 0 THEN NULL
         ELSE round(exp((hash(i, 4) % 100000) / 12500.0) - 0.5, 2) END AS amount,
    CAST(hash(i, 5) % 20 + 1 AS INTEGER) AS quantity,
    CASE hash(i, 6) % 200 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'N/A'
         ELSE ['DE', 'FR', 'NL', 'US', 'GB', 'ES', 'IT', 'PL', 'SE', 'JP']
              [CAST(hash(i, 7) % 10 AS INTEGER) + 1]
    END AS country,
    CASE WHEN hash(i, 8) % 1000 = 0 THEN 'not an email'
         ELSE 'user' || (hash(i, 1) % {customers} + 1) || '@example.com' END AS email,
    TIMESTAMP '2025-01-01' + to_seconds(CAST(hash(i, 9) % 31536000 AS BIGINT)) AS created_at
FROM range({start}, {stop}) AS t(i)
"""


def write_orders(path: Path, rows: int, chunk_rows: int = CHUNK_ROWS) -> Path:
    """Write ``rows`` orders to the Parquet file ``path`` (in chunks); returns ``path``."""
    customers = max(rows // 10, 1)
    connection = duckdb.connect()
    try:
        writer: pq.ParquetWriter | None = None
        for start in range(0, rows, chunk_rows):
            stop = min(start + chunk_rows, rows)
            query = _ROWS.format(n=rows, customers=customers, start=start, stop=stop)
            chunk = connection.sql(query).to_arrow_table()
            if writer is None:
                writer = pq.ParquetWriter(path, chunk.schema, compression="snappy")
            writer.write_table(chunk, row_group_size=min(chunk_rows, 1_000_000))
        if writer is not None:
            writer.close()
    finally:
        connection.close()
    return path


_SHARED: dict[int, Path] = {}
_FOLDER: list[Path] = []  # the shared files' temporary folder, once made


def shared_file(rows: int) -> Path:
    """An orders file of ``rows`` rows, written once per process and shared by the sections
    (in a temporary folder removed at exit)."""
    if rows not in _SHARED:
        if not _FOLDER:
            _FOLDER.append(Path(tempfile.mkdtemp(prefix="odcs-bench-data-")))
            atexit.register(shutil.rmtree, _FOLDER[0], ignore_errors=True)
        _SHARED[rows] = write_orders(_FOLDER[0] / f"orders_{rows}.parquet", rows)
    return _SHARED[rows]


def python_object_bytes(path: Path, sample_rows: int = 50_000) -> float:
    """Bytes per row of the data as Python objects (``to_pylist()`` dicts), from a sample.

    Measured with tracemalloc on the first ``sample_rows`` rows of ``path`` (the peak traced
    memory of materialising them, divided by the row count).
    """
    table = pq.ParquetFile(path).read_row_group(0).slice(0, sample_rows)
    tracemalloc.start()
    try:
        objects = table.to_pylist()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    count = len(objects)
    del objects
    return peak / max(count, 1)
