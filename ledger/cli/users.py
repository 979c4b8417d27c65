"""``ledger users``: the accounts that may use ``ledger serve``, for the operator.

Every change is an event in the ledger, recorded by the operator's recorder name.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from ledger.application.accounts import Accounts, Issued
from ledger.cli import render
from ledger.cli.common import (
    db_option,
    json_option,
    open_ledger,
    recorder,
    recorder_option,
)
from ledger.domain.accounts import ROLES
from ledger.schemas.accounts import (
    AccountInput,
    AccountOutput,
    RevokedOutput,
    RoleInput,
    TokenOutput,
)
from ledger.schemas.lines import load_with

role_choice = click.Choice(ROLES)


@click.group("users", invoke_without_command=True)
@db_option
@json_option
@click.pass_context
def users(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """List the accounts of the server; add them, issue and revoke their tokens."""
    if ctx.invoked_subcommand is not None:
        return
    with open_ledger(db) as ledger:
        found = Accounts(ledger).list()
    if as_json:
        _print_json(AccountOutput(many=True).dump(found))
        return
    if not found:
        click.echo("no accounts yet; add one with `ledger users add NAME --role ROLE`")
        return
    table = Table("name", "role", "live tokens", "added", "by", box=None)
    for a in found:
        added = f"{a['added_at']:%Y-%m-%d %H:%M}Z (seq {a['added_seq']})"
        tokens = ", ".join(a["tokens"]) or "(none)"
        cells = (a["name"], a["role"], tokens, added, a["added_by"])
        table.add_row(*(Text(cell) for cell in cells))
    render.console.print(table)


@users.command("add")
@click.argument("name")
@click.option("--role", type=role_choice, required=True, help="What it may do.")
@db_option
@recorder_option
@json_option
def add_command(name, role, db, recorded_by, as_json) -> None:  # type: ignore[no-untyped-def]
    """Add an account NAME with a role, and print its first token (once)."""
    data = load_with(AccountInput, {"name": name, "role": role})
    with open_ledger(_db(db)) as ledger:
        issued = Accounts(ledger).add(data["name"], data["role"], recorder(recorded_by))
    _show_token(issued, as_json, "added")


@users.command("token")
@click.argument("name")
@db_option
@recorder_option
@json_option
def token_command(name, db, recorded_by, as_json) -> None:  # type: ignore[no-untyped-def]
    """Issue another token for NAME; earlier ones keep working until revoked."""
    with open_ledger(_db(db)) as ledger:
        issued = Accounts(ledger).issue(name, recorder(recorded_by))
    _show_token(issued, as_json, "issued a token for")


@users.command("revoke")
@click.argument("name")
@db_option
@recorder_option
@json_option
def revoke_command(name, db, recorded_by, as_json) -> None:  # type: ignore[no-untyped-def]
    """Revoke every token of NAME at once (the account stays, with its history)."""
    with open_ledger(_db(db)) as ledger:
        accounts = Accounts(ledger)
        revoked = accounts.revoke(name, recorder(recorded_by))
        shown = accounts.get(name)["name"]
    if as_json:
        _print_json(RevokedOutput().dump({"name": shown, "revoked": revoked}))
    elif revoked:
        plural = "token" if len(revoked) == 1 else "tokens"
        click.echo(f"revoked {len(revoked)} {plural} of {shown}: {', '.join(revoked)}")
    else:
        click.echo(f"{shown} has no live tokens; nothing recorded")


@users.command("role")
@click.argument("name")
@click.argument("role", type=role_choice)
@db_option
@recorder_option
@json_option
def role_command(name, role, db, recorded_by, as_json) -> None:  # type: ignore[no-untyped-def]
    """Give NAME another ROLE; its tokens keep working with the new role."""
    data = load_with(RoleInput, {"role": role})
    with open_ledger(_db(db)) as ledger:
        accounts = Accounts(ledger)
        previous = accounts.set_role(name, data["role"], recorder(recorded_by))
        account = accounts.get(name)
    if as_json:
        _print_json(AccountOutput().dump(account))
    else:
        click.echo(f"{account['name']}: role {previous} -> {account['role']}")


def _db(db: str | None) -> str | None:
    """The subcommand's --db, else the one given to `ledger users`."""
    parent = click.get_current_context().parent
    return db or (parent.params.get("db") if parent else None)


def _show_token(issued: Issued, as_json: bool, verb: str) -> None:
    if as_json:
        _print_json(TokenOutput().dump(issued.__dict__))
        return
    click.echo(f"{verb} {issued.name} ({issued.role}); token id {issued.token_id}")
    click.echo("the token is shown this once; the ledger keeps only its hash:")
    click.echo(issued.token)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
