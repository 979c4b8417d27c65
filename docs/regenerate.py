"""Regenerate the transcripts of the docs from real runs.

    .venv/bin/python docs/regenerate.py [FILE.md ...]      (default: every page below)

A transcript is a ```text block whose first line starts with `$ `. Each page is run
from top to bottom, in a fresh temporary directory holding a copy of
examples/libya-drone.jsonl, with the `ledger` of this checkout's virtualenv first
on PATH. Every `$ ` line is run by bash (its output, standard output and error
merged, replaces the lines below it), so the transcripts follow from the page's
own order of commands. Shell state (the working directory, variables and
exports) carries from one command to the next.

A line that holds only `…` in a block stands for output left out; the regenerated
block keeps the same parts (each kept run of lines is placed where it matches the
new output best) and leaves the rest out again. Review the diff.

Directives, HTML comments that the rendered page does not show:

    <!-- transcript: session -->        start over in a new empty directory
    <!-- transcript: run COMMAND -->    run COMMAND there without showing it
                                        ($LAST_OUTPUT names a file holding the
                                        output of the previous shown command)
    <!-- transcript: postgres PORT -->  start a throwaway PostgreSQL 15 cluster on
                                        127.0.0.1:PORT (.ci/postgres.sh); its URL
                                        is in $PGURL; it stops at the end of the
                                        session or at `postgres-stop`
    <!-- transcript: postgres-stop -->
    <!-- transcript: skip -->           leave the next block as it is
    <!-- transcript: file NAME -->      write the next block, as it is, to the file
                                        NAME of the working directory
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "README.md",
    "docs/cli.md",
    "docs/integrity.md",
    "docs/operations.md",
    "docs/import-format.md",
]
ELLIPSIS = "…"
DIRECTIVE = re.compile(r"^<!-- transcript: (\S+)(?: (.*?))? -->$")
HEREDOC = re.compile(r"<<-?'?(\w+)'?")
TIMEOUT = 300
BASH_OWN = (
    "BASH[A-Z_]*|COMP_[A-Z]*|COLUMNS|LINES|DIRSTACK|EPOCH[A-Z]*|FUNCNAME|GROUPS|HISTCMD|"
    "HOSTNAME|HOSTTYPE|IFS|LINENO|MACHTYPE|OPTERR|OPTIND|OSTYPE|PIPESTATUS|PPID|PS[0-9]|"
    "RANDOM|SECONDS|SHELLOPTS|SRANDOM|PWD|OLDPWD|SHLVL|_|__rc"
)


class Session:
    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="ledger-docs-"))
        self.state = self.base / "state"
        self.state.mkdir()
        self.cwd = self.base / "work"
        self.cwd.mkdir()
        shutil.copy(ROOT / "examples" / "libya-drone.jsonl", self.cwd)
        self.env_file = self.state / "env.sh"
        self.last = self.state / "last-output"
        self.last.write_text("")
        bindir = Path(sys.executable).parent
        env = {
            "PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.base),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
            "TERM": "dumb",
            "USER": "docs",
            "LOGNAME": "docs",
            "LAST_OUTPUT": str(self.last),
        }
        self.env_file.write_text(
            "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
        )
        self.pg_dir: Path | None = None

    def run(self, command: str) -> str:
        script = (
            f"source {shlex.quote(str(self.env_file))}\n"
            f"cd {shlex.quote(str(self.cwd))}\n"
            f"{command}\n"
            f"__rc=$?\n"
            # Every variable the commands set (exported or not), but not bash's own.
            "declare -p | grep -v -E '^declare -[a-zA-Z]*r|^declare -[-a-zA-Z]* "
            f"({BASH_OWN})=' > {shlex.quote(str(self.env_file))}.new\n"
            f"pwd > {shlex.quote(str(self.state / 'cwd'))}\n"
            f"exit $__rc\n"
        )
        done = subprocess.run(
            ["bash", "-c", script],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin"},
            timeout=TIMEOUT,
        )
        new_env = Path(f"{self.env_file}.new")
        if new_env.exists():
            new_env.replace(self.env_file)
        cwd_file = self.state / "cwd"
        if cwd_file.exists():
            self.cwd = Path(cwd_file.read_text().strip())
        output = done.stdout.decode("utf-8", "replace")
        self.last.write_text(output)
        return output

    def postgres(self, port: str) -> None:
        # Not under self.base: run as root, the cluster runs as another user.
        self.pg_dir = Path(tempfile.mkdtemp(prefix="ledger-docs-pg-"))
        url = subprocess.run(
            [
                "bash",
                str(ROOT / ".ci" / "postgres.sh"),
                "start",
                str(self.pg_dir),
                port,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        self.run(f"export PGURL={shlex.quote(url)}")

    def postgres_stop(self) -> None:
        if self.pg_dir is not None:
            subprocess.run(
                ["bash", str(ROOT / ".ci" / "postgres.sh"), "stop", str(self.pg_dir)],
                check=False,
            )
            self.pg_dir = None

    def close(self) -> None:
        self.postgres_stop()
        shutil.rmtree(self.base, ignore_errors=True)


def trim(old: list[str], new: list[str]) -> list[str]:
    """Leave out of `new` what the `…` lines of `old` left out."""
    if ELLIPSIS not in old:
        return new
    segments: list[list[str]] = [[]]
    for line in old:
        if line == ELLIPSIS:
            segments.append([])
        else:
            segments[-1].append(line)
    result: list[str] = []
    cursor = 0
    for seg in segments:
        if not seg:
            continue
        best, best_score = cursor, -1.0
        for start in range(cursor, max(cursor, len(new) - len(seg)) + 1):
            window = new[start : start + len(seg)]
            score = sum(
                1.0 if a == b else (0.5 if a[:12] == b[:12] else 0.0)
                for a, b in zip(seg, window, strict=False)
            )
            if score > best_score:
                best, best_score = start, score
        if best > cursor or (not result and old[0] == ELLIPSIS and best > 0):
            result.append(ELLIPSIS)
        result.extend(new[best : best + len(seg)])
        cursor = best + len(seg)
    if cursor < len(new):
        result.append(ELLIPSIS)
    return result


def split_block(body: list[str]) -> list[tuple[list[str], list[str]]]:
    """[(command lines, old output lines)] of one transcript block."""
    steps: list[tuple[list[str], list[str]]] = []
    i = 0
    while i < len(body):
        line = body[i]
        if not line.startswith("$ "):
            steps[-1][1].append(line)
            i += 1
            continue
        command = [line]
        i += 1
        heredoc = HEREDOC.search(line)
        if heredoc:
            while i < len(body):
                command.append(body[i])
                i += 1
                if command[-1] == heredoc.group(1):
                    break
        else:
            while command[-1].endswith("\\") and i < len(body):
                command.append(body[i])
                i += 1
        steps.append((command, []))
    return steps


def regenerate(path: Path) -> None:
    lines = path.read_text().splitlines()
    out: list[str] = []
    session = Session()
    skip_next = False
    write_next = ""
    i = 0
    try:
        while i < len(lines):
            line = lines[i]
            directive = DIRECTIVE.match(line)
            if directive:
                name, arg = directive.group(1), directive.group(2) or ""
                if name == "session":
                    session.close()
                    session = Session()
                elif name == "run":
                    session.run(arg)
                elif name == "postgres":
                    session.postgres(arg)
                elif name == "postgres-stop":
                    session.postgres_stop()
                elif name == "skip":
                    skip_next = True
                elif name == "file":
                    write_next = arg
                else:
                    raise SystemExit(f"{path}:{i + 1}: unknown directive {name}")
                out.append(line)
                i += 1
                continue
            if not line.startswith("```"):
                out.append(line)
                i += 1
                continue
            end = i + 1
            while not lines[end].startswith("```"):
                end += 1
            body = lines[i + 1 : end]
            if write_next:
                (session.cwd / write_next).write_text("\n".join(body) + "\n")
                write_next = ""
            if (
                line == "```text"
                and body
                and body[0].startswith("$ ")
                and not skip_next
            ):
                out.append(line)
                for command, old in split_block(body):
                    text = "\n".join(command)[2:]
                    output = session.run(text).rstrip("\n")
                    new = output.split("\n") if output else []
                    out.extend(command)
                    out.extend(trim(old, new))
            else:
                out.append(line)
                out.extend(body)
            skip_next = False
            out.append(lines[end])
            i = end + 1
    finally:
        session.close()
    path.write_text("\n".join(out) + "\n")


def main(argv: list[str]) -> None:
    pages = argv or PAGES
    for page in pages:
        print(f"regenerating {page}", file=sys.stderr)
        regenerate(ROOT / page if not Path(page).is_absolute() else Path(page))


if __name__ == "__main__":
    main(sys.argv[1:])
