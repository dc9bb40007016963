"""Count the work code does, so tests check how it grows instead of timing it.

A timing ratio fails on a busy machine; a count of steps does not. Two counts
together stand for the work: the lines of Python run in the watched modules,
and the characters their compiled regular expressions looked at.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType, ModuleType
from typing import Any


@dataclass
class Work:
    lines: int = 0  # lines of Python run in the watched modules
    characters: int = 0  # characters handed to their regular expressions, as scanned

    @property
    def total(self) -> int:
        return self.lines + self.characters


@contextmanager
def counting_work(modules: list[ModuleType]) -> Iterator[Work]:
    """Count the work done in ``modules`` inside the block."""
    work = Work()
    patterns = [
        (module, name, value)
        for module in modules
        for name, value in vars(module).items()
        if isinstance(value, re.Pattern)
    ]
    for module, name, pattern in patterns:
        setattr(module, name, CountingPattern(pattern, work))
    previous = sys.gettrace()
    sys.settrace(_line_counter({module.__file__ for module in modules}, work))
    try:
        yield work
    finally:
        sys.settrace(previous)
        for module, name, pattern in patterns:
            setattr(module, name, pattern)


def _line_counter(files: set[str | None], work: Work) -> Callable[..., Any]:
    def count_line(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        if event == "line":
            work.lines += 1
        return count_line

    def on_call(frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        # Only frames of the watched modules get a line counter.
        return count_line if frame.f_code.co_filename in files else None

    return on_call


class CountingPattern:
    """A compiled pattern that adds to ``work`` the characters each call scanned."""

    def __init__(self, pattern: re.Pattern[str], work: Work) -> None:
        self._pattern = pattern
        self._work = work

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pattern, name)

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Any:
        found = self._pattern.search(string, pos, endpos)
        self._scanned(pos, found.end() if found else min(endpos, len(string)))
        return found

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Any:
        found = self._pattern.match(string, pos, endpos)
        self._scanned(pos, found.end() if found else pos + 1)
        return found

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Any:
        self._scanned(pos, min(endpos, len(string)))
        return self._pattern.fullmatch(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Any:
        self._scanned(pos, min(endpos, len(string)))
        return self._pattern.finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Any:
        self._scanned(pos, min(endpos, len(string)))
        return self._pattern.findall(string, pos, endpos)

    def sub(self, repl: Any, string: str, count: int = 0) -> Any:
        self._scanned(0, len(string))
        return self._pattern.sub(repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> Any:
        self._scanned(0, len(string))
        return self._pattern.split(string, maxsplit)

    def _scanned(self, start: int, end: int) -> None:
        self._work.characters += max(end - start, 1)


def growth(
    modules: list[ModuleType], run: Callable[[str], object], make: Callable[[int], str], size: int
) -> float:
    """How many times the work in ``modules`` grows when ``run`` gets ten times the input.

    Linear code gives about 10 (a little less, for the fixed costs); quadratic
    code gives about 100.
    """
    counts = []
    for length in (size, 10 * size):
        text = make(length)
        with counting_work(modules) as work:
            run(text)
        counts.append(work.total)
    return counts[1] / counts[0]


class CountedText(str):
    """Text that adds to ``work.characters`` what the str methods called on it read:
    ``count`` and ``endswith`` read it all, an index one character, a slice what it
    copies (and hands back counted text). For work done inside str methods, which no
    line count sees."""

    work: Work

    def __new__(cls, value: str, work: Work) -> CountedText:
        text = super().__new__(cls, value)
        text.work = work
        return text

    def count(self, *args: Any) -> int:
        self.work.characters += len(self)
        return super().count(*args)

    def endswith(self, *args: Any) -> bool:
        self.work.characters += len(self)
        return super().endswith(*args)

    def __getitem__(self, key: Any) -> CountedText:
        part = super().__getitem__(key)
        self.work.characters += max(len(part), 1)
        return CountedText(part, self.work)
