"""The starter files of ``odcs-codegen init --openmetadata``: a workflow YAML for the contract
connector (``metadata ingest -c openmetadata.yaml``) and the ``[openmetadata]`` table that
publishes run results. Secrets are ``${...}`` references, read from the environment."""

from __future__ import annotations

import json

__all__ = ["SOURCE_CLASS", "starter_config", "starter_workflow"]

SOURCE_CLASS = "odcs_codegen.openmetadata.source.ContractSource"


def _yaml(value: str) -> str:
    """A YAML scalar: JSON's double-quoted string is valid YAML."""
    return json.dumps(value)


def starter_workflow(
    *,
    service: str = "contracts",
    database: str = "analytics",
    schema: str = "sales",
    contracts: str = "contracts",
    host_port: str = "http://localhost:8585/api",
) -> str:
    """The workflow YAML of the contract connector; the JWT token is ``${OM_JWT}``."""
    return f"""\
# OpenMetadata ingestion of the ODCS contracts: `metadata ingest -c openmetadata.yaml`
# (pip install 'openmetadata-ingestion>=2.0', then pip install 'odcs-codegen[publish]';
# export OM_JWT=<the ingestion bot's JWT token>).
source:
  type: customDatabase
  serviceName: {_yaml(service)}
  serviceConnection:
    config:
      type: CustomDatabase
      sourcePythonClass: {SOURCE_CLASS}
      connectionOptions:  # contracts: files or folders (from the current folder), with commas
        contracts: {_yaml(contracts)}
        database: {_yaml(database)}
        schema: {_yaml(schema)}
  sourceConfig:
    config:
      type: DatabaseMetadata
      markDeletedTables: false   # true: soft-delete tables whose contract is gone
sink:
  type: metadata-rest
  config: {{}}
workflowConfig:
  loggerLevel: INFO
  openMetadataServerConfig:
    hostPort: {_yaml(host_port)}
    authProvider: openmetadata
    securityConfig:
      jwtToken: ${{OM_JWT}}
"""


def starter_config(
    *,
    service: str = "contracts",
    database: str = "analytics",
    schema: str = "sales",
    workflow: str = "openmetadata.yaml",
) -> str:
    """The ``[openmetadata]`` table of odcs-codegen.toml: where the tables live, and the
    server of the workflow file."""
    return f"""\

# Publish run results: `odcs-codegen run CONTRACT --publish openmetadata`.
[openmetadata]
service = {json.dumps(service)}
database = {json.dumps(database)}
schema = {json.dumps(schema)}
workflow-config = {json.dumps(workflow)}   # its workflowConfig.openMetadataServerConfig
retries = 5                      # attempts per request (5xx, timeouts, refused connections)
backoff = 0.5                    # seconds before the first retry, doubled each time
max-backoff = 30.0
timeout = 10.0                   # seconds per request
pending-dir = ".openmetadata-pending"   # undelivered results: `odcs-codegen publish FILE`
"""
