from __future__ import annotations

import pytest

from newsfacts.cli import main
from newsfacts.locate import locate

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


def test_cli_exit_status_and_output(capsys: pytest.CaptureFixture[str]) -> None:
    seed = str(ROOT / "seeds" / "002_d4a13c5680323aa8.txt")
    assert main(["locate", seed, "Fateh-360"]) == 0
    start, end, _ = capsys.readouterr().out.split("\t")
    assert (int(start), int(end)) == (786, 795)
    assert main(["locate", seed, "Fateh 360 missiles"]) == 1
    assert "Fateh-360 missiles" in capsys.readouterr().err
