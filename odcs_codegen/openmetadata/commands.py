"""``odcs-codegen publish [FILE...]`` (send undelivered results) and the files of
``odcs-codegen init --openmetadata``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._runtime.errors import EXIT_OK, EXIT_PUBLISH_FAILED, EXIT_USAGE, UsageError

__all__ = ["add_publish_parser", "openmetadata_files", "publish_command"]

PROG = "odcs-codegen publish"


def add_publish_parser(commands: Any) -> None:
    """``publish [FILE...] [--config FILE]``."""
    text = "send results kept after a failed --publish (default: every pending file)"
    command = commands.add_parser("publish", help=text, description=text)
    command.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="pending result files (.json)"
    )
    command.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="the TOML or YAML file with the [openmetadata] table (default: found)",
    )


def publish_command(args: argparse.Namespace) -> int:
    """Send each file; 0 when all are delivered, 4 when some are not, 2 for usage errors."""
    from .._runtime import openmetadata

    try:
        config = openmetadata.load_config(args.config)
        files = list(args.files) or sorted(config.pending_dir.glob("*.json"))
        for path in files:
            openmetadata.read_pending(path)  # every file readable before anything is sent
    except UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not files:
        print(f"{PROG}: nothing pending in {config.pending_dir}", file=sys.stderr)
        return EXIT_OK
    code = EXIT_OK
    for path in files:
        try:
            done = openmetadata.publish_file(path, config)
        except openmetadata.PublishError as error:
            print(f"{PROG}: {path}: {error}", file=sys.stderr)
            code = EXIT_PUBLISH_FAILED
            continue
        print(f"{path}: {done.line()}", file=sys.stderr)
    return code


def openmetadata_files() -> dict[str, str]:
    """What ``init --openmetadata`` adds: the workflow YAML, and the text appended to
    odcs-codegen.toml."""
    from .workflow import starter_config, starter_workflow

    return {
        "openmetadata.yaml": starter_workflow(),
        "odcs-codegen.toml": starter_config(),
    }
