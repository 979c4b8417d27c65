"""Reading an import file: every line parsed and validated before anything is written.

Large files are validated by a pool of processes, a chunk of lines each: the
schemas are pure, and validation is most of an import's work. The first bad
line in file order is the one reported, whichever process found it.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from ledger.cli import render
from ledger.schemas.lines import InputError, parse_line

CHUNK = 2_000
PARALLEL_FROM = 8_000


def _split(text: str) -> list[str]:
    # Only a newline ends a JSON line: U+2028 and friends are legal inside strings.
    # The newline that ends the last line does not start another one.
    return [line.removesuffix("\r") for line in text.removesuffix("\n").split("\n")]


def _lines(path: str) -> list[str]:
    try:
        if path == "-":
            return _split(sys.stdin.buffer.read().decode("utf-8-sig"))
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return _split(handle.read())
    except OSError as error:
        raise InputError("(file)", error.strerror or str(error)) from None
    except UnicodeDecodeError as error:
        raise InputError("(file)", f"not UTF-8 text ({error.reason})") from None


Records = list[tuple[int | None, dict[str, Any]]]


def _validate(first: int, lines: list[str]) -> tuple[Records, InputError | None]:
    """Validate consecutive lines numbered from ``first``; stop at the first bad one."""
    records: Records = []
    for number, text in enumerate(lines, first):
        if text.strip():
            try:
                records.append((number, parse_line(text, number)))
            except InputError as error:
                return records, error
    return records, None


def _chunks(lines: list[str]) -> list[tuple[int, list[str]]]:
    return [(i + 1, lines[i : i + CHUNK]) for i in range(0, len(lines), CHUNK)]


def _workers() -> int:
    return min(len(os.sched_getaffinity(0)), 4)


def read_records(path: str) -> Records:
    """Every non-blank line of ``path`` as ``(line number, validated record)``."""
    lines = _lines(path)
    chunks = _chunks(lines)
    records: Records = []
    with render.progress("validating", len(lines)) as advance:
        for (_, chunk), (found, error) in zip(chunks, _validated(chunks), strict=True):
            if error is not None:
                raise error
            records += found
            advance(len(chunk))
    if not records:
        raise InputError("(file)", "no records: the file is empty")
    return records


def _validated(chunks: list[tuple[int, list[str]]]):
    total = sum(len(c) for _, c in chunks)
    if total < PARALLEL_FROM or _workers() < 2:
        return (_validate(first, chunk) for first, chunk in chunks)
    pool = ProcessPoolExecutor(_workers(), mp_context=get_context("fork"))
    results = pool.map(_validate, *zip(*chunks, strict=True))
    return _closing(pool, results)


def _closing(pool: ProcessPoolExecutor, results):
    try:
        yield from results
    finally:
        pool.shutdown(cancel_futures=True)
