"""A local stand-in for OpenMetadata's REST API, strict about the official models.

Every request body is validated with the create-request model of openmetadata-ingestion and
every answer is built as, and validated with, the entity model (``errors`` lists each failure;
a request that does not validate is answered 400 like the server does). Entities live in
memory; a ``PUT`` is create-or-update (the version moves only when something changed). Faults
(``fail``) answer chosen requests with a status, a delay longer than the client waits, or a
409; ``stop``/``start`` make connections refused.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from metadata.generated.schema.api.classification.createClassification import (
    CreateClassificationRequest,
)
from metadata.generated.schema.api.classification.createTag import CreateTagRequest
from metadata.generated.schema.api.data.createDatabase import CreateDatabaseRequest
from metadata.generated.schema.api.data.createDatabaseSchema import (
    CreateDatabaseSchemaRequest,
)
from metadata.generated.schema.api.data.createTable import CreateTableRequest
from metadata.generated.schema.api.services.createDatabaseService import (
    CreateDatabaseServiceRequest,
)
from metadata.generated.schema.api.tests.createTestCase import CreateTestCaseRequest
from metadata.generated.schema.api.tests.createTestCaseResult import CreateTestCaseResult
from metadata.generated.schema.api.tests.createTestDefinition import (
    CreateTestDefinitionRequest,
)
from metadata.generated.schema.entity.classification.classification import Classification
from metadata.generated.schema.entity.classification.tag import Tag
from metadata.generated.schema.entity.data.database import Database
from metadata.generated.schema.entity.data.databaseSchema import DatabaseSchema
from metadata.generated.schema.entity.data.table import Table
from metadata.generated.schema.entity.services.databaseService import DatabaseService
from metadata.generated.schema.tests.basic import TestCaseResult
from metadata.generated.schema.tests.testCase import TestCase
from metadata.generated.schema.tests.testDefinition import TestDefinition

VERSION = "2.0.7"
API = "/api/v1/"

# collection -> (create model, entity model, entity type, references: field -> type)
COLLECTIONS: dict[str, tuple[Any, Any, str, dict[str, str]]] = {
    "services/databaseServices": (
        CreateDatabaseServiceRequest, DatabaseService, "databaseService", {}
    ),
    "databases": (CreateDatabaseRequest, Database, "database", {"service": "databaseService"}),
    "databaseSchemas": (
        CreateDatabaseSchemaRequest, DatabaseSchema, "databaseSchema", {"database": "database"}
    ),
    "tables": (CreateTableRequest, Table, "table", {"databaseSchema": "databaseSchema"}),
    "classifications": (CreateClassificationRequest, Classification, "classification", {}),
    "tags": (CreateTagRequest, Tag, "tag", {"classification": "classification"}),
    "dataQuality/testDefinitions": (
        CreateTestDefinitionRequest, TestDefinition, "testDefinition", {}
    ),
    "dataQuality/testCases": (
        CreateTestCaseRequest, TestCase, "testCase", {"testDefinition": "testDefinition"}
    ),
}  # fmt: skip
_TYPE_TO_COLLECTION = {kind: name for name, (_, _, kind, _) in COLLECTIONS.items()}

Fault = tuple[Callable[[str, str], bool], str]


class Store:
    """The entities, results, faults and every problem found."""

    def __init__(self) -> None:
        self.entities: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in COLLECTIONS}
        self.results: dict[str, list[dict[str, Any]]] = {}
        self.errors: list[str] = []
        self.requests: list[tuple[str, str]] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()

    def fail(self, method: str, path_part: str, action: str, times: int = 1) -> None:
        """Answer the next ``times`` requests ``method`` on a path containing ``path_part``
        with ``action``: an HTTP status (``"503"``), ``"timeout"`` (the request is handled,
        then the answer comes too late) or ``"409"``."""
        for _ in range(times):
            self.faults.append((lambda m, p: m == method and path_part in p, action))

    def take_fault(self, method: str, path: str) -> str | None:
        with self.lock:
            for index, (matches, action) in enumerate(self.faults):
                if matches(method, path):
                    del self.faults[index]
                    return action
        return None

    def by_fqn(self, collection: str, fqn: str) -> dict[str, Any] | None:
        return self.entities[collection].get(fqn)

    def reference(self, kind: str, fqn: str) -> dict[str, Any] | None:
        entity = self.by_fqn(_TYPE_TO_COLLECTION[kind], fqn)
        if entity is None:
            return None
        return {
            "id": entity["id"],
            "type": kind,
            "name": entity["name"],
            "fullyQualifiedName": entity["fullyQualifiedName"],
        }

    def seed_table(self, schema_fqn: str, name: str, columns: list[str]) -> None:
        """A table as a connector would have created it (with its parents)."""
        service, database, schema = schema_fqn.split(".")
        self.put("services/databaseServices", {"name": service, "serviceType": "CustomDatabase"})
        self.put("databases", {"name": database, "service": service})
        self.put("databaseSchemas", {"name": schema, "database": f"{service}.{database}"})
        cols = [{"name": c, "dataType": "STRING"} for c in columns]
        self.put("tables", {"name": name, "databaseSchema": schema_fqn, "columns": cols})

    # -- entity logic ----------------------------------------------------------------------

    def put(self, collection: str, body: dict[str, Any]) -> tuple[int, Any]:
        """Create or update: (status, answer)."""
        create, model, _, references = COLLECTIONS[collection]
        try:
            create.model_validate(body)
        except Exception as error:  # the official model's validation error
            self.errors.append(f"PUT {collection}: invalid request: {error}")
            return 400, {"code": 400, "message": str(error).splitlines()[0]}
        entity = dict(body)
        for field, ref_kind in references.items():
            ref = self.reference(ref_kind, str(body[field]))
            if ref is None:
                return 404, {"code": 404, "message": f"{ref_kind} {body[field]} not found"}
            entity[field] = ref
        problem = self._place(collection, body, entity)
        if problem:
            return 404, {"code": 404, "message": problem}
        fqn = entity["fullyQualifiedName"]
        entity.update(deleted=False, updatedBy="ingestion-bot")
        with self.lock:
            old = self.entities[collection].get(fqn)
            entity["id"] = old["id"] if old else str(uuid.uuid4())
            entity["version"] = old["version"] if old else 0.1
            entity["updatedAt"] = old["updatedAt"] if old else int(time.time() * 1000)
            if old and _content(old) != _content(entity):
                entity["version"] = round(old["version"] + 0.1, 1)
                entity["updatedAt"] = int(time.time() * 1000)
            entity["href"] = f"http://127.0.0.1{API}{collection}/{entity['id']}"
            self._validate(model, entity, f"{collection} entity")
            self.entities[collection][fqn] = entity
        return (200 if old else 201), entity

    def _place(self, collection: str, body: dict[str, Any], entity: dict[str, Any]) -> str:
        """Set the FQN (and parent references); a problem, or ''."""
        name = str(body["name"])
        quoted = f'"{name}"' if "." in name else name
        if collection == "databases":
            entity["fullyQualifiedName"] = f"{body['service']}.{quoted}"
        elif collection == "databaseSchemas":
            entity["fullyQualifiedName"] = f"{body['database']}.{quoted}"
            entity["service"] = entity["database"]["fullyQualifiedName"].split(".")[0]
            entity["service"] = self.reference("databaseService", entity["service"])
        elif collection == "tables":
            schema = self.by_fqn("databaseSchemas", str(body["databaseSchema"]))
            assert schema is not None
            entity["fullyQualifiedName"] = f"{body['databaseSchema']}.{quoted}"
            entity["database"] = schema["database"]
            entity["service"] = schema["service"]
            entity["columns"] = [
                {**c, "fullyQualifiedName": f"{entity['fullyQualifiedName']}.{c['name']}"}
                for c in body["columns"]
            ]
        elif collection == "tags":
            entity["fullyQualifiedName"] = f"{body['classification']}.{quoted}"
        elif collection == "dataQuality/testCases":
            return self._place_case(body, entity, quoted)
        else:
            entity["fullyQualifiedName"] = quoted
        return ""

    def _place_case(self, body: dict[str, Any], entity: dict[str, Any], quoted: str) -> str:
        link = str(body["entityLink"])[len("<#E::table::") : -1]
        table_fqn, _, column = link.partition("::columns::")
        table = self.by_fqn("tables", table_fqn)
        if table is None:
            return f"table {table_fqn} not found"
        if column and column not in {c["name"] for c in table["columns"]}:
            return f"column {column} of table {table_fqn} not found"
        parent = f"{table_fqn}.{column}" if column else table_fqn
        entity["fullyQualifiedName"] = f"{parent}.{quoted}"
        entity["entityFQN"] = f"{table_fqn}.{column}" if column else table_fqn
        entity["testSuite"] = {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, table_fqn)),
            "type": "testSuite",
            "fullyQualifiedName": f"{table_fqn}.testSuite",
        }
        return ""

    def _validate(self, model: Any, document: Any, what: str) -> None:
        try:
            model.model_validate(document)
        except Exception as error:  # the official model's validation error
            self.errors.append(f"answer {what} does not validate: {error}")

    def add_result(self, fqn: str, body: dict[str, Any]) -> tuple[int, Any]:
        try:
            CreateTestCaseResult.model_validate(body)
        except Exception as error:  # the official model's validation error
            self.errors.append(f"POST result {fqn}: invalid request: {error}")
            return 400, {"code": 400, "message": str(error).splitlines()[0]}
        case = self.by_fqn("dataQuality/testCases", fqn)
        if case is None:
            return 404, {"code": 404, "message": f"testCase instance for {fqn} not found"}
        stored = {
            **body,
            "id": str(uuid.uuid4()),
            "testCaseFQN": fqn,
            "testCase": self.reference("testCase", fqn),
            "testDefinition": case["testDefinition"],
        }
        self._validate(TestCaseResult, stored, "test case result")
        with self.lock:
            self.results.setdefault(fqn, []).append(stored)
        return 200, stored


def _content(entity: dict[str, Any]) -> dict[str, Any]:
    skip = ("version", "updatedAt", "updatedBy", "href", "id")
    return {k: v for k, v in entity.items() if k not in skip}


class _Handler(BaseHTTPRequestHandler):
    store: Store
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()  # headers and body go out in separate writes: no Nagle delay
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, document: Any) -> None:
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            self.close_connection = True

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"null")

    def _handle(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        body = self._body() if method in ("PUT", "POST", "PATCH") else None
        store = self.store
        store.requests.append((method, path))
        if self.headers.get("Authorization") != "Bearer good-token":
            self._send(401, {"code": 401, "message": "Not Authorized! Token not present"})
            return
        fault = store.take_fault(method, path)
        if fault and fault not in ("timeout",):
            self._send(int(fault), {"code": int(fault), "message": f"injected {fault}"})
            return
        status, answer = self._route(method, path[len(API) :], query, body)
        if fault == "timeout":
            time.sleep(1.0)  # handled, but the answer comes after the client gave up
        self._send(status, answer)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        store = self.store
        if path == "system/version":
            return 200, {"version": VERSION, "revision": "x", "timestamp": 0}
        prefix = "dataQuality/testCases/testCaseResults/"
        if path.startswith(prefix):
            fqn = path[len(prefix) :]
            if method == "POST":
                return store.add_result(fqn, body)
            start, end = int(query.get("startTs", 0)), int(query.get("endTs", 2**62))
            found = [r for r in store.results.get(fqn, []) if start <= r["timestamp"] <= end]
            return 200, {"data": found, "paging": {"total": len(found)}}
        for collection in sorted(COLLECTIONS, key=len, reverse=True):
            if path == collection and method == "PUT":
                return store.put(collection, body)
            if path == f"{collection}/bulk" and method == "PUT":
                return 200, self._bulk(collection, body)
            if path.startswith(f"{collection}/name/") and method == "GET":
                entity = store.by_fqn(collection, path[len(collection) + 6 :])
                return (200, entity) if entity else (404, {"code": 404, "message": "not found"})
            if path == collection and method == "GET":
                return 200, self._list(collection, query)
            if path.startswith(f"{collection}/") and method == "DELETE":
                return self._delete(collection, path[len(collection) + 1 :])
        store.errors.append(f"unhandled request {method} /api/v1/{path}")
        return 404, {"code": 404, "message": f"no endpoint {method} {path}"}

    def _bulk(self, collection: str, body: list[dict[str, Any]]) -> dict[str, Any]:
        passed, failed = [], []
        for item in body:
            status, answer = self.store.put(collection, item)
            response = {"request": item.get("name"), "status": status}
            (passed if status < 300 else failed).append(
                response if status < 300 else {**response, "message": answer.get("message")}
            )
        return {
            "status": "success" if not failed else "failure",
            "numberOfRowsProcessed": len(body),
            "numberOfRowsPassed": len(passed),
            "numberOfRowsFailed": len(failed),
            "successRequest": passed,
            "failedRequest": failed,
        }

    def _list(self, collection: str, query: dict[str, str]) -> dict[str, Any]:
        items = list(self.store.entities[collection].values())
        if "databaseSchema" in query:
            items = [
                e for e in items
                if e.get("databaseSchema", {}).get("fullyQualifiedName") == query["databaseSchema"]
            ]  # fmt: skip
        if query.get("include") != "all":
            items = [e for e in items if not e.get("deleted")]
        return {"data": items, "paging": {"total": len(items)}}

    def _delete(self, collection: str, entity_id: str) -> tuple[int, Any]:
        for entity in self.store.entities[collection].values():
            if entity["id"] == entity_id.split("/")[0]:
                entity["deleted"] = True
                return 200, entity
        return 404, {"code": 404, "message": "not found"}

    def do_GET(self) -> None:
        self._handle("GET")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")


class FakeOpenMetadata:
    """The server on 127.0.0.1 (``url``: the ``hostPort``, ending in ``/api``)."""

    def __init__(self) -> None:
        self.store = Store()
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"store": self.store})
        server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
