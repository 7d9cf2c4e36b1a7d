"""Configuration: discovery, --config files, jobs, globs, validation errors, filters, overrides."""

from __future__ import annotations

import json
import subprocess
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

from odcs_codegen.config import (
    DEFAULT_JOB,
    Config,
    Filter,
    Job,
    find_config,
    load_config,
    override,
)
from odcs_codegen.config.jobs import PROJECT_KEYS
from odcs_codegen.diagnostics import CompileError
from odcs_codegen.dialects import DIALECTS
from odcs_codegen.loader import Limits
from odcs_codegen.lower import DEFAULT_SEVERITIES, Options
from odcs_codegen.settings import Settings


def write(path: Path, text: str) -> Path:
    """Write dedented text, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def git_init(folder: Path) -> None:
    """Make ``folder`` a real git repository root."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)


def errors_of(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The formatted diagnostics of loading ``path`` (from its folder, as --config)."""
    monkeypatch.chdir(path.parent)
    with pytest.raises(CompileError) as caught:
        load_config(Path(path.name))
    return [d.format() for d in caught.value.diagnostics]


def only_error(path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The one diagnostic of loading ``path``."""
    found = errors_of(path, monkeypatch)
    assert len(found) == 1, found
    return found[0]


PYPROJECT = """\
[project]
name = "demo"

[tool.odcs-codegen]
sources = ["contracts/"]
output = "src/demo/dq_checks"
"""


# --------------------------------------------------------------------------- discovery


def test_found_in_start_folder(tmp_path: Path) -> None:
    git_init(tmp_path)
    write(tmp_path / "pyproject.toml", PYPROJECT)
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    config = load_config(start=tmp_path)
    assert config.path == tmp_path / "pyproject.toml"
    (job,) = config.jobs
    assert job.name == DEFAULT_JOB
    assert job.sources == (tmp_path / "contracts",)
    assert job.output == tmp_path / "src" / "demo" / "dq_checks"


def test_found_in_a_parent_and_paths_are_relative_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_init(tmp_path)
    write(tmp_path / "pyproject.toml", PYPROJECT)
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / "pyproject.toml"
    monkeypatch.chdir(deep)
    (job,) = load_config().jobs  # start defaults to the current folder
    assert job.sources == (tmp_path / "contracts",)


def test_start_may_be_a_file(tmp_path: Path) -> None:
    git_init(tmp_path)
    write(tmp_path / "pyproject.toml", PYPROJECT)
    contract = write(tmp_path / "contracts" / "x.yaml", "a: 1\n")
    assert find_config(contract) == tmp_path / "pyproject.toml"


def test_pyproject_without_the_table_is_skipped(tmp_path: Path) -> None:
    git_init(tmp_path)
    write(tmp_path / "pyproject.toml", PYPROJECT)
    write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "sub"\n[tool.ruff]\n')
    assert find_config(tmp_path / "sub") == tmp_path / "pyproject.toml"


def test_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", PYPROJECT)  # outside the repository: never read
    repo = tmp_path / "repo"
    git_init(repo)
    (repo / "pkg").mkdir()
    assert find_config(repo / "pkg") is None
    write(repo / "pyproject.toml", '[project]\nname = "no-table"\n')
    assert find_config(repo / "pkg") is None
    config = load_config(start=repo / "pkg")
    assert config == Config(path=None, jobs=(Job(),))


def test_repository_root_is_inclusive(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git_init(repo)
    write(repo / "pyproject.toml", PYPROJECT)
    assert find_config(repo / "x" / "y") == repo / "pyproject.toml"


def test_git_file_marks_a_root_too(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", PYPROJECT)
    worktree = tmp_path / "worktree"
    write(worktree / ".git", "gitdir: elsewhere\n")  # worktrees and submodules
    assert find_config(worktree) is None


def test_defaults_when_nothing_is_found(tmp_path: Path) -> None:
    git_init(tmp_path)
    config = load_config(start=tmp_path)
    assert config.path is None
    (job,) = config.jobs
    assert job == Job()
    assert job.name == "default" and job.sources == () and job.output is None
    assert config.folder == Path.cwd()


def test_broken_pyproject_on_the_way_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_init(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.odcs-codegen]\noutput = \n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CompileError) as caught:
        load_config()
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.format().startswith("pyproject.toml:2:10: error: invalid TOML: ")


def test_discovered_file_is_named_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_init(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.odcs-codegen]\nline-length = 10\n")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    with pytest.raises(CompileError) as caught:
        load_config()
    assert caught.value.diagnostics[0].format() == (
        "../pyproject.toml:2:15: error: 'line-length' must be between 40 and 200, got 10"
    )


# --------------------------------------------------------------------------- --config files


def test_explicit_toml_with_top_level_keys(tmp_path: Path) -> None:
    file = write(
        tmp_path / "conf" / "codegen.toml",
        """\
        sources = ["../contracts"]
        output = "out"
        dialect = "bigquery"
        line-length = 120
        between = "exclusive"
        default-severity = "P2"
        constraint-severity = "P0"
        cache = false
        max-bytes = 1000
        max-depth = 10
        max-nodes = 500
        """,
    )
    (job,) = load_config(file).jobs
    assert job.sources == (tmp_path / "conf" / ".." / "contracts",)
    assert job.output == tmp_path / "conf" / "out"
    assert (job.dialect, job.line_length, job.between) == ("bigquery", 120, "exclusive")
    assert (job.default_severity, job.constraint_severity) == ("P2", "P0")
    assert job.cache is False
    assert job.limits() == Limits(max_bytes=1000, max_depth=10, max_nodes=500)


def test_explicit_toml_with_the_tool_table(tmp_path: Path) -> None:
    file = write(tmp_path / "other.toml", PYPROJECT)
    config = load_config(file)
    assert config.path == file
    assert config.jobs[0].output == tmp_path / "src" / "demo" / "dq_checks"


def test_explicit_toml_ignores_the_search(tmp_path: Path) -> None:
    git_init(tmp_path)
    write(tmp_path / "pyproject.toml", PYPROJECT)
    file = write(tmp_path / "ci" / "ci.toml", 'output = "ci-out"\n')
    config = load_config(file, start=tmp_path)
    assert config.path == file
    assert config.jobs[0].output == tmp_path / "ci" / "ci-out"


def test_explicit_relative_path_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "c.toml", 'output = "out"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("c.toml"))
    assert config.path == tmp_path / "c.toml"
    assert config.jobs[0].output == tmp_path / "out"


def test_explicit_yaml(tmp_path: Path) -> None:
    file = write(
        tmp_path / "codegen.yml",
        """\
        sources: [contracts/a.yaml, contracts/b.yaml]
        output: pkg
        severity:
          Critical: P0
        rule-filter:
          excludes: ["^tmp_"]
        """,
    )
    (job,) = load_config(file).jobs
    assert job.sources == (tmp_path / "contracts/a.yaml", tmp_path / "contracts/b.yaml")
    assert job.severities == {**DEFAULT_SEVERITIES, "critical": "P0"}
    assert job.rule_filter == Filter(excludes=("^tmp_",))


def test_explicit_pyproject_without_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert only_error(file, monkeypatch) == (
        "pyproject.toml: error: no [tool.odcs-codegen] table in pyproject.toml"
    )


def test_explicit_file_of_another_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = write(tmp_path / "codegen.json", "{}")
    assert only_error(file, monkeypatch) == (
        "codegen.json: error: unsupported configuration file type '.json' "
        "(expected .toml, .yaml or .yml)"
    )


def test_explicit_file_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = only_error(tmp_path / "nope.toml", monkeypatch)
    assert message.startswith("nope.toml: error: cannot read the file: ")


def test_empty_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (job,) = load_config(write(tmp_path / "empty.toml", "")).jobs
    assert job == Job()
    message = only_error(write(tmp_path / "empty.yaml", "# nothing\n"), monkeypatch)
    assert message == "empty.yaml: error: empty configuration: the file has no YAML document"


def test_yaml_must_be_a_mapping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = only_error(write(tmp_path / "c.yaml", "- a\n- b\n"), monkeypatch)
    assert message == (
        "c.yaml:1:1: error: a configuration must be a mapping at the top level, got a list"
    )


def test_yaml_syntax_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = only_error(write(tmp_path / "c.yaml", "output: [a\nsources: b\n"), monkeypatch)
    assert message.startswith("c.yaml:2:")


def test_yaml_duplicate_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = only_error(write(tmp_path / "c.yaml", "output: a\noutput: b\n"), monkeypatch)
    assert message.startswith("c.yaml:2:1: error: duplicate key 'output'")


def test_toml_syntax_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = only_error(write(tmp_path / "c.toml", 'output = "a"\noutput = "b"\n'), monkeypatch)
    assert message.startswith("c.toml:2:")
    assert "invalid TOML" in message


def test_tool_section_must_be_a_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = write(tmp_path / "pyproject.toml", '[tool]\nodcs-codegen = "yes"\n')
    assert only_error(file, monkeypatch) == (
        "pyproject.toml:2:16: error: [tool.odcs-codegen] must be a table, got 'yes'"
    )


# --------------------------------------------------------------------------- jobs


JOBS = """\
[tool.odcs-codegen]
sources = ["contracts"]
dialect = "bigquery"
line-length = 88
severity = { critical = "P0", warning = "P2" }
rule-filter = { excludes = ["^draft_"] }

[[tool.odcs-codegen.jobs]]
name = "sales"
sources = ["contracts/sales"]
output = "src/sales/dq_checks"
dialect = "duckdb"
severity = { warning = "P3", low = "P3" }

[[tool.odcs-codegen.jobs]]
name = "hr"
output = "src/hr/dq_checks"
rule-filter = { includes = ["^hr_"] }

[tool.odcs-codegen.jobs.dataset-filter]
excludes = ["^staging$"]
"""


def test_jobs_inherit_and_override_the_top_level(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "pyproject.toml", JOBS))
    sales, hr = config.jobs
    assert (sales.name, hr.name) == ("sales", "hr")
    assert sales.sources == (tmp_path / "contracts" / "sales",)
    assert hr.sources == (tmp_path / "contracts",)
    assert sales.output == tmp_path / "src/sales/dq_checks"
    assert (sales.dialect, hr.dialect) == ("duckdb", "bigquery")
    assert sales.line_length == hr.line_length == 88
    # severity words merge: defaults, then the top level, then the job
    assert sales.severities == {
        "error": "P0",
        "warning": "P3",
        "info": "P2",
        "critical": "P0",
        "low": "P3",
    }
    assert hr.severities == {"error": "P0", "warning": "P2", "info": "P2", "critical": "P0"}
    # a filter is one value: a job's filter replaces the top-level one
    assert sales.rule_filter == Filter(excludes=("^draft_",))
    assert hr.rule_filter == Filter(includes=("^hr_",))
    # a sub-table after [[jobs]] belongs to the last job
    assert hr.dataset_filter == Filter(excludes=("^staging$",))
    assert sales.dataset_filter == Filter()
    assert config.job("hr") is hr
    with pytest.raises(ValueError, match="unknown job 'x' \\(expected one of: sales, hr\\)"):
        config.job("x")


def test_jobs_as_an_inline_array_in_yaml(tmp_path: Path) -> None:
    file = write(
        tmp_path / "c.yaml",
        """\
        output: shared
        jobs:
          - {name: a, sources: [x]}
          - {name: b, sources: [y], output: other}
        """,
    )
    a, b = load_config(file).jobs
    assert a.output == tmp_path / "shared" and b.output == tmp_path / "other"


def test_jobs_sharing_an_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = write(
        tmp_path / "c.toml",
        """\
        output = "pkg"
        [[jobs]]
        name = "a"
        [[jobs]]
        name = "b"
        [[jobs]]
        name = "c"
        output = "./pkg"
        """,
    )
    assert errors_of(file, monkeypatch) == [
        "c.toml:4:1: error: job 'b' has the same 'output' as job 'a': "
        "each job needs its own package folder",
        "c.toml:8:10: error: job 'c' has the same 'output' as job 'a': "
        "each job needs its own package folder",
    ]


# --------------------------------------------------------------------------- globs


def test_globs_are_expanded_sorted(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yaml", "c.yml", "sub/d.yaml", "sub/deeper/e.yaml", ".hidden.yaml"):
        write(tmp_path / "contracts" / name, "x: 1\n")
    file = write(
        tmp_path / "c.toml",
        """\
        sources = ["contracts/*.yaml", "contracts/**/*.yaml", "extra.yaml", "none/*.yaml"]
        """,
    )
    (job,) = load_config(file).jobs
    contracts = tmp_path / "contracts"
    assert job.sources == (
        contracts / "a.yaml",
        contracts / "b.yaml",
        contracts / "sub/d.yaml",
        contracts / "sub/deeper/e.yaml",
        tmp_path / "extra.yaml",  # not a glob: kept even if missing (the build reports it)
        tmp_path / "none/*.yaml",  # a glob matching nothing stays as written
    )


def test_glob_in_a_folder_with_glob_characters(tmp_path: Path) -> None:
    folder = tmp_path / "odd[1]"
    write(folder / "contracts" / "a.yaml", "x: 1\n")
    file = write(folder / "c.yaml", "sources: 'contracts/*.yaml'\n")
    assert load_config(file).jobs[0].sources == (folder / "contracts" / "a.yaml",)


def test_absolute_sources_and_output(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere / "a.yaml", "x: 1\n")
    file = write(
        tmp_path / "conf" / "c.yaml",
        f"sources: ['{elsewhere.as_posix()}/*.yaml']\noutput: '{elsewhere.as_posix()}/pkg'\n",
    )
    (job,) = load_config(file).jobs
    assert job.sources == (elsewhere / "a.yaml",)
    assert job.output == elsewhere / "pkg"


# --------------------------------------------------------------------------- validation

TOML_CASES: list[tuple[str, str]] = [
    (
        '[tool.odcs-codegen]\noutptu = "x"\n',
        "pyproject.toml:2:1: error: unknown key 'outptu' (expected one of: sources, output, "
        "dialect, line-length, between, default-severity, constraint-severity, severity, "
        "contract-filter, dataset-filter, rule-filter, cache, max-bytes, max-depth, max-nodes, "
        "package, airflow-dags, airflow, dagster, dagster-asset-key, jobs, openmetadata); did you mean 'output'?",
    ),
    (
        "[tool.odcs-codegen]\nline_length = 90\n",
        "pyproject.toml:2:1: error: unknown key 'line_length' (expected one of: sources, output, "
        "dialect, line-length, between, default-severity, constraint-severity, severity, "
        "contract-filter, dataset-filter, rule-filter, cache, max-bytes, max-depth, max-nodes, "
        "package, airflow-dags, airflow, dagster, dagster-asset-key, jobs, openmetadata); did you mean 'line-length'?",
    ),
    (
        "[tool.odcs-codegen]\n\nline-length = 'abc'\n",
        "pyproject.toml:3:15: error: 'line-length' must be an integer, got 'abc'",
    ),
    (
        "[tool.odcs-codegen]\nline-length = 100.0\n",
        "pyproject.toml:2:15: error: 'line-length' must be an integer, got 100.0",
    ),
    (
        "[tool.odcs-codegen]\nmax-nodes = true\n",
        "pyproject.toml:2:13: error: 'max-nodes' must be an integer, got true",
    ),
    (
        "[tool.odcs-codegen]\nline-length = 201\n",
        "pyproject.toml:2:15: error: 'line-length' must be between 40 and 200, got 201",
    ),
    (
        "[tool.odcs-codegen]\nmax-bytes = 0\n",
        "pyproject.toml:2:13: error: 'max-bytes' must be at least 1, got 0",
    ),
    (
        '[tool.odcs-codegen]\ndialect = "postgres"\n',
        "pyproject.toml:2:11: error: 'dialect' must be 'duckdb', 'spark' or 'bigquery', got 'postgres'",
    ),
    (
        '[tool.odcs-codegen]\ndefault-severity = "p1"\n',
        "pyproject.toml:2:20: error: 'default-severity' must be 'P0', 'P1', 'P2' or 'P3', "
        "got 'p1'; did you mean 'P1'?",
    ),
    (
        '[tool.odcs-codegen]\nbetween = "exclusif"\n',
        "pyproject.toml:2:11: error: 'between' must be 'inclusive' or 'exclusive', "
        "got 'exclusif'; did you mean 'exclusive'?",
    ),
    (
        '[tool.odcs-codegen]\ncache = "yes"\n',
        "pyproject.toml:2:9: error: 'cache' must be true or false, got 'yes'",
    ),
    (
        "[tool.odcs-codegen]\nsources = 5\n",
        "pyproject.toml:2:11: error: 'sources' must be a list or a string, got 5",
    ),
    (
        '[tool.odcs-codegen]\nsources = [\n  "a",\n  3,\n]\n',
        "pyproject.toml:4:3: error: item 2 of 'sources' must be a string, got 3",
    ),
    (
        '[tool.odcs-codegen]\noutput = ""\n',
        "pyproject.toml:2:10: error: 'output' must not be empty",
    ),
    (
        '[tool.odcs-codegen]\nseverity = { error = "P0", high = "P5" }\n',
        "pyproject.toml:2:35: error: 'severity.high' must be 'P0', 'P1', 'P2' or 'P3', got 'P5'",
    ),
    (
        '[tool.odcs-codegen.severity]\n"very high" = "P0"\n',
        "pyproject.toml:2:1: error: invalid key 'very high' in 'severity': use letters, digits, "
        "'_' and '-', starting with a letter",
    ),
    (
        '[tool.odcs-codegen.severity]\nHigh = "P0"\nhigh = "P1"\n',
        "pyproject.toml:3:1: error: severity word 'high' repeats 'High' "
        "(severity words are case-insensitive)",
    ),
    (
        "[tool.odcs-codegen]\ncontract-filter = { include = [] }\n",
        "pyproject.toml:2:21: error: unknown key 'include' in 'contract-filter' "
        "(expected one of: includes, excludes); did you mean 'includes'?",
    ),
    (
        '[tool.odcs-codegen]\ncontract-filter = "sales"\n',
        "pyproject.toml:2:19: error: 'contract-filter' must be a table, got 'sales'",
    ),
    (
        '[tool.odcs-codegen]\nrule-filter.includes = "x"\n',
        "pyproject.toml:2:24: error: 'rule-filter.includes' must be a list, got 'x'",
    ),
    (
        '[tool.odcs-codegen.dataset-filter]\nexcludes = [\n  "^ok$",  # fine\n  "sales[",\n]\n',
        "pyproject.toml:4:3: error: invalid regular expression 'sales[' in "
        "'dataset-filter.excludes': unterminated character set at position 5",
    ),
    (
        '[tool.odcs-codegen]\nname = "x"\n',
        "pyproject.toml:2:1: error: unknown key 'name' (expected one of: sources, output, "
        "dialect, line-length, between, default-severity, constraint-severity, severity, "
        "contract-filter, dataset-filter, rule-filter, cache, max-bytes, max-depth, max-nodes, "
        "package, airflow-dags, airflow, dagster, dagster-asset-key, jobs, openmetadata); 'name' belongs in a job ([[tool.odcs-codegen.jobs]])",
    ),
    (
        "[tool.odcs-codegen]\njobs = []\n",
        "pyproject.toml:2:8: error: 'jobs' must not be empty",
    ),
    (
        '[tool.odcs-codegen.jobs]\nname = "a"\n',
        "pyproject.toml:1:1: error: 'jobs' must be a list, got a table; "
        "write each job as a [[tool.odcs-codegen.jobs]] table",
    ),
    (
        '[tool.odcs-codegen]\n[[tool.odcs-codegen.jobs]]\nname = "a"\n'
        '[[tool.odcs-codegen.jobs]]\noutput = "b"\n',
        "pyproject.toml:4:1: error: job #2 needs a 'name'",
    ),
    (
        '[[tool.odcs-codegen.jobs]]\nname = "a b"\n',
        "pyproject.toml:2:8: error: invalid job name 'a b': use letters, digits, '_', '-' and '.', "
        "starting with a letter or digit",
    ),
    (
        '[[tool.odcs-codegen.jobs]]\nname = "a"\n[[tool.odcs-codegen.jobs]]\n\nname = "a"\n',
        "pyproject.toml:5:8: error: duplicate job name 'a' (first used at line 2)",
    ),
    (
        '[[tool.odcs-codegen.jobs]]\nname = "a"\n[[tool.odcs-codegen.jobs]]\nname = "b"\n'
        "outptu = 1\n",
        "pyproject.toml:5:1: error: unknown key 'outptu' in job 'b' (expected one of: name, "
        "sources, output, dialect, line-length, between, default-severity, constraint-severity, "
        "severity, contract-filter, dataset-filter, rule-filter, cache, max-bytes, max-depth, "
        "max-nodes, package, airflow-dags, airflow, dagster, dagster-asset-key); did you mean "
        "'output'?",
    ),
    (
        '[[tool.odcs-codegen.jobs]]\nname = "a"\n[[tool.odcs-codegen.jobs]]\nname = "b"\n'
        "[tool.odcs-codegen.jobs.rule-filter]\nexcludes = ['(']\n",
        "pyproject.toml:6:13: error: invalid regular expression '(' in 'rule-filter.excludes' "
        "of job 'b': missing ), unterminated subpattern at position 0",
    ),
    (
        '[tool.odcs-codegen]\njobs = [\n  { name = "a" },\n  { name = "b", line-length = 1 },\n]\n',
        "pyproject.toml:4:31: error: 'line-length' of job 'b' must be between 40 and 200, got 1",
    ),
    (
        "[tool]\nodcs-codegen.output = 5\n",
        "pyproject.toml:2:23: error: 'output' must be a string, got 5",
    ),
    (
        # strings that look like keys, headers and comments do not confuse the scanner
        '[tool.other]\ntext = """\n[tool.odcs-codegen]\nline-length = 1 # \\"""\n'
        "'''\n\"\"\"\nraw = '''x'''\n[tool.odcs-codegen]\n"
        "'line-length' = 1\n",
        "pyproject.toml:9:17: error: 'line-length' must be between 40 and 200, got 1",
    ),
]


def test_toml_dates_and_crlf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "pyproject.toml"
    file.write_bytes(b'[tool.odcs-codegen]\r\nsources = ["a"]\r\noutput = 1979-05-27\r\n')
    assert only_error(file, monkeypatch) == (
        "pyproject.toml:3:10: error: 'output' must be a string, got 1979-05-27"
    )


@pytest.mark.parametrize(("text", "expected"), TOML_CASES)
def test_toml_errors(
    text: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = write(tmp_path / "pyproject.toml", text)
    assert only_error(file, monkeypatch) == expected


def test_toml_errors_are_sorted_and_all_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = write(
        tmp_path / "pyproject.toml",
        """\
        [tool.odcs-codegen]
        line-length = "abc"
        dialect = "x"
        [[tool.odcs-codegen.jobs]]
        name = "j"
        cache = 1
        """,
    )
    assert errors_of(file, monkeypatch) == [
        "pyproject.toml:2:15: error: 'line-length' must be an integer, got 'abc'",
        "pyproject.toml:3:11: error: 'dialect' must be 'duckdb', 'spark' or 'bigquery', got 'x'",
        "pyproject.toml:6:9: error: 'cache' of job 'j' must be true or false, got 1",
    ]


def test_top_level_toml_jobs_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = write(tmp_path / "c.toml", '[jobs]\nname = "a"\n')
    assert only_error(file, monkeypatch) == (
        "c.toml:1:1: error: 'jobs' must be a list, got a table; write each job as a [[jobs]] table"
    )


YAML_CASES: list[tuple[str, str]] = [
    (
        "output: x\noutptu: y\n",
        "c.yaml:2:1: error: unknown key 'outptu' (expected one of: sources, output, dialect, "
        "line-length, between, default-severity, constraint-severity, severity, contract-filter, "
        "dataset-filter, rule-filter, cache, max-bytes, max-depth, max-nodes, "
        "package, airflow-dags, airflow, dagster, dagster-asset-key, jobs, openmetadata); "
        "did you mean 'output'?",
    ),
    ("line-length: abc\n", "c.yaml:1:14: error: 'line-length' must be an integer, got 'abc'"),
    ('line-length: "100"\n', "c.yaml:1:14: error: 'line-length' must be an integer, got '100'"),
    ("cache: yes\n", "c.yaml:1:8: error: 'cache' must be true or false, got 'yes'"),
    ("output:\n", "c.yaml:1:8: error: 'output' must be a string, got null"),
    ("severity: [P0]\n", "c.yaml:1:11: error: 'severity' must be a mapping, got a list"),
    (
        "rule-filter:\n  includes:\n    - ok\n    - '*bad'\n",
        "c.yaml:4:7: error: invalid regular expression '*bad' in 'rule-filter.includes': "
        "nothing to repeat at position 0",
    ),
    (
        "jobs:\n  - name: a\n  - name: b\n    dialect: [duckdb]\n",
        "c.yaml:4:14: error: 'dialect' of job 'b' must be 'duckdb', 'spark' or 'bigquery', got a list",
    ),
    (
        "jobs:\n  - name: a\n  - sources: [x]\n",
        "c.yaml:3:5: error: job #2 needs a 'name'",
    ),
    ("jobs:\n  - 5\n", "c.yaml:2:5: error: job #1 must be a mapping, got 5"),
    (
        "jobs:\n  - name: a\n    rule-filter: {excludes: [x], exclude: [y]}\n",
        "c.yaml:3:34: error: unknown key 'exclude' in 'rule-filter' of job 'a' "
        "(expected one of: includes, excludes); did you mean 'excludes'?",
    ),
]


@pytest.mark.parametrize(("text", "expected"), YAML_CASES)
def test_yaml_errors(
    text: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert only_error(write(tmp_path / "c.yaml", text), monkeypatch) == expected


def test_positions_of_every_key_in_a_rich_toml_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each unknown key is reported on its own line and column, whatever the TOML form."""
    file = write(
        tmp_path / "pyproject.toml",
        """\
        [tool.odcs-codegen]
        a1 = 1
        "a2" = [1, [2, 3], { x = 1 }]
        contract-filter.a3 = []
        dataset-filter = { excludes = ['''x'''], a4 = 1 }

        [tool.odcs-codegen.rule-filter]
        a5 = 1

        [[tool.odcs-codegen.jobs]]
        name = "one"
          a6 = 1
        [tool.odcs-codegen.jobs.severity]
        [[tool.odcs-codegen.jobs]]
        name = "two"
        severity = { a7-is-ok = "P1" }
        """,
    )
    found = errors_of(file, monkeypatch)
    locations = [message.split(": error: ")[0] for message in found]
    assert locations == [
        "pyproject.toml:2:1",
        "pyproject.toml:3:1",
        "pyproject.toml:4:17",
        "pyproject.toml:5:42",
        "pyproject.toml:8:1",
        "pyproject.toml:12:3",
    ]
    assert [message.split("'")[1] for message in found] == ["a1", "a2", "a3", "a4", "a5", "a6"]


# --------------------------------------------------------------------------- filters


def test_filter_without_patterns_allows_everything() -> None:
    assert Filter().allows("anything")
    assert Filter().allows()
    assert not Filter().active


def test_filter_includes() -> None:
    keep = Filter(includes=("^sales/", "orders"))
    assert keep.active
    assert keep.allows("sales/a.yaml")
    assert keep.allows("contracts/orders.yaml")  # re.search: anywhere in the name
    assert not keep.allows("hr/people.yaml")
    assert not keep.allows()  # nothing to match an include


def test_filter_excludes() -> None:
    drop = Filter(excludes=("_tmp$",))
    assert drop.allows("orders")
    assert not drop.allows("orders_tmp")


def test_filter_excludes_win_over_includes() -> None:
    both = Filter(includes=("^sales",), excludes=("draft",))
    assert both.allows("sales_orders")
    assert not both.allows("sales_draft")
    assert not both.allows("hr")


def test_filter_any_name_counts() -> None:
    """The dataset filter sees the schema object name and its physicalName."""
    keep = Filter(includes=("^raw\\.",))
    assert keep.allows("orders", "raw.orders")
    assert not keep.allows("orders", "mart.orders")
    drop = Filter(excludes=("^raw\\.",))
    assert not drop.allows("orders", "raw.orders")


def test_filter_is_case_sensitive_unless_asked() -> None:
    assert not Filter(includes=("^sales",)).allows("Sales")
    assert Filter(includes=("(?i)^sales",)).allows("Sales")


def test_contract_filter_path(tmp_path: Path) -> None:
    file = write(tmp_path / "pyproject.toml", PYPROJECT)
    config = load_config(file)
    assert config.folder == tmp_path
    contract = tmp_path / "contracts" / "sales" / "a.yaml"
    assert config.filter_path(contract) == "contracts/sales/a.yaml"
    assert config.filter_path(tmp_path.parent / "x.yaml") == "../x.yaml"


# --------------------------------------------------------------------------- override


def test_override_ignores_none() -> None:
    job = Job(name="j", line_length=90, dialect="bigquery")
    assert override(job, line_length=None, dialect=None) == job
    assert override(job, line_length=120).line_length == 120
    assert override(job, cache=False).cache is False


def test_override_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    job = Job(sources=(tmp_path / "configured",), output=tmp_path / "configured-out")
    changed = override(job, sources=[Path("a"), "b"], output="out")
    assert changed.sources == (tmp_path / "a", tmp_path / "b")
    assert changed.output == tmp_path / "out"
    assert override(job, sources=[]).sources == job.sources  # no paths given: keep the config
    assert override(job, sources=Path("one")).sources == (tmp_path / "one",)


def test_override_merges_severities_and_replaces_filters() -> None:
    job = Job(rule_filter=Filter(excludes=("x",)))
    changed = override(job, severities={"Critical": "P0"}, rule_filter=Filter(includes=("y",)))
    assert changed.severities == {**DEFAULT_SEVERITIES, "critical": "P0"}
    assert changed.rule_filter == Filter(includes=("y",))


def test_override_unknown_setting() -> None:
    with pytest.raises(TypeError, match="unknown job settings: colour"):
        override(Job(), colour="red")


# --------------------------------------------------------------------------- schema and defaults


def _schema() -> dict[str, Any]:
    text = resources.files("odcs_codegen").joinpath("config.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _objects(node: Any) -> list[dict[str, Any]]:
    """Every subschema that describes an object."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found.extend(_objects(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_objects(value))
    return found


def test_schema_is_valid_and_strict() -> None:
    schema = _schema()
    Draft202012Validator.check_schema(schema)
    for node in _objects(schema):
        if "properties" in node:  # tables with fixed keys
            assert node["additionalProperties"] is False
        else:  # the severity word map: free words, checked names and values
            assert "propertyNames" in node and isinstance(node["additionalProperties"], dict)


def test_schema_matches_the_code() -> None:
    schema = _schema()
    defs = schema["$defs"]
    assert defs["dialect"]["enum"] == list(DIALECTS)
    job_keys = set(defs["job"]["properties"])
    assert job_keys == set(schema["properties"]) - PROJECT_KEYS | {"name"}
    assert set(Job.__dataclass_fields__) == {
        "name",
        "sources",
        "output",
        "dialect",
        "line_length",
        "between",
        "default_severity",
        "constraint_severity",
        "severities",
        "contract_filter",
        "dataset_filter",
        "rule_filter",
        "cache",
        "max_bytes",
        "max_depth",
        "max_nodes",
        "package",
        "airflow_dags",
        "airflow",
        "dagster",
        "dagster_asset_key",
    }


def test_job_defaults_match_the_compiler_defaults() -> None:
    job = Job()
    assert job.options() == Options()
    assert job.limits() == Limits()
    assert job.effective_line_length() == Settings().line_length == 88
    assert job.severities == DEFAULT_SEVERITIES


def test_job_options_carry_the_configuration(tmp_path: Path) -> None:
    file = write(
        tmp_path / "c.yaml",
        "dialect: bigquery\nbetween: exclusive\ndefault-severity: P3\nseverity: {Sev: P2}\n",
    )
    options = load_config(file).jobs[0].options()
    assert (options.dialect, options.between, options.default_severity) == (
        "bigquery",
        "exclusive",
        "P3",
    )
    assert options.severities["sev"] == "P2"


def test_schema_ships_inside_the_package() -> None:
    import odcs_codegen

    package = Path(odcs_codegen.__file__).parent
    assert (package / "config.schema.json").is_file()
