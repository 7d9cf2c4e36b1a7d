"""Publish a run's verdicts to OpenMetadata as test case results.

    report = orders.verify({"orders_tbl": table})
    from myproject.dq_checks._runtime.openmetadata import publish
    publish(report, orders, "odcs-codegen.toml")      # raises PublishError when not delivered

Every assertion becomes a test case (on its table, or its column when it reads one) of a test
definition per rule kind, and every run adds one result per case at the run's timestamp. The
configuration says where the contract's tables live (``service``, ``database``, ``schema``) and
how to reach the server: a ``workflowConfig``-shaped ``server`` block, or ``workflow-config``
naming a YAML file that has one (``${VAR}`` is read from the environment). Results that could not
be delivered are written to a pending file that ``publish_file`` (``odcs-codegen publish FILE``)
sends later. Needs ``httpx`` (imported only when publishing).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple, TextIO

from .errors import EXIT_PUBLISH_FAILED, UsageError, summary
from .openmetadata_payload import Batch, TableLocation, build_batch, describe_checks
from .report import Report

__all__ = [
    "PublishConfig",
    "PublishError",
    "Published",
    "cli_publish",
    "config_from_mapping",
    "load_config",
    "publish",
    "publish_batch",
    "publish_file",
]

_KEYS = frozenset(
    (
        *("service", "database", "schema", "tables", "server", "workflow-config"),
        *("platform", "retries", "backoff", "max-backoff", "timeout", "pending-dir"),
    )
)
_PLATFORMS = ("Other", "OpenMetadata")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NO_AUTH = ("no-auth", "noauth", "none")
CONFIG_FILES = ("odcs-codegen.toml", "pyproject.toml")


class PublishError(Exception):
    """Results could not be delivered (``pending``: the file that keeps them)."""

    def __init__(self, message: str, pending: Path | None = None) -> None:
        super().__init__(message)
        self.pending = pending


class PublishConfig(NamedTuple):
    """Where to publish: the server, its token, the tables' location and the retry policy."""

    host_port: str
    token: str | None
    location: TableLocation
    platform: str = "Other"
    attempts: int = 5
    backoff: float = 0.5
    max_backoff: float = 30.0
    timeout: float = 10.0
    pending_dir: Path = Path(".openmetadata-pending")


class Published(NamedTuple):
    """What a publication did (``pending``: the file of undelivered results, if any)."""

    written: int
    posted: int
    skipped: int
    pending: Path | None = None
    error: str | None = None

    def line(self) -> str:
        """One line for people."""
        text = (
            f"OpenMetadata: {self.posted} result(s) published, {self.skipped} already "
            f"there, {self.written} definition(s)/case(s) created or updated"
        )
        if self.error:
            text = f"OpenMetadata: not delivered: {self.error}"
            if self.pending is not None:
                text += f"; kept in {self.pending} (send it with: odcs-codegen publish FILE)"
        return text


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{where}.{key} must be a non-empty string, got {value!r}")
    return value


def _number(table: Mapping[str, Any], key: str, default: float, where: str) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise UsageError(f"{where}.{key} must be a number >= 0, got {value!r}")
    return float(value)


def expand(value: Any, where: str, env: Mapping[str, str]) -> Any:
    """``value`` with every ``${VAR}`` in its strings read from ``env``."""
    if isinstance(value, str):

        def lookup(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in env:
                raise UsageError(f"{where}: environment variable {name} is not set")
            return env[name]

        return _VARIABLE.sub(lookup, value)
    if isinstance(value, Mapping):
        return {k: expand(v, f"{where}.{k}", env) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, where, env) for v in value]
    return value


def _server_block(
    table: Mapping[str, Any], base: Path, where: str
) -> tuple[Mapping[str, Any], str]:
    """The ``openMetadataServerConfig`` mapping and where it was written."""
    if "server" in table and "workflow-config" in table:
        raise UsageError(
            f"{where}: give either 'server' or 'workflow-config', not both"
        )
    if "server" in table:
        server = table["server"]
        if not isinstance(server, Mapping):
            raise UsageError(f"{where}.server must be a table, got {server!r}")
        return server, f"{where}.server"
    if "workflow-config" not in table:
        raise UsageError(f"{where}: no 'server' block and no 'workflow-config' file")
    path = base / _text(table, "workflow-config", where)
    try:
        import yaml  # type: ignore[import-untyped,unused-ignore]

        document = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(
            f"{where}.workflow-config: cannot read {path}: {error}"
        ) from None
    workflow = (
        document.get("workflowConfig", document)
        if isinstance(document, Mapping)
        else None
    )
    server = (
        workflow.get("openMetadataServerConfig")
        if isinstance(workflow, Mapping)
        else None
    )
    if not isinstance(server, Mapping):
        raise UsageError(f"{path}: no workflowConfig.openMetadataServerConfig mapping")
    return server, f"{path}: workflowConfig.openMetadataServerConfig"


