"""Inputs that make careless text code slow: one make(n) per case, about n characters.

The tests count the work each takes as it grows (tests/work.py); bench/growth.py
times them.
"""

from __future__ import annotations

from collections.abc import Callable

# For the sentence splitter: runs of what it splits on, or of what stops a split.
ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "dots": lambda n: "." * n,
    "spaced dots": lambda n: ". " * (n // 2),
    "one long sentence": lambda n: "word " * (n // 5),
    "one long word": lambda n: "a" * n,
    "dotted word": lambda n: "a." * (n // 2),
    "initials": lambda n: "A. " * (n // 3),
    "glued": lambda n: "Ab.Cd" * (n // 5),
    "newlines": lambda n: "\n" * n,
    "short lines": lambda n: "x\n" * (n // 2),
    "quotes": lambda n: '"' * n,
    "apostrophes": lambda n: "'a " * (n // 3),
    "open brackets": lambda n: "(" * (n // 2) + ")" * (n // 2),
    "bullets": lambda n: "• " * (n // 2),
    "enumerators": lambda n: "1. 2. 3. " * (n // 9),
    "headings": lambda n: "# \n" * (n // 3),
    "spaces then dots": lambda n: " " * (n // 2) + ". a" * (n // 6),
    "mixed": lambda n: (
        'Dr. J. R. R. Tolkien met the U.S. Army at 5 p.m. on Sept. 3. "Stop!" he said. ' * (n // 80)
    ),
}

# For claim extraction: prose, and runs of what its recognisers look for.
GROWING: dict[str, Callable[[int], str]] = {
    "prose": lambda n: (
        "On Thursday, more than 200 people in Sadr City died; he's now Iraq's minister. "
        * (n // 80)
    ),
    "long sentence": lambda n: (
        "The army said more than 200 people died on Thursday, and " * (n // 57)
    ),
    "capitalised run": lambda n: "Ministry of " * (n // 12),
    "weekdays": lambda n: "On Thursday " * (n // 12),
    "years": lambda n: "2006 " * (n // 5),
    "open quotes": lambda n: "“" * n,
}
