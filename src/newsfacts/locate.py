"""Find a text in a seed, so contributors never count characters by hand."""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .limits import Limits
from .problems import Problem, problem
from .tables import decode_text, open_regular, read_at_most


@dataclass(frozen=True)
class Match:
    char_start: int
    char_end: int
    text: str
    similarity: float  # 1.0 for an exact match

    def line_and_column(self, seed: str) -> tuple[int, int]:
        line = seed.count("\n", 0, self.char_start) + 1
        column = self.char_start - (seed.rfind("\n", 0, self.char_start) + 1) + 1
        return line, column


def exact_matches(seed: str, text: str) -> list[Match]:
    """Every occurrence of `text`, overlapping ones included, as code-point offsets."""
    matches = []
    start = seed.find(text)
    while start >= 0 and text:
        matches.append(Match(start, start + len(text), text, 1.0))
        start = seed.find(text, start + 1)
    return matches


def word_character(character: str) -> bool:
    """A letter, a digit or `_`: what a word is made of (`\\w`)."""
    return character.isalnum() or character == "_"


def whole_word(seed: str, start: int, end: int) -> bool:
    """Whether `seed[start:end]` is no part of a longer word: "Iran" in "Iran’s", not in "Iranian".
    Only a span that starts (ends) with a word character needs a non-word character before (after) it,
    so "U.S." is whole before "-led" and "Fath" before "-360"."""
    before, first = seed[start - 1 : start] if start else "", seed[start : start + 1]
    last, after = seed[end - 1 : end], seed[end : end + 1]
    return not (word_character(first) and before and word_character(before)) and not (
        word_character(last) and after and word_character(after)
    )


def word_matches(seed: str, text: str) -> list[Match]:
    """Every occurrence of `text` that is not part of a longer word."""
    return [match for match in exact_matches(seed, text) if whole_word(seed, match.char_start, match.char_end)]


# Characters typed for one another: curly and straight quotes, dashes and hyphens, kinds of space.
LOOKALIKES = str.maketrans(
    {
        # single quotation marks (left, right, low, reversed), prime, grave and acute accents
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
        # double quotation marks (left, right, low, reversed), double prime, guillemets
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        # the hyphen, non-breaking hyphen, figure dash, en and em dashes, horizontal bar, minus sign
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        # no-break, en, em, figure, thin, hair and narrow no-break spaces
        **dict.fromkeys("\u00a0\u2002\u2003\u2007\u2009\u200a\u202f", " "),
    }
)
# Bounds on the search for a near-match, so that its work grows linearly with the seed and the text.
EVERY_START = 100_000  # up to this len(seed) * len(text), every start is tried (a fraction of a second)
MAX_SHIFTS = 4  # otherwise, the starts of this many likeliest alignments, then the best one's neighbours
MAX_GRAM_OCCURRENCES = 50  # an n-gram found more often in the seed says nothing about where the text is
PIECE = 500  # difflib compares longer strings piece by piece: its work grows with the square of the length


def fold(text: str) -> str:
    """`text` with lookalike characters made one, accents dropped and letters in lower case.

    One character is folded into exactly one, so an offset in the folded text is one in `text`.
    """
    return "".join(unicodedata.normalize("NFD", char.lower())[0] for char in text.translate(LOOKALIKES))


def likely_starts(seed: str, text: str) -> list[int]:
    """Where the nearest match of `text` in `seed` (both folded) likely starts: where the text
    occurs once folded, or else the shifts between text and seed on which most of the text's
    n-grams agree (shorter n-grams are tried while none agree)."""
    occurrences = [match.char_start for match in exact_matches(seed, text)]
    if occurrences:
        return occurrences[:MAX_SHIFTS]
    gram = min(8, max(1, len(text) // 4))
    while gram:
        positions: dict[str, list[int]] = {}
        for start in range(len(seed) - gram + 1):
            positions.setdefault(seed[start : start + gram], []).append(start)
        votes: Counter[int] = Counter()
        for offset in range(len(text) - gram + 1):
            found = positions.get(text[offset : offset + gram], [])
            if len(found) <= MAX_GRAM_OCCURRENCES:
                votes.update(max(0, start - offset) for start in found)
        if votes:
            return sorted(start for start, _ in votes.most_common(MAX_SHIFTS))
        gram //= 2
    return []


def similarity(window: str, text: str) -> float:
    """difflib's ratio of the two strings, summing its matches over aligned pieces of PIECE characters."""
    matched = sum(
        block.size
        for offset in range(0, max(len(window), len(text)), PIECE)
        for block in difflib.SequenceMatcher(
            None, window[offset : offset + PIECE], text[offset : offset + PIECE], autojunk=False
        ).get_matching_blocks()
    )
    return 2 * matched / (len(window) + len(text))


def most_similar(seed: str, text: str, starts: Iterable[int], widths: Iterable[int] = (-1, 0, 1)) -> Match | None:
    """The first most similar window of the seed among those at `starts`, one character shorter, as
    long as, or one longer than `text` (the `widths`)."""
    best: Match | None = None
    for start in starts:
        for width in widths:
            window = seed[start : start + len(text) + width]
            matcher = difflib.SequenceMatcher(None, window, text, autojunk=False)
            # Upper bounds of the similarity, far cheaper to compute: skip windows that cannot win.
            if best is not None and matcher.real_quick_ratio() <= best.similarity:
                continue
            if best is not None and matcher.quick_ratio() <= best.similarity:
                continue
            score = similarity(window, text)
            if best is None or score > best.similarity:
                best = Match(start, start + len(window), window, score)
    return best


def nearest_match(seed: str, text: str) -> Match | None:
    """The stretch of the seed most similar to `text` (e.g. straight instead of curly quotes).

    Every start is tried when that is little work. Otherwise the likely starts are tried at the
    text's width, then the best one's neighbours at every width. None when `text` is longer than
    the seed (it cannot occur), or shares nothing with it.
    """
    if not text or len(text) > len(seed):
        return None
    if len(seed) * len(text) <= EVERY_START:
        return most_similar(seed, text, range(len(seed) - len(text) + 1))
    rough = most_similar(seed, text, likely_starts(fold(seed), fold(text)), widths=(0,))
    if rough is None:
        return None
    return most_similar(seed, text, range(max(0, rough.char_start - 1), rough.char_start + 2))


def locate(seed: str, text: str) -> tuple[list[Match], Match | None]:
    """All exact occurrences of `text`; when there are none, the nearest near-match instead."""
    matches = exact_matches(seed, text)
    return matches, (None if matches else nearest_match(seed, text))


def read_seed(path: Path) -> tuple[str | None, list[Problem]]:
    """A seed's text, read as `validate` reads seeds: a regular file within the size limit, UTF-8."""
    limit = Limits().max_file_bytes
    try:
        with open_regular(path) as handle:
            raw = read_at_most(handle, limit)
    except OSError as error:
        return None, [problem("file-missing", path, detail=str(error))]
    if len(raw) > limit:
        return None, [problem("file-too-large", path, size=len(raw), limit=limit)]
    return decode_text(raw, path)
