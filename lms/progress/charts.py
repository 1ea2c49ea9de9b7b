"""Bar charts drawn on the server as SVG: geometry here, markup in a template macro.

Each chart is also given to the page as a table, so the numbers are there for screen readers
and for anyone who would rather read than look.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 640
BAR_WIDTH = 520
ROW_HEIGHT = 44
BAR_HEIGHT = 16
LABEL_MAX = 70


@dataclass
class Segment:
    x: float
    width: float
    css: str
    label: str


@dataclass
class Row:
    y: float
    label: str
    value_text: str
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Chart:
    id: str
    title: str
    rows: list[Row]
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def height(self) -> int:
        return max(ROW_HEIGHT, ROW_HEIGHT * len(self.rows)) + 8

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def bar_width(self) -> int:
        return BAR_WIDTH


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def percent_chart(chart_id: str, title: str, items: list[tuple[str, float | None]],
                  empty_text: str) -> Chart:
    """One bar per item, its length the percentage (0–100)."""
    rows = []
    for index, (label, value) in enumerate(items):
        row = Row(index * ROW_HEIGHT, _short(label),
                  empty_text if value is None else f"{value:.0f}%")
        if value:
            row.segments.append(Segment(0, BAR_WIDTH * max(0.0, min(value, 100.0)) / 100,
                                        "chart__bar", row.value_text))
        rows.append(row)
    return Chart(chart_id, title, rows)


def stacked_chart(chart_id: str, title: str, items: list[tuple[str, list[int]]],
                  bins: list[str]) -> Chart:
    """One bar per item, split into segments by how many fall in each bin."""
    rows = []
    for index, (label, counts) in enumerate(items):
        total = sum(counts)
        row = Row(index * ROW_HEIGHT, _short(label), " · ".join(
            f"{name}: {count}" for name, count in zip(bins, counts, strict=True)))
        x = 0.0
        for bin_index, count in enumerate(counts):
            if total and count:
                width = BAR_WIDTH * count / total
                row.segments.append(Segment(x, width, f"chart__bin chart__bin--{bin_index}",
                                            f"{bins[bin_index]}: {count}"))
                x += width
        rows.append(row)
    legend = [(f"chart__bin chart__bin--{i}", name) for i, name in enumerate(bins)]
    return Chart(chart_id, title, rows, legend)
