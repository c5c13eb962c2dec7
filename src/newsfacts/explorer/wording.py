"""How outlets worded one statement: each quote's words against the fullest wording, word by word."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

# A word, or another character (punctuation, a quotation mark), each with the blanks after it: half as
# many tokens to match as with the blanks apart, and a change of spacing shows with its word.
_TOKEN = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
# The most tokens a wording may have to be compared with another.
COMPARED_TOKENS = 2000

Change = Literal["same", "omitted", "added"]


@dataclass(frozen=True)
class Piece:
    change: Change  # `omitted`: in the fullest wording, not in this one; `added`: in this one only
    text: str


def fullest(quotes: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The quote with the longest text (in code points), the first by quote_id among equals."""
    return min(quotes, key=lambda quote: (-len(quote["text"]), quote["quote_id"]))


def compared(reference: str, wording: str) -> list[Piece] | None:
    """`wording` against `reference`, token by token: what it keeps, what it leaves out and what it adds; None
    where either has more than COMPARED_TOKENS tokens.

    difflib's time grows with the cube of a text's length where its words repeat (`a b c a b c …`): a pair of
    20,000-character quotes took hours. Its `autojunk` leaves out the tokens of more than 1% of a wording of
    200 tokens or more (a quote is seldom so long), which bounds it to a fraction of a second a pair here.
    """
    if wording == reference:
        return [Piece("same", wording)]
    before, after = _TOKEN.findall(reference), _TOKEN.findall(wording)
    if max(len(before), len(after)) > COMPARED_TOKENS:
        return None
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=True)
    for operation, left, right, low, high in matcher.get_opcodes():
        if operation == "equal":
            pieces.append(Piece("same", "".join(after[low:high])))
            continue
        if operation in ("delete", "replace"):
            pieces.append(Piece("omitted", "".join(before[left:right])))
        if operation in ("insert", "replace"):
            pieces.append(Piece("added", "".join(after[low:high])))
    return pieces
