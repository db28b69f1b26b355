"""The /statistik chart: per kecamatan, the figures the kecamatan's card prints, under the
card's own labels (handlers.staff.stats_text.LABELS) and with each bar's number written at its
end, in three panels (households, aid, cases) because their scales differ.

matplotlib is imported when a chart is drawn, not at start-up (it costs time and memory), and
only its object API is used (no pyplot global state); the caller draws it in a worker thread
so the event loop keeps serving others meanwhile."""

from __future__ import annotations

import io
from dataclasses import dataclass

from babel.numbers import format_decimal

from services import stats

# (panel, key of LABELS, the field of AreaNumbers, colour)
PANELS = (
    (("households", "households", "#4C72B0"), ("extreme", "extreme_poor", "#C44E52")),
    (("recipients", "recipients", "#8C8C8C"), ("collected", "collected", "#55A868")),
    (("open", "cases_open", "#DD8452"), ("overdue", "cases_overdue", "#C44E52")),
)


def _number(value: int) -> str:
    return format_decimal(value, locale="id")  # 1.234, as the message writes it


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int]  # one per kecamatan, in the rows' order
    color: str


def chart_series(rows: list[stats.AreaNumbers], labels: dict[str, str]) -> list[list[Series]]:
    """The panels' series: the rows' figures, labelled as the message labels them."""
    return [
        [Series(labels[key], [int(getattr(row, field)) for row in rows], color)
         for key, field, color in panel]
        for panel in PANELS
    ]  # fmt: skip


def chart_png(rows: list[stats.AreaNumbers], labels: dict[str, str], title: str) -> bytes:
    """Horizontal bars per kecamatan (first name on top), a panel per group of figures."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    names = [row.name for row in rows][::-1]
    figure = Figure(figsize=(12, 10), dpi=100)
    FigureCanvasAgg(figure)
    panels = figure.subplots(1, len(PANELS), sharey=True)
    height = 0.4
    positions = range(len(names))
    for axes, series in zip(panels, chart_series(rows, labels), strict=True):
        for k, one in enumerate(series):
            bars = axes.barh(
                [p + (0.5 - k) * height for p in positions], one.values[::-1], height,
                label=one.label, color=one.color,
            )  # fmt: skip
            # The number itself, as in the message (none on an empty bar).
            axes.bar_label(
                bars, [_number(v) if v else "" for v in one.values[::-1]], padding=2, fontsize=7
            )
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=8, frameon=False)
        axes.margins(x=0.2)  # room for the numbers after the longest bar
        locator = axes.xaxis.get_major_locator()
        if isinstance(locator, MaxNLocator):  # the default AutoLocator is one
            locator.set_params(integer=True)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _number(int(x))))
    panels[0].set_yticks(list(positions), names)
    figure.suptitle(title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
