"""What every ``ledger`` command shares: options, the database, the recorder, output."""

from __future__ import annotations

import getpass
import json
import os
from typing import Any

import click
import eventsourcing.persistence
import sqlalchemy.exc

from ledger.application.problems import problem_lines
from ledger.application.service import LedgerService
from ledger.bootstrap import Ledger
from ledger.domain.dates import PartialDate, PartialDateError
from ledger.domain.text import json_safe, visible
from ledger.errors import BadInput, LedgerError, LocatedError
from ledger.persistence import database_url
from ledger.projections.queries import KnownAt
from ledger.schemas.inputs import RecorderInput
from ledger.schemas.lines import InputError, load_with

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
            for text in _lines_of(error):
                click.echo(visible(text), err=True)
        except eventsourcing.persistence.MapperDeserialisationError as error:
            reason = str(error).splitlines()[0]
            click.echo(
                visible(f"error: a stored event cannot be read: {reason}"), err=True
            )
            click.echo("run `ledger verify` to see what was damaged", err=True)
            ctx.exit(3)
        except UNREACHABLE as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            click.echo(
                visible(f"error: cannot reach the database, or it refused: {reason}"),
                err=True,
            )
        ctx.exit(1)


def _lines_of(error: LedgerError) -> list[str]:
    """Every problem of bad input on a line of its own, else the one line."""
    if isinstance(error, BadInput) and len(error.problems) > 1:
        source = getattr(error, "source", None)
        return [
            text if source else f"error: {text}"
            for text in problem_lines(source, error.problems)
        ]
    return [_one_line(error)]


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
    if value is not None and not value.strip():
        raise click.BadParameter("is empty; give a date, e.g. 2019-12-10")
    try:
        as_of_date(value)
    except PartialDateError as error:
        raise click.BadParameter(str(error)) from None
    return value


def _check_known_at(_ctx: click.Context, _param: click.Parameter, value: str | None):
    if value is not None and not value.strip():
        raise click.BadParameter(
            "is empty; give an instant, a date or seq:N (an empty shell variable?)"
        )
    try:
        KnownAt.parse(value)
    except PartialDateError as error:
        hint = "" if str(error).startswith("sequence") else "; or use seq:N"
        raise click.BadParameter(f"{error}{hint}") from None
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
    help="Only statements made by DATE (2019, 2019-12, 2019-12-10; UTC, or a local "
    "day, month or year with an IANA zone: 2019-12-10[Asia/Manila]).",
)
known_at_option = click.option(
    "--known-at",
    callback=_check_known_at,
    metavar="WHEN",
    help="Only what the ledger held at WHEN: an instant, a partial date, or seq:N.",
)


def recorder(given: str | None) -> str:
    """``--recorded-by``, else ``LEDGER_RECORDER``, else the operating-system user.

    The name is one line of text (at most 200 characters), checked by the schema.
    """
    if given:
        return _checked_recorder(given, "--recorded-by")
    if os.environ.get("LEDGER_RECORDER"):
        return _checked_recorder(os.environ["LEDGER_RECORDER"], "LEDGER_RECORDER")
    try:
        return _checked_recorder(getpass.getuser(), "the OS user name")
    except (KeyError, OSError):
        return f"uid-{os.getuid()}"


def _checked_recorder(name: str, source: str) -> str:
    try:
        return load_with(RecorderInput, {"recorded_by": name})["recorded_by"]
    except InputError as error:
        raise InputError(f"recorded_by ({source})", error.message) from None


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


def json_text(data: Any) -> str:
    """JSON for output: exact, with every control character escaped."""
    return json_safe(json.dumps(data, ensure_ascii=False, indent=2))


def emit(data: Any, schema: type, as_json: bool, table: Any) -> None:
    """JSON through the output schema, or a table for people."""
    if as_json:
        click.echo(json_text(schema().dump(data)))
    else:
        table(data)
