"""The short fuzz run: about a minute of mutated packages, every time the tests run.

`make fuzz` runs the long form (5,000 packages) and `make fuzz SEED=… CASE=…` replays one case.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .pool import Options, run_fuzz

# Wall time in which new cases start, worker start-up (about 10 s) included; cases under way then finish.
SHORT_RUN_SECONDS = 50.0


@pytest.mark.fuzz
def test_mutated_packages_end_in_catalogued_problems_never_in_tracebacks_hangs_or_false_valids(tmp_path: Path) -> None:
    summary = run_fuzz(Options(seed=13, seconds=SHORT_RUN_SECONDS, jobs=2, scratch=tmp_path))
    assert summary.cases > 0, "no case ran"
    assert not summary.causes, "\n" + summary.render()
