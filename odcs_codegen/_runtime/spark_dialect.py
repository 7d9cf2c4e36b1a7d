"""dqlib's ``spark`` dialect and Spark SQL quoting, registered with dqlib on import.

Every metric of a dataset is one Spark SQL query (one Spark job): backtick-quoted aliases, and
the ``values`` column built as an array of ``(key, value)`` structs.
"""

from __future__ import annotations

import contextlib
from typing import Any

__all__ = ["SparkDialect", "quote_identifier", "quote_literal"]


def quote_identifier(name: str) -> str:
    """A Spark identifier: ``name`` in backticks, inner backticks doubled."""
    return "`" + name.replace("`", "``") + "`"


def quote_literal(text: str) -> str:
    """A Spark string literal (backslash escapes, as Spark reads them)."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return "'" + escaped.replace("\n", "\\n").replace("\r", "\\r") + "'"


class SparkDialect:
    """dqlib's ``spark`` dialect: the row count and custom SQL metrics, one query per dataset
    whose rows are ``(date, values)`` with ``values`` an array of ``(key, value)`` structs.
    """

    name = "spark"

    def translate_sql_op(self, op: Any) -> str:
        """One metric of the aggregate SELECT, aliased by its backtick-quoted symbol."""
        from dqx import ops

        if isinstance(op, ops.NumRows):
            return f"CAST(COUNT(*) AS DOUBLE) AS `{op.sql_col}`"
        if isinstance(op, ops.CustomSQL):
            return f"CAST(({op.sql_expression}) AS DOUBLE) AS `{op.sql_col}`"
        raise ValueError(
            f"the spark dialect has no translation for {type(op).__name__}"
        )

    def build_cte_query(self, cte_data: list[Any], data_source: Any) -> str:
        """The whole query: dqlib's CTEs, one SELECT per date."""
        from dqx.dialect import _build_query_with_values

        def values(metrics: list[Any]) -> str:
            pairs = ", ".join(
                f"named_struct('key', '{op.sql_col}', 'value', `{op.sql_col}`)"
                for op in metrics
            )
            return f"array({pairs})"

        return str(
            _build_query_with_values(
                self, cte_data, values, data_source, values_alias="`values`"
            )
        )


def _register() -> None:
    from dqx.dialect import register_dialect

    with contextlib.suppress(ValueError):  # registered already (another runtime copy)
        register_dialect("spark", SparkDialect)


_register()
