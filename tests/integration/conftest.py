"""Every test here runs once per backend (see tests/conftest.py)."""

import pytest

from tests.conftest import on_backend


@pytest.fixture(autouse=True)
def _on_backend(backend: str, request: pytest.FixtureRequest):
    yield from on_backend(backend, request)
