"""Deliver a ``Batch`` to OpenMetadata's REST API over plain HTTP (``httpx``).

Idempotent by construction: a definition or case is read by name and written (``PUT``, create
or update) only when it is missing or different; a result is posted only when the case has no
result at the run's timestamp yet, checked again before every retry, so a request that timed
out after the server stored it is not stored twice. 5xx answers, timeouts and refused
connections are retried with exponential backoff; a 409 is answered by reading the entity
again and retrying; 401/403 and other 4xx answers stop with one line naming the entity.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .openmetadata_payload import Batch

__all__ = ["Client", "DeliveryError", "RetryPolicy", "deliver"]

_API = "/v1/dataQuality"


class RetryPolicy(NamedTuple):
    """How often and how patiently a request is tried (seconds)."""

    attempts: int = 5
    backoff: float = 0.5
    max_backoff: float = 30.0
    timeout: float = 10.0

    def delay(self, attempt: int) -> float:
        """The pause after failed attempt ``attempt`` (1-based): doubled each time, capped."""
        return float(min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))


class DeliveryError(Exception):
    """A request OpenMetadata refused, or that kept failing (``transient``: 5xx, timeouts,
    refused connections)."""

    def __init__(
        self, message: str, *, transient: bool = False, detail: str = ""
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.detail = detail


class _Conflict(Exception):
    """A 409 answer: the entity changed meanwhile."""


class Client:
    """A minimal OpenMetadata REST client: JSON requests with retries (see the module)."""

    def __init__(
        self,
        host_port: str,
        token: str | None,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import httpx  # type: ignore[import-not-found,unused-ignore]

        headers = {"Accept": "application/json", "User-Agent": "odcs-codegen"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=host_port.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout((policy or RetryPolicy()).timeout),
        )
        self.policy = policy or RetryPolicy()
        self._sleep = sleep

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(
        self,
        method: str,
        path: str,
        entity: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        retry: bool = True,
    ) -> Any:
        """One request, retried on 5xx/timeouts/refused connections (unless not ``retry``);
        the JSON answer, or None for a 404 to a GET. Raises _Conflict (409), DeliveryError.
        """
        import httpx  # type: ignore[import-not-found,unused-ignore]

        attempts = self.policy.attempts if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                answer = self._http.request(method, path, json=body, params=params)
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}: {error}".rstrip(": ")
            else:
                status = answer.status_code
                if status < 300:
                    return answer.json() if answer.content else None
                if status == 404 and method == "GET":
                    return None
                if status == 409:
                    raise _Conflict(_message(answer))
                if status < 500 and status != 429:
                    raise _refused(method, entity, status, _message(answer))
                problem = f"HTTP {status} {_message(answer)}".rstrip()
            if attempt < attempts:
                self._sleep(self.policy.delay(attempt))
        raise DeliveryError(
            f"{method} {entity}: gave up after {attempts} attempts: {problem}",
            transient=True,
            detail=problem,
        )

    def upsert(
        self, path: str, read: str, entity: str, body: Mapping[str, Any]
    ) -> bool:
        """Create or update the entity ``body`` (``PUT path``) unless ``GET read`` already
        shows the same; True when written. A 409 reads the entity again and retries."""
        for _ in range(self.policy.attempts):
            current = self.call("GET", read, entity, params={"fields": "*"})
            if current is not None and _same(current, body):
                return False
            try:
                self.call("PUT", path, entity, body=dict(body))
                return True
            except _Conflict:
                continue
        raise DeliveryError(
            f"PUT {entity}: HTTP 409, still conflicting after {self.policy.attempts} reads",
            transient=True,
        )

    def add_result(self, case_fqn: str, result: Mapping[str, Any]) -> bool:
        """Post one result unless the case already has one at its timestamp; True when
        posted. Every retry checks first, so a result is stored once."""
        path = f"{_API}/testCases/testCaseResults/{_quote(case_fqn)}"
        entity = f"test case result '{case_fqn}'"
        timestamp = int(result["timestamp"])
        window = {"startTs": timestamp, "endTs": timestamp}
        for attempt in range(1, self.policy.attempts + 1):
            found = self.call("GET", path, entity, params=window)
            stored = (found or {}).get("data") or []
            if any(item.get("timestamp") == timestamp for item in stored):
                return False
            try:
                self.call("POST", path, entity, body=dict(result), retry=False)
                return True
            except _Conflict:
                continue
            except DeliveryError as error:
                if not error.transient:
                    raise
                if attempt == self.policy.attempts:
                    raise DeliveryError(
                        f"POST {entity}: gave up after {attempt} attempts: {error.detail}",
                        transient=True,
                    ) from None
                self._sleep(self.policy.delay(attempt))
        raise DeliveryError(
            f"POST {entity}: HTTP 409 after {self.policy.attempts} attempts",
            transient=True,
        )


class Delivered(NamedTuple):
    """What a delivery did: entities written, results posted, results left over, the error."""

    written: int
    posted: int
    skipped: int
    left: tuple[tuple[str, dict[str, Any]], ...]
    error: DeliveryError | None


def deliver(client: Client, batch: Batch) -> Delivered:
    """Send ``batch``: definitions, then cases, then results. Stops at the first error;
    ``left`` holds every result not confirmed stored."""
    written = posted = skipped = 0
    done = 0
    try:
        for definition in batch.definitions:
            name = str(definition["name"])
            read = f"{_API}/testDefinitions/name/{_quote(name)}"
            entity = f"test definition '{name}'"
            written += client.upsert(
                f"{_API}/testDefinitions", read, entity, definition
            )
        for fqn, case in batch.cases:
            read = f"{_API}/testCases/name/{_quote(fqn)}"
            entity = f"test case '{fqn}'"
            written += client.upsert(f"{_API}/testCases", read, entity, case)
        for fqn, result in batch.results:
            if client.add_result(fqn, result):
                posted += 1
            else:
                skipped += 1
            done += 1
    except DeliveryError as error:
        return Delivered(written, posted, skipped, batch.results[done:], error)
    return Delivered(written, posted, skipped, (), None)


def _same(current: Any, wanted: Any) -> bool:
    """Whether the stored entity already says what ``wanted`` (a create request) says: every
    key of ``wanted`` has the same value (a reference by its FQN; lists item by item).
    """
    if isinstance(wanted, Mapping):
        if not isinstance(current, Mapping):
            return False
        return all(
            _same(_plain(current.get(key)), value) for key, value in wanted.items()
        )
    if isinstance(wanted, list):
        if not isinstance(current, list) or len(current) != len(wanted):
            return False
        return all(_same(old, new) for old, new in zip(current, wanted, strict=True))
    return bool(current == wanted)


def _plain(value: Any) -> Any:
    """An entity reference as the FQN a create request names it by; others unchanged."""
    if isinstance(value, Mapping) and "type" in value and "id" in value:
        return value.get("fullyQualifiedName") or value.get("name")
    return value


def _quote(fqn: str) -> str:
    return urllib.parse.quote(fqn, safe="")


def _message(answer: Any) -> str:
    """The server's message of an error answer, on one line."""
    try:
        document = answer.json()
    except ValueError:
        document = None
    text = document.get("message") if isinstance(document, Mapping) else None
    text = str(text or answer.reason_phrase or "")
    return " ".join(text.split())[:300]


def _refused(method: str, entity: str, status: int, message: str) -> DeliveryError:
    """401/403: check the token; other 4xx: the request itself is wrong."""
    if status in (401, 403):
        why = "not authorized (check the JWT token)" if status == 401 else "forbidden"
        return DeliveryError(f"{method} {entity}: HTTP {status}, {why}: {message}")
    return DeliveryError(f"{method} {entity}: HTTP {status} (rejected): {message}")
