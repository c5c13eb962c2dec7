"""Find a text in a seed, so contributors never count characters by hand."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


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


def nearest_match(seed: str, text: str) -> Match | None:
    """The stretch of the seed most similar to `text` (e.g. straight instead of curly quotes)."""
    if not text or not seed:
        return None
    best: Match | None = None
    width = len(text)
    for start in range(max(1, len(seed) - width + 1)):
        for end in {start + width - 1, start + width, start + width + 1}:
            window = seed[start : min(end, len(seed))]
            matcher = difflib.SequenceMatcher(None, window, text, autojunk=False)
            if best is not None and matcher.real_quick_ratio() <= best.similarity:
                continue
            if best is not None and matcher.quick_ratio() <= best.similarity:
                continue
            similarity = matcher.ratio()
            if best is None or similarity > best.similarity:
                best = Match(start, start + len(window), window, similarity)
    return best


def locate(seed: str, text: str) -> tuple[list[Match], Match | None]:
    """All exact occurrences of `text`; when there are none, the nearest near-match instead."""
    matches = exact_matches(seed, text)
    return matches, (None if matches else nearest_match(seed, text))
