"""`ledger serve`: the API on waitress, a production WSGI server.

Why waitress (and not gunicorn) is in docs/decisions.md: one process whose
request threads share one ledger (engines, application, account lookups).
"""

from __future__ import annotations

import signal
from typing import Any

from waitress import create_server

from ledger.web import create_app


class _Stop(Exception):
    """SIGTERM or SIGINT: leave the serving loop."""


def _stop(*_: Any) -> None:
    raise _Stop


def serve(
    url: str,
    *,
    host: str,
    port: int,
    workers: int,
    max_body: int,
    key: str | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT; requests under way get 5 seconds to finish.

    ``key``: the signing key's path (checkpoints), else as ``ledger checkpoint``.
    """
    app = create_app(url, max_body_bytes=max_body, key=key)
    server = create_server(
        app,
        host=host,
        port=port,
        threads=workers,
        ident="ledger",
        clear_untrusted_proxy_headers=True,
    )
    previous = {
        name: signal.signal(name, _stop) for name in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        server.run()
    except _Stop:
        pass
    finally:
        for name, handler in previous.items():
            signal.signal(name, handler)
        # Requests under way finish (up to 5 s) before the sockets close: a
        # thread that answers after its channel closed would write to nothing.
        server.task_dispatcher.shutdown()
        server.close()
        app.extensions["ledger"].close()
