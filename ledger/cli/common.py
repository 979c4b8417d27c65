"""What every ``ledger`` command shares: options, the database, the recorder, output."""

from __future__ import annotations

import getpass
import json
import os
from typing import Any

import click
import eventsourcing.persistence
import sqlalchemy.exc

from ledger.application.service import LedgerService
from ledger.bootstrap import Ledger
from ledger.domain.dates import PartialDate, PartialDateError
from ledger.errors import LedgerError, LocatedError
from ledger.persistence import database_url
from ledger.projections.queries import KnownAt

# The database is down, refuses the login, or the URL names no server.
UNREACHABLE = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    eventsourcing.persistence.OperationalError,
    eventsourcing.persistence.InterfaceError,
)


class LedgerGroup(click.Group):
    """Turns user mistakes into one clear line on stderr and exit code 1.

    Every ``LedgerError`` (ledger/errors.py) is translated here, and only here.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LedgerError as error:
            click.echo(_one_line(error), err=True)
        except eventsourcing.persistence.MapperDeserialisationError as error:
            reason = str(error).splitlines()[0]
            click.echo(f"error: a stored event cannot be read: {reason}", err=True)
            click.echo("run `ledger verify` to see what was damaged", err=True)
            ctx.exit(3)
        except UNREACHABLE as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            click.echo(
                f"error: cannot reach the database, or it refused: {reason}", err=True
            )
        ctx.exit(1)


def _one_line(error: LedgerError) -> str:
    """The error as the command line shows it: where, which field, what."""
    source = getattr(error, "source", None)
    if isinstance(error, LocatedError) and source:
        where = f"{source}:{error.line}" if error.line is not None else source
        return f"{where}: {error.field}: {error.message}"
    line = getattr(error, "line", None)
    where = f"line {line}: " if line else ""
    return f"error: {where}{error}"


def as_of_date(text: str | None) -> PartialDate | None:
    return PartialDate.parse(text) if text else None


def _check_as_of(_ctx: click.Context, _param: click.Parameter, value: str | None):
    try:
        as_of_date(value)
    except PartialDateError as error:
        raise click.BadParameter(str(error)) from None
    return value


def _check_known_at(_ctx: click.Context, _param: click.Parameter, value: str | None):
    try:
        KnownAt.parse(value)
    except PartialDateError as error:
        raise click.BadParameter(
            f"{error}; or use seq:N for a sequence number"
        ) from None
    return value


db_option = click.option(
    "--db",
    "db",
    metavar="URL",
    help="Database URL (default: $LEDGER_DATABASE_URL, else sqlite:///ledger.db).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
recorder_option = click.option(
    "--recorded-by",
    metavar="NAME",
    help="Who records this (default: $LEDGER_RECORDER, else the OS user).",
)
as_of_option = click.option(
    "--as-of",
    callback=_check_as_of,
    metavar="DATE",
    help="Only statements made by DATE (2019, 2019-12, 2019-12-10).",
)
known_at_option = click.option(
    "--known-at",
    callback=_check_known_at,
    metavar="WHEN",
    help="Only what the ledger held at WHEN: an instant, a partial date, or seq:N.",
)


def recorder(given: str | None) -> str:
    """``--recorded-by``, else ``LEDGER_RECORDER``, else the operating-system user."""
    if given:
        return given
    if os.environ.get("LEDGER_RECORDER"):
        return os.environ["LEDGER_RECORDER"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid-{os.getuid()}"


def open_ledger(db: str | None) -> Ledger:
    """The ledger at the command's ``--db``, else the group's, else the defaults."""
    return Ledger(url_of(db))


def open_service(db: str | None, key: str | None = None) -> LedgerService:
    """The ledger's service at the command's ``--db`` (see ``open_ledger``)."""
    return LedgerService.open(url_of(db), key)


def url_of(db: str | None) -> str:
    """The command's ``--db``, else the group's, else the environment's or default."""
    ctx = click.get_current_context(silent=True)
    group_db = ctx.find_root().params.get("db") if ctx else None
    return database_url(db or group_db)


def emit(data: Any, schema: type, as_json: bool, table: Any) -> None:
    """JSON through the output schema, or a table for people."""
    if as_json:
        click.echo(json.dumps(schema().dump(data), ensure_ascii=False, indent=2))
    else:
        table(data)
