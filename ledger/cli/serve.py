"""``ledger serve``: the HTTP API on a production WSGI server."""

from __future__ import annotations

import sys

import click
from sqlalchemy.engine import make_url

from ledger.bootstrap import Ledger
from ledger.cli.common import db_option, url_of
from ledger.cli.integrity import private_key_option


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Request threads; run more servers for more processes.",
)
@click.option(
    "--max-body",
    "max_body_option",
    type=click.IntRange(min=1),
    metavar="BYTES",
    help="Largest request body (default: $LEDGER_MAX_BODY, else 16 MiB).",
)
@private_key_option
@db_option
def serve_command(host, port, workers, max_body_option, private_key, db) -> None:  # type: ignore[no-untyped-def]
    """Serve the API (docs at /api/docs) until SIGTERM or Ctrl-C.

    POST /api/checkpoints signs with the ledger's key (--private-key).
    """
    # Flask and waitress are imported only by this command, not by every `ledger`.
    from ledger.web import max_body
    from ledger.web.server import serve

    url = url_of(db)
    Ledger(url).close()  # a missing or old ledger is refused here, in one line
    limit = max_body(max_body_option)
    shown = make_url(url).render_as_string(hide_password=True)
    click.echo(
        f"serving {shown} at http://{host}:{port}/api/docs "
        f"({workers} workers, bodies up to {limit} bytes)",
        err=True,
    )
    try:
        serve(
            url,
            host=host,
            port=port,
            workers=workers,
            max_body=limit,
            key=private_key,
        )
    except OSError as error:  # the port is taken, or the address is not ours
        click.echo(f"error: cannot listen on {host}:{port}: {error.strerror}", err=True)
        sys.exit(1)
