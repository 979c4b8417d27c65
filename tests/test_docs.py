"""docs/cli.md documents every command of `ledger --help`, and every option of each."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CLI_MD = (ROOT / "docs" / "cli.md").read_text()


@cache
def _help(*words: str) -> str:
    result = CliRunner().invoke(main, [*words, "--help"], prog_name="ledger")
    assert result.exit_code == 0, result.output
    return result.output


def _commands(help_text: str) -> list[str]:
    """The names listed under `Commands:` in a click help text."""
    if "Commands:" not in help_text:
        return []
    block = help_text.split("Commands:", 1)[1]
    return re.findall(r"^  ([a-z][a-z-]*)\b", block, re.M)


def _options(help_text: str) -> set[str]:
    block = help_text.split("Options:", 1)[1].split("Commands:", 1)[0]
    return set(re.findall(r"(?:^  |, )(--[a-z][a-z-]*)", block, re.M)) - {"--help"}


def _section(command: str) -> str:
    """The text of docs/cli.md under the heading `ledger COMMAND`."""
    match = re.search(
        rf"^### `ledger {re.escape(command)}`\n(.*?)(?=^##)", CLI_MD, re.M | re.S
    )
    assert match, f"docs/cli.md has no section ### `ledger {command}`"
    return match.group(1)


def _all_commands() -> list[tuple[str, ...]]:
    found = []
    for name in _commands(_help()):
        found.append((name,))
        found.extend((name, sub) for sub in _commands(_help(name)))
    return found


def test_the_help_lists_the_commands_this_test_reads():
    names = _commands(_help())
    assert {"init", "import", "state", "verify", "users", "serve", "key"} <= set(names)


@pytest.mark.parametrize("words", _all_commands(), ids=" ".join)
def test_cli_md_documents_every_command_and_option(words):
    name = " ".join(words)
    is_group = bool(_commands(_help(*words)))
    if f"### `ledger {name}`" in CLI_MD:
        section = _section(name)
    elif len(words) == 2:
        # A subcommand without its own section is documented in its group's.
        section = _section(words[0])
        assert f"ledger {name}" in section, (
            f"docs/cli.md does not document ledger {name}"
        )
    else:
        # Only a group whose every subcommand has its own section may have none.
        assert is_group, f"docs/cli.md has no section ### `ledger {name}`"
        for sub in _commands(_help(*words)):
            assert f"### `ledger {name} {sub}`" in CLI_MD, f"ledger {name} {sub}"
        return
    missing = sorted(opt for opt in _options(_help(*words)) if f"`{opt}" not in section)
    assert not missing, f"docs/cli.md, ledger {name}: options not documented: {missing}"
