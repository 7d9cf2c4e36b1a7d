"""An OpenMetadata ingestion ``Source`` that reads ODCS contracts (a ``customDatabase`` service).

    source:
      type: customDatabase
      serviceName: contracts
      serviceConnection:
        config:
          type: CustomDatabase
          sourcePythonClass: odcs_codegen.openmetadata.source.ContractSource
          connectionOptions: {contracts: contracts/, database: analytics, schema: sales}
      sourceConfig: {config: {type: DatabaseMetadata, markDeletedTables: false}}

It yields the database service, database, schema, one table per schema object (columns, types,
descriptions, tags, keys), the ``ODCS`` tag classification, and a test definition and test
case per rule, named as published results name them. Tables of the schema whose contract is
gone are reported as warnings, and soft-deleted when ``markDeletedTables`` is true. Run it with
``metadata ingest -c workflow.yaml``. Needs the ``openmetadata`` extra.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from metadata.generated.schema.api.classification.createClassification import (  # type: ignore[import-not-found,unused-ignore]
    CreateClassificationRequest,
)
from metadata.generated.schema.api.classification.createTag import CreateTagRequest  # type: ignore[import-not-found,unused-ignore]
from metadata.generated.schema.api.data.createDatabase import CreateDatabaseRequest  # type: ignore[import-not-found,unused-ignore]
from metadata.generated.schema.api.data.createDatabaseSchema import (  # type: ignore[import-not-found,unused-ignore]
    CreateDatabaseSchemaRequest,
)
from metadata.generated.schema.api.data.createTable import CreateTableRequest  # type: ignore[import-not-found,unused-ignore]
from metadata.generated.schema.api.services.createDatabaseService import (  # type: ignore[import-not-found,unused-ignore]
    CreateDatabaseServiceRequest,
)
from metadata.generated.schema.api.tests.createTestCase import CreateTestCaseRequest  # type: ignore[import-not-found,unused-ignore]
from metadata.generated.schema.api.tests.createTestDefinition import (  # type: ignore[import-not-found,unused-ignore]
    CreateTestDefinitionRequest,
)
from metadata.generated.schema.entity.data.table import Table  # type: ignore[import-not-found,unused-ignore]
from metadata.generated.schema.entity.services.ingestionPipelines.status import (  # type: ignore[import-not-found,unused-ignore]
    StackTraceError,
)
from metadata.generated.schema.metadataIngestion.databaseServiceMetadataPipeline import (  # type: ignore[import-not-found,unused-ignore]
    DatabaseServiceMetadataPipeline,
)
from metadata.generated.schema.metadataIngestion.workflow import (  # type: ignore[import-not-found,unused-ignore]
    Source as WorkflowSource,
)
from metadata.ingestion.api.models import Either  # type: ignore[import-not-found,unused-ignore]
from metadata.ingestion.api.steps import InvalidSourceException, Source  # type: ignore[import-not-found,unused-ignore]
from metadata.ingestion.models.barrier import Barrier  # type: ignore[import-not-found,unused-ignore]
from metadata.ingestion.models.delete_entity import DeleteEntity  # type: ignore[import-not-found,unused-ignore]
from metadata.ingestion.models.ometa_classification import OMetaTagAndClassification  # type: ignore[import-not-found,unused-ignore]
from metadata.ingestion.ometa.ometa_api import OpenMetadata  # type: ignore[import-not-found,unused-ignore]
from metadata.utils.filters import filter_by_table  # type: ignore[import-not-found,unused-ignore]

from .._runtime.openmetadata_payload import TableLocation, fqn_part
from .mapping import TAG_CLASSIFICATION, contract_tables, planned_batch

__all__ = ["ContractSource"]

_CONTRACT_SUFFIXES = (".yaml", ".yml")


class ContractSource(Source):  # type: ignore[misc,unused-ignore]
    """Reads ODCS contracts; see the module docstring for the workflow configuration."""

    def __init__(self, config: WorkflowSource, metadata: OpenMetadata[Any, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call,unused-ignore]
        self.config = config
        self.metadata = metadata
        if config.serviceConnection is None:
            raise InvalidSourceException("the source needs a serviceConnection")
        self.service_connection = config.serviceConnection.root.config
        options = self.service_connection.connectionOptions
        self.options: dict[str, str] = dict(options.root) if options else {}
        self.service = str(config.serviceName)
        self.location = TableLocation(
            self.service,
            self.options.get("database", "default"),
            self.options.get("schema", "contracts"),
        )
        source_config = config.sourceConfig.config
        if not isinstance(source_config, DatabaseServiceMetadataPipeline):
            raise InvalidSourceException("sourceConfig.config must be of type DatabaseMetadata")
        self.source_config = source_config
        self.contracts: list[Path] = []

    @classmethod
    def create(
        cls,
        config_dict: dict[str, Any],
        metadata: OpenMetadata[Any, Any],
        pipeline_name: str | None = None,
    ) -> ContractSource:
        """The source of a workflow's ``source`` block."""
        return cls(WorkflowSource.model_validate(config_dict), metadata)

    def prepare(self) -> None:
        """Find the contract files (``connectionOptions.contracts``: files or folders,
        separated by commas)."""
        found: list[Path] = []
        for item in self.options.get("contracts", "contracts").split(","):
            path = Path(item.strip())
            if path.is_dir():
                found += sorted(p for p in path.rglob("*") if p.suffix in _CONTRACT_SUFFIXES)
            elif path.is_file():
                found.append(path)
            else:
                raise InvalidSourceException(f"no contract file or folder '{path}'")
        self.contracts = found

    def test_connection(self) -> None:
        """Contracts are files: nothing to connect to."""

    def close(self) -> None:
        """Nothing to release."""

    @property
    def schema_fqn(self) -> str:
        """``service.database.schema``."""
        parts = (self.location.service, self.location.database, self.location.schema)
        return ".".join(fqn_part(part) for part in parts)

    def _iter(self) -> Iterable[Either[Any]]:
        yield from self._containers()
        seen: set[str] = set()
        cases: list[Either[Any]] = []
        definitions: dict[str, Either[Any]] = {}
        for path in self.contracts:
            yield from self._contract(path, seen, definitions, cases)
        yield Either(left=None, right=Barrier(reason="tables before their test cases"))
        yield from definitions.values()
        yield from cases
        yield from self._gone(seen)

    def _containers(self) -> Iterator[Either[Any]]:
        """The service, the database and the schema."""
        yield Either(
            left=None,
            right=CreateDatabaseServiceRequest.model_validate(
                {
                    "name": self.service,
                    "serviceType": "CustomDatabase",
                    "connection": {"config": self.service_connection.model_dump(
                        mode="json", exclude_none=True
                    )},
                }
            )
        )  # fmt: skip
        database = {"name": self.location.database, "service": fqn_part(self.service)}
        yield Either(left=None, right=CreateDatabaseRequest.model_validate(database))
        parent = f"{fqn_part(self.service)}.{fqn_part(self.location.database)}"
        schema = {"name": self.location.schema, "database": parent}
        yield Either(left=None, right=CreateDatabaseSchemaRequest.model_validate(schema))

    def _contract(
        self,
        path: Path,
        seen: set[str],
        definitions: dict[str, Either[Any]],
        cases: list[Either[Any]],
    ) -> Iterator[Either[Any]]:
        """One contract's tags and tables; its definitions and cases are collected."""
        from ..run import load_contract

        try:
            tables, tags = contract_tables(path, self.schema_fqn)
            module, _ = load_contract(path)
            batch = planned_batch(module, self.location)
        except Exception as error:  # a broken contract fails alone, with its reason
            yield Either(
                right=None,
                left=StackTraceError(
                    name=str(path),
                    error=f"cannot read contract {path}: {error}",
                    stackTrace=traceback.format_exc(),
                ),
            )
            return
        for tag in tags:
            yield Either(left=None, right=self._tag(tag))
        kept: set[str] = set()
        for table in tables:
            if filter_by_table(self.source_config.tableFilterPattern, table["name"]):
                self.status.filter(table["name"], "table filter pattern")
                continue
            kept.add(table["name"])
            seen.add(table["name"])
            yield Either(left=None, right=CreateTableRequest.model_validate(table))
        for definition in batch.definitions:
            request = CreateTestDefinitionRequest.model_validate(definition)
            definitions.setdefault(definition["name"], Either(left=None, right=request))
        for _, case in batch.cases:
            if _table_of(case["entityLink"], self.location) in kept:
                cases.append(Either(left=None, right=CreateTestCaseRequest.model_validate(case)))

    def _tag(self, name: str) -> OMetaTagAndClassification:
        """A tag of the ``ODCS`` classification."""
        classification = {
            "name": TAG_CLASSIFICATION,
            "description": "Tags written in ODCS data contracts.",
        }
        tag = {
            "classification": TAG_CLASSIFICATION,
            "name": name,
            "description": f"ODCS tag '{name}'.",
        }
        return OMetaTagAndClassification(
            classification_request=CreateClassificationRequest.model_validate(classification),
            tag_request=CreateTagRequest.model_validate(tag),
        )

    def _gone(self, seen: set[str]) -> Iterator[Either[Any]]:
        """Tables of the schema without a contract: a warning each, soft-deleted when
        ``markDeletedTables`` is true."""
        tables = self.metadata.list_all_entities(
            entity=Table, params={"databaseSchema": self.schema_fqn}
        )
        for table in tables:
            name = str(table.name.root)
            if name in seen or table.deleted:
                continue
            if filter_by_table(self.source_config.tableFilterPattern, name):
                continue
            self.status.warning(name, "its contract is gone")
            if self.source_config.markDeletedTables:
                yield Either(left=None, right=DeleteEntity(entity=table))


def _table_of(link: str, location: TableLocation) -> str:
    """The table name of a test case's entity link."""
    inner = link[len("<#E::table::") : -1].split("::columns::")[0]
    prefix = ".".join(
        fqn_part(part) for part in (location.service, location.database, location.schema)
    )
    name = inner[len(prefix) + 1 :]
    return name[1:-1] if name.startswith('"') and name.endswith('"') else name
