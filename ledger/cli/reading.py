"""Reading an import file: every line parsed and validated before anything is written.

Large files are validated by a pool of processes, a chunk of lines each: the
schemas are pure, and validation is most of an import's work. Every bad line is
reported, in file order, whichever process found it; workers send back plain
data (records and ``(line, field, message)`` problems), and die with the
importing process if it is killed.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from ledger.application.problems import Problem, Refused
from ledger.cli import render
from ledger.schemas.lines import InputError, check_line, split_lines

CHUNK = 2_000
PARALLEL_FROM = 8_000
_PR_SET_PDEATHSIG = 1


_split = split_lines


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


def _validate(first: int, lines: list[str]) -> tuple[Records, list[Problem]]:
    """Validate consecutive lines numbered from ``first``: records and problems."""
    records: Records = []
    problems: list[Problem] = []
    for number, text in enumerate(lines, first):
        if text.strip():
            record, found = check_line(text, number)
            if found:
                problems += found
            else:
                records.append((number, record))
    return records, problems


def _chunks(lines: list[str]) -> list[tuple[int, list[str]]]:
    return [(i + 1, lines[i : i + CHUNK]) for i in range(0, len(lines), CHUNK)]


def _workers() -> int:
    return min(len(os.sched_getaffinity(0)), 4)


def read_records(path: str) -> Records:
    """Every non-blank line of ``path`` as ``(line number, validated record)``.

    Raises Refused with every problem of every line if any line is bad.
    """
    lines = _lines(path)
    chunks = _chunks(lines)
    records: Records = []
    problems: list[Problem] = []
    with render.progress("validating", len(lines)) as advance:
        for (_, chunk), (found, bad) in zip(chunks, _validated(chunks), strict=True):
            records += found
            problems += bad
            advance(len(chunk))
    if problems:
        raise Refused(problems)
    if not records:
        raise InputError("(file)", "no records: the file is empty")
    return records


def _validated(chunks: list[tuple[int, list[str]]]):
    total = sum(len(c) for _, c in chunks)
    if total < PARALLEL_FROM or _workers() < 2:
        return (_validate(first, chunk) for first, chunk in chunks)
    pool = ProcessPoolExecutor(
        _workers(),
        mp_context=get_context("fork"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )
    results = pool.map(_validate, *zip(*chunks, strict=True))
    return _closing(pool, results)


def _closing(pool: ProcessPoolExecutor, results):
    try:
        yield from results
    finally:
        pool.shutdown(cancel_futures=True)


def _die_with_parent(parent: int) -> None:
    """In a worker: exit when the importing process dies, even by kill -9.

    On Linux the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG);
    a watchdog thread that checks the parent's pid covers other systems, and a
    parent that died before this ran.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        threading.Event().wait(0.5)
    os._exit(1)
