"""A real `ledger serve` on a free loopback port, and headless Chromium to drive it.

Chromium and chromedriver are Debian's (``apt-get install chromium
chromium-driver``). Without them these tests are skipped with that advice,
except under CI (``$CI`` set), where a missing browser fails.
Screenshots go to ``$LEDGER_SCREENSHOTS`` (default: a temporary directory).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger.application.accounts import Accounts
from ledger.bootstrap import Ledger
from tests.support import ExampleLedger

CHROMIUM = os.environ.get("LEDGER_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("LEDGER_CHROMEDRIVER", "/usr/bin/chromedriver")
INSTALL = "install them with: apt-get install chromium chromium-driver"


def _browser_or_skip() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if not missing:
        return
    message = f"browser tests need {' and '.join(missing)}; {INSTALL}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    ledger: ExampleLedger
    tokens: dict[str, str]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The seed example served by `ledger serve`, with a reader and a recorder."""
    _browser_or_skip()
    directory = tmp_path_factory.mktemp("served")
    ledger = ExampleLedger.new(directory).holding("libya-drone")
    assert ledger.cli("init").exit_code == 0  # the signing key
    with Ledger(ledger.url) as opened:
        accounts = Accounts(opened)
        tokens = {
            role: accounts.add(f"browser-{role}", role, "operator").token
            for role in ("reader", "recorder", "admin")
        }
    port = _free_port()
    binary = Path(sys.executable).with_name("ledger")
    env = {**os.environ, "LEDGER_KEY_PATH": str(ledger.key)}
    process = subprocess.Popen(
        [str(binary), "serve", "--db", ledger.url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url + "/api/health", process)
        yield Server(url, ledger, tokens)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait(url: str, process: subprocess.Popen) -> None:
    for _ in range(200):
        if process.poll() is not None:
            raise RuntimeError(f"ledger serve ended: {process.stderr.read()!r}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("ledger serve did not answer in 20 seconds")


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("LEDGER_SCREENSHOTS")
    path = Path(given) if given else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser(tmp_path: Path, server: Server):
    """Headless Chromium with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(
        service=Service(shutil.which(CHROMEDRIVER)), options=options
    )
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()
