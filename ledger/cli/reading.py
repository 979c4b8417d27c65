"""Reading an import file: every line parsed and validated before anything is written."""

from __future__ import annotations

import sys
from typing import Any

from ledger.cli import render
from ledger.schemas.lines import InputError, parse_line


def _lines(path: str) -> list[str]:
    try:
        if path == "-":
            return sys.stdin.read().splitlines()
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read().splitlines()
    except OSError as error:
        raise InputError("(file)", error.strerror or str(error)) from None
    except UnicodeDecodeError as error:
        raise InputError("(file)", f"not UTF-8 text ({error.reason})") from None


def read_records(path: str) -> list[tuple[int | None, dict[str, Any]]]:
    """Every non-blank line of ``path`` as ``(line number, validated record)``."""
    lines = _lines(path)
    records: list[tuple[int | None, dict[str, Any]]] = []
    with render.progress("validating", len(lines)) as advance:
        for number, text in enumerate(lines, 1):
            if text.strip():
                records.append((number, parse_line(text, number)))
            if number % 1000 == 0:
                advance(1000)
    if not records:
        raise InputError("(file)", "no records: the file is empty")
    return records
