"""Errors that reach the user as a one-paragraph message and exit code 2."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class InputError(Exception):
    """Bad input: a file, a key in it, what was expected, and what was found.

    The command line prints :meth:`message` and exits with code 2, without a traceback.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        key: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.key = key
        self.expected = expected
        self.hint = hint
        super().__init__(self.message())

    def message(self) -> str:
        """The one-paragraph message shown to the user."""
        where = []
        if self.file:
            where.append(str(self.file))
        if self.key:
            where.append(f"key '{self.key}'")
        text = ": ".join([", ".join(where), self.problem]) if where else self.problem
        if self.expected:
            text += f"; expected {self.expected}"
        if self.hint:
            text += f". {self.hint}"
        return text


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most similar to ``name``, or None when nothing is close."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A ``did you mean`` hint for an unknown name, or None."""
    match = closest(name, candidates)
    return f"Did you mean '{match}'?" if match else None


def refuse_links(paths: Iterable[object], key: str | None, expected: str) -> None:
    """Refuse a symbolic link where rift writes, so nothing is written out of an output tree.

    Args:
        paths: The folders and files rift is about to write into or through.
        key: The flag that named them (``--out``), if any.
        expected: What should be there instead.

    Raises:
        InputError: naming the first path that is a symbolic link.
    """
    import os

    for path in paths:
        if os.path.islink(os.fspath(path)):  # type: ignore[arg-type]
            raise InputError("is a symbolic link", file=str(path), key=key, expected=expected)
