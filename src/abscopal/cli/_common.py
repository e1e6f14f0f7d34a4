"""Shared CLI plumbing: one place that turns domain errors into exit code 2 and a message."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from abscopal.errors import AbscopalError

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)

EXIT_USAGE = 2


def fail(message: str) -> typer.Exit:
    """Print ``message`` to stderr and return the Exit to raise (code 2)."""
    # Escape: messages quote user input, which must never be read as console markup.
    err_console.print(
        f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True, soft_wrap=True
    )
    return typer.Exit(EXIT_USAGE)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator: domain errors and bad files exit 2 with a message, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except AbscopalError as exc:
            raise fail(str(exc)) from None
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            raise fail(f"{exc.filename}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise fail(f"input is not UTF-8 text ({exc.reason})") from None

    return wrapper


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to stdout (dates and other objects as strings)."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def read_text(path: str) -> str:
    """Read a UTF-8 file given on the command line ('-' is stdin)."""
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as fh:
        return fh.read()
