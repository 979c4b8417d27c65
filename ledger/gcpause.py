"""The garbage collector paused while a large answer is built.

Folding an incident of 10,000 statements allocates tens of thousands of small
dicts and lists that hold no reference cycles; the cyclic collector, run every
700 allocations, then spent about a third of ``state``'s time walking them
(measured with bench/bench_import.py's state figure: 920 ms with it, 596 ms
without). Reference counting still frees everything; the collector runs again
when the last answer under way is done. Threads share the pause (it is the
process's), counted so that the first to finish does not end another's.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_lock = threading.Lock()
_under_way = 0
_was_enabled = True


def paused_gc(function: F) -> F:
    """Run ``function`` with the cyclic garbage collector paused."""

    @functools.wraps(function)
    def paused(*args: Any, **kwargs: Any) -> Any:
        global _under_way, _was_enabled
        with _lock:
            if _under_way == 0:
                _was_enabled = gc.isenabled()
            _under_way += 1
            gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            with _lock:
                _under_way -= 1
                if _under_way == 0 and _was_enabled:
                    gc.enable()

    return paused  # type: ignore[return-value]
