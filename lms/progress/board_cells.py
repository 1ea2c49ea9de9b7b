"""The board's cells, written here rather than in the template.

A board page has a hundred participants by six units: six hundred cells of seven values each.
Drawn by the template, every value went through autoescaping on its own and the cells were
close to half of the page's time; here each cell is one formatted string. Only whole numbers
and the page's labels, escaped once, go into them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

from lms.progress.completion import UnitState


@dataclass(frozen=True)
class CellLabels:
    """The words of a cell, already escaped for HTML."""

    days: str
    online: str
    complete: str
    at_risk: str
    to_do: str


def cell_labels() -> CellLabels:
    """The labels in the reader's language."""
    return CellLabels(*(str(escape(text)) for text in (
        _("Days"), _("Online"), _("Complete"), _("At risk"), _("to do"))))


def row_cells(units: Sequence[UnitState], labels: CellLabels) -> Markup:
    """One participant's cells: each unit's state in words (not colour alone), then the days
    attended of those required and the online work done of that required."""
    cells = []
    for state in units:
        if state.is_complete:
            head = f'<td class="cell cell--complete"><span class="cell__state">{labels.complete}'
        elif state.at_risk:
            head = f'<td class="cell cell--at-risk"><span class="cell__state">{labels.at_risk}'
        else:
            head = (f'<td class="cell cell--open"><span class="cell__state">'
                    f"{int(state.missing_count)} {labels.to_do}")
        cells.append(
            f"{head}</span> <span>{labels.days} {int(state.days_counted)}/"
            f"{int(state.days_required)}</span> <span>{labels.online} {int(state.online_done)}/"
            f"{int(state.online_total)}</span></td>")
    return Markup("".join(cells))  # noqa: S704  (whole numbers and escaped labels only)
