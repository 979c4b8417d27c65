"""The garbage collector is paused while an answer is built, and only then."""

from __future__ import annotations

import gc
import threading

import pytest

from ledger.gcpause import paused_gc


def test_the_collector_is_paused_inside_and_as_it_was_after():
    seen = []

    @paused_gc
    def answer():
        seen.append(gc.isenabled())
        return 42

    assert gc.isenabled()
    assert answer() == 42
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        answer()
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_overlapping_answers_keep_it_paused_until_the_last_is_done():
    first_inside, release = threading.Event(), threading.Event()

    @paused_gc
    def slow():
        first_inside.set()
        release.wait(5)

    @paused_gc
    def quick():
        return gc.isenabled()

    worker = threading.Thread(target=slow)
    worker.start()
    first_inside.wait(5)
    assert quick() is False
    assert not gc.isenabled()  # the slow answer is still under way
    release.set()
    worker.join(5)
    assert gc.isenabled()


def test_an_error_inside_still_resumes_the_collector():
    @paused_gc
    def failing():
        raise ValueError("bad input")

    with pytest.raises(ValueError):
        failing()
    assert gc.isenabled()
