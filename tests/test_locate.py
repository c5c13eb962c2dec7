from __future__ import annotations

import pytest

from newsfacts.cli import main
from newsfacts.locate import EVERY_START, locate, whole_word

from .conftest import ROOT

SEED = "He said “yes”. She said “yes” too.\nThe café — open."


@pytest.mark.parametrize(
    ("text", "offsets"),
    [
        ("“yes”", [(8, 13), (24, 29)]),
        ("café — open", [(39, 50)]),
        ("aa", []),
    ],
)
def test_exact_matches_are_code_point_offsets(text: str, offsets: list[tuple[int, int]]) -> None:
    matches, _ = locate(SEED, text)
    assert [(m.char_start, m.char_end) for m in matches] == offsets
    assert all(SEED[m.char_start : m.char_end] == text for m in matches)


def test_overlapping_occurrences_are_all_found() -> None:
    matches, _ = locate("aaa", "aa")
    assert [(m.char_start, m.char_end) for m in matches] == [(0, 2), (1, 3)]


def test_missing_text_gives_the_nearest_near_match() -> None:
    matches, nearest = locate(SEED, "The cafe - open")
    assert matches == []
    assert nearest is not None
    assert nearest.text == "The café — open"
    assert (nearest.char_start, nearest.char_end) == (35, 50)


SEED_000 = (ROOT / "datapackage" / "seeds" / "000_53d6e1ec156d72d5.txt").read_text(encoding="utf-8")


def typed(start: int, end: int) -> str:
    """What a contributor might type for SEED_000[start:end]: straight quotes, hyphens, no accents."""
    return SEED_000[start:end].translate(str.maketrans("\u2019\u2018\u201c\u201d\u2014\u00e9", "''\"\"-e"))


# Long enough that not every start is tried (EVERY_START), and each with a lookalike typed.
@pytest.mark.parametrize(("start", "end"), [(150, 450), (400, 1400), (1300, 2381)])
def test_a_long_text_with_lookalikes_typed_finds_its_span(start: int, end: int) -> None:
    text = typed(start, end)
    assert text != SEED_000[start:end]
    assert len(SEED_000) * len(text) > EVERY_START
    matches, nearest = locate(SEED_000, text)
    assert matches == []
    assert nearest is not None
    assert (nearest.char_start, nearest.char_end) == (start, end)


def test_a_long_text_with_a_misspelling_is_found_by_its_other_words() -> None:
    text = SEED_000[400:900] + "#" + SEED_000[901:1400]
    matches, nearest = locate(SEED_000, text)
    assert matches == []
    assert nearest is not None
    assert (nearest.char_start, nearest.char_end) == (400, 1400)


def test_a_text_longer_than_the_seed_cannot_occur() -> None:
    assert locate("short seed", "a longer text than the seed") == ([], None)


def test_cli_exit_status_and_output(capsys: pytest.CaptureFixture[str]) -> None:
    seed = str(ROOT / "datapackage" / "seeds" / "002_d4a13c5680323aa8.txt")
    assert main(["locate", seed, "Fateh-360"]) == 0
    start, end, _ = capsys.readouterr().out.split("\t")
    assert (int(start), int(end)) == (786, 795)
    assert main(["locate", seed, "Fateh 360 missiles"]) == 1
    assert "Fateh-360 missiles" in capsys.readouterr().err
    assert main(["locate", seed, "x" * 3000]) == 1
    assert "longer than the seed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("seed", "text", "whole"),
    [
        ("Iranian officials", "Iran", False),
        ("Iran’s mission", "Iran", True),
        ("the Fath-360 missile", "Fath", True),
        ("the U.S.-led talks", "U.S.", True),
        ("U.S.officials", "U.S.", True),  # a span ending in punctuation: what follows may be a letter
        ("x_Iran", "Iran", False),
        ("Iran2", "Iran", False),
        ("“Iran", "“Iran", True),
    ],
)
def test_whole_word_is_one_rule_for_add_and_coverage(seed: str, text: str, whole: bool) -> None:
    start = seed.index(text)
    assert whole_word(seed, start, start + len(text)) is whole
