"""Every test suite, each in its own environment: `nox` (the README's test command).

The core suite runs the compiler and the DuckDB runtime. Each optional integration gets its own
session and virtualenv because their dependencies conflict (Airflow and openmetadata-ingestion
downgrade each other's packages); a session installs the project with that integration's extra
and runs `tests/integrations/<name>/`, where a missing dependency is an error, not a skip.
"""

from __future__ import annotations

import os
import shutil

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = False

# session name -> extras it installs (besides `test`)
INTEGRATIONS: dict[str, tuple[str, ...]] = {
    "spark": ("spark",),
    "airflow": ("airflow",),
    "dagster": ("dagster",),
    "openmetadata": ("publish",),
}
# installed first, alone: openmetadata-ingestion's dbt-core wants pathspec<0.13 and black 26
# pathspec>=1, which one resolution cannot satisfy; the connector never imports dbt. dbt-core
# 1.12 builds a parser wheel by downloading it from GitHub at install time: kept below it so
# that the session installs from the package index alone.
FIRST: dict[str, tuple[str, ...]] = {
    "openmetadata": ("openmetadata-ingestion>=2.0", "dbt-core<1.12")
}


@nox.session
def tests(session: nox.Session) -> None:
    """The compiler, the DuckDB runtime, lint and types (no optional integration)."""
    session.install("-e", ".[test,publish]")
    session.run("ruff", "check", "odcs_codegen", "tests", "benchmarks", "noxfile.py")
    session.run("mypy")
    session.run("pytest", "-q", "-n", "2", "--ignore=tests/integrations", *session.posargs)


def _integration(name: str, extras: tuple[str, ...]) -> None:
    @nox.session(name=name)
    def run(session: nox.Session) -> None:
        if name in FIRST:
            session.install(*FIRST[name])
        session.install("-e", f".[test,{','.join(extras)}]")
        session.env["ODCS_CODEGEN_REQUIRE"] = name
        session.run("pytest", "-q", f"tests/integrations/{name}", *session.posargs)

    run.__doc__ = f"The {name} integration, in its own environment."


for _name, _extras in INTEGRATIONS.items():
    _integration(_name, _extras)


@nox.session
def browser(session: nox.Session) -> None:
    """The HTML report in headless Chromium (installed from Debian when missing and possible)."""
    if not any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")):
        if shutil.which("apt-get") and os.geteuid() == 0:
            session.run("apt-get", "update", "-q", external=True)
            session.run("apt-get", "install", "-y", "-q", "chromium", external=True)
        else:
            session.error("needs Chromium on PATH (Debian: sudo apt-get install chromium)")
    session.install("-e", ".[test]")
    session.env["ODCS_CODEGEN_REQUIRE"] = "browser"
    session.run("pytest", "-q", "tests/integrations/browser", *session.posargs)
