"""What a claim's standalone wording must keep of the essay's words it covers."""

from __future__ import annotations

import re

from factcheck.claims.lexicon import words

# The words a repair may replace or drop: pronouns (given their names), relative
# pronouns (given their antecedents), and the joining words of a cut ("when",
# "just hours before", "and", "the other").
REPLACEABLE = words(
    """he she it they him his her its their them which who whose when while just only
    hours minutes days before after and but the other others that"""
)
_WORD = re.compile(r"[\w-]+(?:['’][\w]+)*")
_ENDING = re.compile(r"['’](?:s|re|ve|ll|d)$")


def content_words(text: str) -> set[str]:
    words = (_ENDING.sub("", word.lower()) for word in _WORD.findall(text))
    return {word for word in words if word not in REPLACEABLE}


def keeps_the_span(wording: str, span: str) -> bool:
    """Does the wording keep every word of ``span`` a repair does not replace?"""
    return content_words(span) <= content_words(wording)
