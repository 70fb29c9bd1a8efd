"""Write or check the committed OpenAPI document: ``python -m nightowl.api.openapi --check FILE``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nightowl.api.server import create_api


def document() -> str:
    return json.dumps(create_api(None).openapi(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="fail when FILE differs from the API")
    mode.add_argument("--write", action="store_true", help="write the current document to FILE")
    args = parser.parse_args(argv)
    current = document()
    if args.write:
        args.file.write_text(current)
        return 0
    if not args.file.exists() or args.file.read_text() != current:
        print(
            f"{args.file} is out of date with the API: run "
            f"`python -m nightowl.api.openapi --write {args.file}` and commit it",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
