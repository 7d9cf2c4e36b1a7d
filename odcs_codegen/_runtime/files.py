"""What every engine's data source shares: file formats, globs and folders, partitions.

A data file's format comes from its name (or is given); a glob reads several files and a
folder reads every data file below it (hive-style ``key=value`` folders are partitions). A
``Partition`` restricts a run to one slice of a dataset; on a hive-partitioned folder only that
partition's files are read.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Sequence
from typing import NamedTuple

__all__ = [
    "CellError",
    "Partition",
    "check_name",
    "file_format",
    "folder_format",
    "matching_files",
    "parse_partition",
]

FILE_FORMATS: dict[str, str] = {
    **dict.fromkeys(("parquet", "pq", "parq"), "parquet"),
    **dict.fromkeys(("csv", "tsv"), "csv"),
    **dict.fromkeys(("jsonl", "ndjson", "json"), "jsonl"),
    **dict.fromkeys(("arrow", "arrows", "ipc", "feather"), "ipc"),
}
_COMPRESSION_SUFFIXES = ("gz", "zst", "zstd")
_GLOB_CHARACTERS = re.compile(r"[*?[]")


class CellError(Exception):
    """A value of a CSV or JSON-lines file does not parse as its column's declared type."""

    def __init__(self, dataset: str, column: str | None, message: str) -> None:
        super().__init__(message)
        self.dataset = dataset
        self.column = column


class Partition(NamedTuple):
    """One slice of a dataset: the rows whose ``column`` equals ``value`` (as text)."""

    column: str
    value: str

    @property
    def day(self) -> datetime.date | None:
        """The value as a date, when it is one (dqlib's result key then carries it)."""
        try:
            return datetime.date.fromisoformat(self.value[:10])
        except ValueError:
            return None

    @property
    def segment(self) -> str:
        """The hive folder name of the partition, ``column=value``."""
        return f"{self.column}={self.value}"

    def __str__(self) -> str:
        return self.segment


def parse_partition(text: str, default_column: str | None = None) -> Partition:
    """``COLUMN=VALUE``, or ``VALUE`` alone for ``default_column``; ValueError otherwise."""
    column, separator, value = text.partition("=")
    if not separator:
        if default_column is None:
            raise ValueError(
                f"bad partition '{text}': expected COLUMN=VALUE (the contract has no "
                "property with partitioned: true and partitionKeyPosition: 1)"
            )
        column, value = default_column, text
    if not column or not value:
        raise ValueError(f"bad partition '{text}': expected COLUMN=VALUE")
    return Partition(column, value)


def check_name(name: str) -> None:
    """ValueError unless ``name`` is a non-empty string (a dataset name)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"dataset name must be a non-empty string, got {name!r}")


def file_format(path: str, given: str | None) -> str:
    """The format of a data file: ``given`` (normalised), else from the file name."""
    if given is not None:
        key = given.strip().lower().lstrip(".")
        if key not in FILE_FORMATS:
            known = ", ".join(sorted(FILE_FORMATS))
            raise ValueError(
                f"unsupported file format '{given}' for '{path}'; expected one of: {known}"
            )
        return FILE_FORMATS[key]
    found = _name_format(path)
    if found is None:
        raise ValueError(
            f"cannot tell the format of '{path}' from its name; pass file_format "
            "(parquet, csv, jsonl or arrow)"
        )
    return found


def _name_format(path: str) -> str | None:
    stem, dot, suffix = os.path.basename(path).lower().rpartition(".")
    if dot and suffix in _COMPRESSION_SUFFIXES:
        inner = stem.rpartition(".")[2] if "." in stem else ""
        if FILE_FORMATS.get(inner) in ("csv", "jsonl"):
            return FILE_FORMATS[inner]
    elif dot and suffix in FILE_FORMATS:
        return FILE_FORMATS[suffix]
    return None


def folder_format(folder: str, given: str | None) -> str:
    """The format of the data files in a folder: ``given``, else the one their names share."""
    if given is not None:
        return file_format(folder, given)
    kinds = {_name_format(path) for path in _folder_files(folder)} - {None}
    if len(kinds) != 1:
        found = ", ".join(sorted(str(kind) for kind in kinds)) or "no data files"
        raise ValueError(
            f"cannot tell the format of folder '{folder}' ({found}); pass file_format"
        )
    return str(kinds.pop())


def _folder_files(folder: str) -> list[str]:
    """Every data file below ``folder`` (hidden and ``_``-prefixed entries skipped, as Spark
    and Hive do), sorted."""
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        found += [
            os.path.join(root, f)
            for f in sorted(files)
            if not f.startswith((".", "_")) and not f.endswith(".crc")
        ]
    return found


def matching_files(
    shown: str, kind: str, partition: Partition | None = None
) -> list[str]:
    """The file, the files a glob matches, or the data files below a folder (sorted).

    With ``partition``, files below a hive folder of another value of its column are left
    out (they are never opened).
    """
    if os.path.isfile(shown):
        return [shown]
    if os.path.isdir(shown):
        files = [p for p in _folder_files(shown) if _name_format(p) in (kind, None)]
        files = only_partition(files, partition)
        if not files:
            raise FileNotFoundError(f"no {kind} files in folder '{shown}'")
    elif not _GLOB_CHARACTERS.search(shown):
        raise FileNotFoundError(f"data file not found: '{shown}'")
    else:
        import glob

        files = sorted(p for p in glob.glob(shown, recursive=True) if os.path.isfile(p))
        files = only_partition(files, partition)
        if not files:
            raise FileNotFoundError(f"no data files match '{shown}'")
        if kind == "ipc":
            raise ValueError(
                f"cannot read '{shown}': globs are not supported for arrow files"
            )
    if kind == "ipc" and len(files) > 1:
        raise ValueError(f"cannot read '{shown}': arrow files are read one at a time")
    return files


def hive_keys(files: Sequence[str]) -> list[str]:
    """The hive partition columns of the files' paths (``key=value`` folders)."""
    keys: dict[str, None] = {}
    for path in files:
        for part in os.path.dirname(path).replace(os.sep, "/").split("/"):
            key, separator, _ = part.partition("=")
            if separator and key:
                keys.setdefault(key)
    return list(keys)


def only_partition(files: Sequence[str], partition: Partition | None) -> list[str]:
    """The files of ``partition`` when it is a hive key of their paths, else all of them."""
    if partition is None or partition.column not in hive_keys(files):
        return list(files)
    wanted = partition.segment
    return [
        path
        for path in files
        if wanted in os.path.dirname(path).replace(os.sep, "/").split("/")
    ]