def _server(
    server: Mapping[str, Any], where: str, env: Mapping[str, str]
) -> tuple[str, str | None]:
    """``hostPort`` and the JWT token of an ``openMetadataServerConfig`` mapping."""
    host_port = _text(expand(server, where, env), "hostPort", where)
    if not host_port.startswith(("http://", "https://")):
        raise UsageError(f"{where}.hostPort must start with http:// or https://")
    provider = str(server.get("authProvider", "openmetadata"))
    security = server.get("securityConfig") or {}
    if not isinstance(security, Mapping):
        raise UsageError(f"{where}.securityConfig must be a mapping")
    token = security.get("jwtToken")
    if token is not None:
        token = expand(token, f"{where}.securityConfig.jwtToken", env)
        if not isinstance(token, str) or not token.strip():
            raise UsageError(
                f"{where}.securityConfig.jwtToken must be a non-empty string"
            )
    elif provider.lower() not in _NO_AUTH:
        raise UsageError(
            f"{where}: authProvider '{provider}' needs securityConfig.jwtToken (a bot's JWT "
            "token; publishing speaks plain HTTP with a bearer token)"
        )
    return host_port, token


def config_from_mapping(
    table: Mapping[str, Any],
    *,
    base_dir: str | os.PathLike[str] = ".",
    env: Mapping[str, str] | None = None,
    where: str = "openmetadata",
) -> PublishConfig:
    """The PublishConfig of an ``[openmetadata]`` table; UsageError naming the bad key."""
    env = os.environ if env is None else env
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        known = ", ".join(sorted(_KEYS))
        raise UsageError(f"{where}: unknown key '{unknown[0]}'; known keys: {known}")
    base = Path(base_dir)
    tables = table.get("tables", {})
    if not isinstance(tables, Mapping) or not all(
        isinstance(v, str) and v for v in tables.values()
    ):
        raise UsageError(f"{where}.tables must map dataset names to table names")
    location = TableLocation(
        _text(table, "service", where),
        _text(table, "database", where),
        _text(table, "schema", where),
        {str(k): str(v) for k, v in tables.items()},
    )
    platform = table.get("platform", "Other")
    if platform not in _PLATFORMS:
        raise UsageError(f"{where}.platform must be one of {', '.join(_PLATFORMS)}")
    retries = table.get("retries", 5)
    if (
        isinstance(retries, bool)
        or not isinstance(retries, int)
        or not 1 <= retries <= 100
    ):
        raise UsageError(
            f"{where}.retries must be an integer from 1 to 100, got {retries!r}"
        )
    server, server_where = _server_block(table, base, where)
    host_port, token = _server(server, server_where, env)
    return PublishConfig(
        host_port,
        token,
        location,
        platform,
        retries,
        _number(table, "backoff", 0.5, where),
        _number(table, "max-backoff", 30.0, where),
        _number(table, "timeout", 10.0, where) or 10.0,
        base / str(table.get("pending-dir", ".openmetadata-pending")),
    )


