"""The events on a time axis, laid out at build time for a static SVG.

An event is drawn as the range its date allows: from `start_date` to `end_date`, or where the end is
not given, to the end of the day, week, month or year that `date_precision` names. Undated events
have no place on the axis; the page lists them apart.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LABEL_WIDTH = 360  # the column of event descriptions, left of the axis
AXIS_WIDTH = 560
ROW_HEIGHT = 26
TOP = 40  # room for the tick labels above the first row
MIN_BAR = 6  # a day's range is drawn at least this wide, so that it can be seen and pointed at
LABEL_CHARACTERS = 52


@dataclass(frozen=True)
class Bar:
    event_id: str
    label: str  # the description, cut to fit its column
    description: str
    first: datetime.date
    last: datetime.date  # the last day of the range, included
    precision: str
    x: float
    width: float
    y: float
    label_x: float  # where the label ends: just left of the bar, never over the column's edge


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    ticks: list[Tick]
    width: int
    height: int
    axis_top: int = TOP - 12  # where the tick lines start, below their labels


def date_range(event: Mapping[str, Any]) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day an event's date allows, or None where it has no start date."""
    if not event.get("start_date"):
        return None
    first = datetime.date.fromisoformat(event["start_date"])
    if event.get("end_date"):
        return first, max(first, datetime.date.fromisoformat(event["end_date"]))
    precision = event.get("date_precision") or "day"
    if precision == "week":  # a week that would end past 9999-12-31 ends there
        return first, first + datetime.timedelta(days=min(6, (datetime.date.max - first).days))
    if precision == "month":
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if precision == "year":
        return first, first.replace(month=12, day=31)
    return first, first


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 1].rstrip() + "…"


def layout(events: Sequence[Mapping[str, Any]]) -> Timeline | None:
    """The dated events as bars on one axis, earliest first; None where no event is dated."""
    dated = sorted(
        ((found, event) for event in events if (found := date_range(event))),
        key=lambda item: (item[0][0], item[0][1], item[1]["event_id"]),
    )
    if not dated:
        return None
    start = min(first for (first, _), _ in dated)
    # The axis ends just after the last day: `days` counts its days, never a date past 9999-12-31.
    days = (max(last for (_, last), _ in dated) - start).days + 1
    scale = AXIS_WIDTH / days

    def x_of(day: datetime.date) -> float:
        return round(LABEL_WIDTH + (day - start).days * scale, 2)

    bars = []
    for row, ((first, last), event) in enumerate(dated):
        x = x_of(first)
        width = max(round((last - first).days * scale + scale, 2), MIN_BAR)
        description = event.get("description") or event["event_id"]
        bars.append(
            Bar(
                event_id=event["event_id"],
                label=_cut(description),
                description=description,
                first=first,
                last=last,
                precision=event.get("date_precision") or "day",
                x=x,
                width=width,
                y=TOP + row * ROW_HEIGHT,
                label_x=max(x - 6, LABEL_WIDTH - 4),
            )
        )
    # About eight ticks, on whole days.
    step = max(1, round(days / 8))
    # The axis's end, the day after the last, has no tick where that day would be past 9999-12-31.
    last_offset = min(days, (datetime.date.max - start).days)
    days_ticked = (start + datetime.timedelta(days=offset) for offset in range(0, last_offset + 1, step))
    ticks = [Tick(x_of(day), day.isoformat()) for day in days_ticked]
    return Timeline(bars, ticks, LABEL_WIDTH + AXIS_WIDTH + 90, TOP + len(dated) * ROW_HEIGHT + 10)
