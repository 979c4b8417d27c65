"""Account schemas: what `ledger users` and `/api/users` take and give, once."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from ledger.domain.accounts import ROLES
from ledger.schemas.outputs import OutputSchema

# A name becomes the `recorded_by` of every write: one line of ASCII letters,
# digits and a little punctuation, so that it prints as it is wherever it is shown
# and no two names look alike (no Cyrillic "а" passing for a Latin "a").
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$"
_NAME_MESSAGE = (
    "an account name is 1 to 100 ASCII letters, digits, '.', '_', '@' or '-', "
    "starting with a letter or digit"
)


def _whole_name(value: str) -> None:
    # "$" also matches before a final newline; the pattern (documented in the
    # OpenAPI document, where "\Z" is not portable) must hold for the whole value.
    if re.fullmatch(NAME_PATTERN[1:-1], value) is None:
        raise ValidationError(_NAME_MESSAGE)


def AccountName(**kwargs) -> fields.String:  # type: ignore[no-untyped-def]  # noqa: N802
    """An account's name (case-insensitive as a key, shown as given)."""
    return fields.String(
        validate=_whole_name, metadata={"pattern": NAME_PATTERN}, **kwargs
    )


def Role(**kwargs) -> fields.String:  # type: ignore[no-untyped-def]  # noqa: N802
    """reader, recorder or admin."""
    return fields.String(validate=validate.OneOf(ROLES), **kwargs)


class AccountInput(Schema):
    """A new account: its name and role."""

    name = AccountName(required=True)
    role = Role(required=True)


class RoleInput(Schema):
    """Another role for an account."""

    role = Role(required=True)


class AccountOutput(OutputSchema):
    """An account: its role, live token ids, and when and by whom it was added."""

    name = fields.String(required=True)
    role = fields.String(required=True)
    tokens = fields.List(fields.String(), required=True)
    added_seq = fields.Integer(required=True)
    added_at = fields.AwareDateTime(required=True)
    added_by = fields.String(required=True)


class TokenOutput(OutputSchema):
    """A token just issued. It is shown this once; the ledger keeps only its hash."""

    name = fields.String(required=True)
    role = fields.String(required=True)
    token = fields.String(required=True)
    token_id = fields.String(required=True)


class RevokedOutput(OutputSchema):
    """The tokens a revocation ended (none if the account had none)."""

    name = fields.String(required=True)
    revoked = fields.List(fields.String(), required=True)


class MeOutput(OutputSchema):
    """The account a request's token belongs to."""

    name = fields.String(required=True)
    role = fields.String(required=True)
    token_id = fields.String(required=True)