def _section(document: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    """The openmetadata table of a configuration document (pyproject: under the tool)."""
    if name == "pyproject.toml":
        document = document.get("tool", {}).get("odcs-codegen", {})
    found = document.get("openmetadata")
    return found if isinstance(found, Mapping) else None


def load_config(
    path: str | os.PathLike[str] | None = None,
    *,
    start: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> PublishConfig:
    """The publish configuration of ``path`` (TOML or YAML with an ``openmetadata`` table),
    else of the first odcs-codegen.toml or pyproject.toml with one, from ``start`` (default:
    the current folder) up. Raises UsageError."""
    if path is not None:
        candidates = [Path(path)]
    else:
        here = Path(start or ".").resolve()
        folders = [here, *here.parents]
        candidates = [folder / name for folder in folders for name in CONFIG_FILES]
    for candidate in candidates:
        if path is None and not candidate.is_file():
            continue
        document = _read_document(candidate)
        table = _section(document, candidate.name)
        if table is not None:
            where = f"{candidate}: openmetadata"
            return config_from_mapping(
                table, base_dir=candidate.parent, env=env, where=where
            )
        if path is not None:
            raise UsageError(f"{candidate}: no openmetadata table")
    raise UsageError(
        "no OpenMetadata configuration: add an [openmetadata] table to odcs-codegen.toml "
        "(or [tool.odcs-codegen.openmetadata] to pyproject.toml)"
    )


def _read_document(path: Path) -> Mapping[str, Any]:
    try:
        raw = path.read_bytes()
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml  # type: ignore[import-untyped,unused-ignore]

            document = yaml.safe_load(raw)
        else:
            document = tomllib.loads(raw.decode("utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read {path}: {error}") from None
    return document if isinstance(document, Mapping) else {}


def _resolve(
    config: PublishConfig | Mapping[str, Any] | str | os.PathLike[str] | None,
) -> PublishConfig:
    if isinstance(config, PublishConfig):
        return config
    if isinstance(config, Mapping):
        return config_from_mapping(config)
    return load_config(config)


def _send(
    batch: Batch, config: PublishConfig, sleep: Any
) -> tuple[Published, tuple[tuple[str, dict[str, Any]], ...]]:
    """Deliver ``batch``: what was done, and the results not confirmed stored."""
    try:
        from .openmetadata_http import Client, RetryPolicy, deliver
    except ImportError as error:  # httpx is missing: everything stays pending
        return Published(0, 0, 0, error=f"{error}; pip install httpx"), batch.results
    policy = RetryPolicy(
        config.attempts, config.backoff, config.max_backoff, config.timeout
    )
    extra = {} if sleep is None else {"sleep": sleep}
    try:
        with Client(config.host_port, config.token, policy, **extra) as client:
            done = deliver(client, batch)
    except Exception as error:  # whatever went wrong, no result is lost
        return Published(0, 0, 0, error=summary(error)), batch.results
    error_text = None if done.error is None else str(done.error)
    return (
        Published(done.written, done.posted, done.skipped, error=error_text),
        done.left,
    )


def publish_batch(
    batch: Batch, config: PublishConfig, *, sleep: Any = None
) -> Published:
    """Deliver ``batch``; undelivered results are written to a pending file."""
    done, left = _send(batch, config, sleep)
    if done.error is None:
        return done
    pending = write_pending(batch._replace(results=left), config.pending_dir)
    return done._replace(pending=pending)


def publish(
    report: Report,
    module: ModuleType,
    config: PublishConfig | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    *,
    raise_on_failure: bool = True,
    sleep: Any = None,
) -> Published:
    """Publish ``report`` (a run of ``module``'s checks); PublishError when not delivered
    (unless not ``raise_on_failure``). ``config``: see ``load_config``."""
    resolved = _resolve(config)
    infos = describe_checks(module.CHECKS, getattr(module, "RULE_IDS", None))
    batch = build_batch(report, infos, resolved.location, platform=resolved.platform)
    done = publish_batch(batch, resolved, sleep=sleep)
    if done.error is not None and raise_on_failure:
        raise PublishError(done.line(), done.pending)
    return done


def write_pending(batch: Batch, folder: Path) -> Path:
    """Write ``batch`` atomically to a new file in ``folder``; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = min((int(body["timestamp"]) for _, body in batch.results), default=0)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", batch.contract) or "contract"
    path = folder / f"{safe}-{stamp}.json"
    _write_atomic(path, batch)
    return path


def _write_atomic(path: Path, batch: Batch) -> None:
    text = json.dumps(batch.to_json(), indent=2, sort_keys=True, allow_nan=False) + "\n"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, "utf-8")
    os.replace(temporary, path)


def read_pending(path: str | os.PathLike[str]) -> Batch:
    """The batch kept in a pending file; UsageError when it cannot be read."""
    try:
        document = json.loads(Path(path).read_text("utf-8"))
        return Batch.from_json(document)
    except (OSError, ValueError) as error:
        raise UsageError(f"{path}: {error}") from None


def publish_file(
    path: str | os.PathLike[str],
    config: PublishConfig | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    *,
    sleep: Any = None,
) -> Published:
    """Send a pending file: removed when everything is delivered, else rewritten with what
    is left (and PublishError raised)."""
    source = Path(path)
    batch = read_pending(source)
    done, left = _send(batch, _resolve(config), sleep)
    if done.error is None:
        source.unlink()
        return done
    _write_atomic(source, batch._replace(results=left))
    raise PublishError(done._replace(pending=source).line(), source)


def cli_publish(
    report: Report,
    module: ModuleType,
    config: PublishConfig,
    *,
    stderr: TextIO,
) -> int:
    """``--publish openmetadata``: publish, say how it went on ``stderr`` (one line), and
    the exit code: the checks' own, else 4 (EXIT_PUBLISH_FAILED) when not delivered."""
    try:
        done = publish(report, module, config, raise_on_failure=False)
    except Exception as error:  # describing the checks failed: the run's verdicts stand
        print(f"OpenMetadata: not published: {summary(error)}", file=stderr)
        return report.exit_code or EXIT_PUBLISH_FAILED
    print(done.line(), file=stderr)
    if done.error is not None and report.exit_code == 0:
        return EXIT_PUBLISH_FAILED
    return report.exit_code
