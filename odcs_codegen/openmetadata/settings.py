"""The ``[openmetadata]`` configuration table: its JSON Schema (for the configuration checker)
and its parsing (the runtime's, so generated packages read the same keys)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._runtime.openmetadata import PublishConfig, config_from_mapping

__all__ = ["SCHEMA", "parse"]

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_SECONDS: dict[str, Any] = {"type": "number", "minimum": 0}

#: The JSON Schema of the ``openmetadata`` key (``[tool.odcs-codegen.openmetadata]``).
SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Where run results are published in OpenMetadata (--publish openmetadata).",
    "additionalProperties": False,
    "required": ["service", "database", "schema"],
    "properties": {
        "service": {**_TEXT, "description": "The database service of the contract's tables."},
        "database": {**_TEXT, "description": "The database of the contract's tables."},
        "schema": {**_TEXT, "description": "The schema of the contract's tables."},
        "tables": {
            "type": "object",
            "description": "Dataset name -> OpenMetadata table name (default: the same).",
            "propertyNames": {"minLength": 1},
            "additionalProperties": _TEXT,
        },
        "server": {
            "type": "object",
            "description": "A workflowConfig.openMetadataServerConfig block: hostPort, "
            "authProvider, securityConfig.jwtToken (${VAR} is read from the environment).",
            "required": ["hostPort"],
            "propertyNames": {"pattern": "^[A-Za-z][A-Za-z0-9]*$"},
            "additionalProperties": {},
        },
        "workflow-config": {
            **_TEXT,
            "description": "A YAML file with workflowConfig.openMetadataServerConfig "
            "(relative to this configuration's folder); instead of server.",
        },
        "platform": {"enum": ["Other", "OpenMetadata"], "description": "testPlatforms."},
        "retries": {"type": "integer", "minimum": 1, "maximum": 100},
        "backoff": {**_SECONDS, "description": "Seconds before the first retry (doubled)."},
        "max-backoff": {**_SECONDS, "description": "The longest pause between retries."},
        "timeout": {**_SECONDS, "description": "Seconds per request."},
        "pending-dir": {**_TEXT, "description": "Where undelivered results are kept."},
    },
}


def parse(table: dict[str, Any], base_dir: Path, where: str = "openmetadata") -> PublishConfig:
    """The PublishConfig of a checked ``openmetadata`` table (UsageError naming the key)."""
    return config_from_mapping(table, base_dir=base_dir, where=where)
