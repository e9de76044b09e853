"""Statistical disclosure control for every table a partner viewer sees or exports.

Partners get counts of migrants by category (movements by nationality, by point x month...).
A very small count can single out a person: "the one Eritrean woman who crossed at Obock in
March". So counts from 1 to THRESHOLD - 1 are hidden (primary suppression).

Hiding a cell is not enough when the table also publishes its totals: the total minus the shown
cells gives the hidden one back. So in every row and column whose total is published, a lone
hidden cell gets a partner (complementary suppression): the smallest non-zero shown cell of that
line, the first one by position on ties, so that the same data always gives the same table.
A complement can leave another line with a lone hidden cell, so this repeats until nothing
changes. When a line has no cell left to hide (its only non-zero cell is the hidden one), its
total is hidden instead, and the total's `Cell` says so (reason "complementary").

The margins are handled as one more row and one more column: the row totals add up to the grand
total like any other line, so a hidden row total gets a partner among the other row totals (or
the grand total is hidden), exactly like a hidden cell does.

Shares are computed from the true counts, before anything is hidden, and are given only for
shown cells. When the denominator itself is hidden (or not published), no share is given at all,
because a shown value divided by its share would give the hidden total back.

What this does NOT protect against, and callers must keep in mind:

- `Cell.reason` is for staff and audit only. Shown to a partner, it tells which hidden cells are
  1..4 and which are complements (at least THRESHOLD), which narrows or reveals their values.
- The rule looks at each row and column on its own. An attacker combining several lines, or
  using the fact that hidden cells are at least 1 (zeros are shown), can sometimes narrow a
  hidden value further; two hidden cells of a row summing to 2 are both 1, for instance.
- Totals under THRESHOLD are published as they are (the issue's rule): a row total of 3 in a
  two-way table is the same count a one-way table would hide.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

THRESHOLD: Final = 5
"""Counts from 1 to THRESHOLD - 1 are hidden: that few people may be identifiable."""

SUPPRESS_ZERO: Final = False
"""Decision: a count of 0 is shown. An empty cell describes nobody, so it discloses nothing
about a person, and hiding every zero would blank out most of a sparse table for no gain.
The consequence, known to any attacker, is that every hidden cell holds at least 1."""

REASON_SMALL: Final = "small"
"""Hidden because the count itself is under THRESHOLD (primary suppression)."""

REASON_COMPLEMENTARY: Final = "complementary"
"""Hidden only so that another hidden value cannot be computed from a published total."""

REASON_UNPUBLISHED: Final = "unpublished"
"""The total of a one-way table its caller chose not to publish."""


@dataclass(frozen=True)
class Cell:
    """One published number: its value and share, or nothing if it is hidden."""

    value: int | None
    """The true count, or None when suppressed."""
    share: float | None
    """Fraction (0..1) of the table's total, from the true counts; None when not shown."""
    suppressed: bool
    reason: str
    """Empty when shown, else REASON_SMALL, REASON_COMPLEMENTARY or REASON_UNPUBLISHED."""


@dataclass(frozen=True)
class SuppressedTable:
    """A two-way table ready to show: every cell and margin, each shown or hidden."""

    cells: dict[tuple[Hashable, Hashable], Cell]
    row_totals: dict[Hashable, Cell]
    column_totals: dict[Hashable, Cell]
    grand_total: Cell


# A line is an equation the reader can see: the sum of its members equals its margin.
# Entries are numbered (positions in a flat list of true values); margin None: not published.
_Line = tuple[Sequence[int], int | None]


def _checked(value: object, where: object) -> int:
    # A float or a negative count would make totals and thresholds meaningless: fail loudly.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"count for {where!r} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"count for {where!r} is negative: {value}")
    return value


def _is_small(value: int) -> bool:
    return value < THRESHOLD and (value > 0 or SUPPRESS_ZERO)


def _protect(
    values: Sequence[int], primary: Sequence[int], lines: Sequence[_Line]
) -> dict[int, str]:
    """Return the reason each hidden entry is hidden, after complementary suppression.

    Each published line must have either no hidden entry or at least two (its margin counts),
    else subtraction gives the lone one back. Hiding only ever adds entries, so this ends.
    """
    reasons = {entry: REASON_SMALL for entry in primary}
    changed = True
    while changed:
        changed = False
        for members, margin in lines:
            if margin is None:
                continue
            hidden = sum(1 for entry in (*members, margin) if entry in reasons)
            if hidden != 1:
                continue
            candidates = [m for m in members if m not in reasons and values[m] > 0]
            if candidates:
                # min() keeps the first of equal values: ties go to the earliest position.
                choice = min(candidates, key=lambda m: values[m])
            elif margin not in reasons:
                choice = margin
            else:
                # The margin is the lone hidden entry yet no member is non-zero: the margin is 0
                # and could not have been hidden. Reaching this means a bug above.
                raise RuntimeError("a hidden total with no non-zero cell to pair it with")
            reasons[choice] = REASON_COMPLEMENTARY
            changed = True
    return reasons


def _cell(value: int, reason: str | None, denominator: int | None) -> Cell:
    if reason:
        return Cell(value=None, share=None, suppressed=True, reason=reason)
    if denominator is None:
        return Cell(value=value, share=None, suppressed=False, reason="")
    share = value / denominator if denominator else 0.0
    return Cell(value=value, share=share, suppressed=False, reason="")


def suppress_series(
    counts: Mapping[Hashable, int], *, total_published: bool = True
) -> tuple[dict[Hashable, Cell], Cell]:
    """One-way table (e.g. movements by nationality). Returns (cells, total cell).

    Cells keep the order of `counts`, which is also the order that breaks ties between equal
    complements. With `total_published=False` no complement is needed (there is nothing to
    subtract from), but the total cell is then hidden (reason "unpublished") and no share is
    given, since any shown value divided by its share would reveal the total.
    """
    keys = list(counts)
    values = [_checked(counts[key], key) for key in keys]
    total = sum(values)
    total_entry = len(values)
    primary = [i for i, value in enumerate(values) if _is_small(value)]
    lines: list[_Line] = [(range(len(values)), total_entry if total_published else None)]
    reasons = _protect([*values, total], primary, lines)
    if not total_published:
        reasons[total_entry] = REASON_UNPUBLISHED
    denominator = None if total_entry in reasons else total
    cells = {
        key: _cell(value, reasons.get(i), denominator)
        for i, (key, value) in enumerate(zip(keys, values, strict=True))
    }
    return cells, _cell(total, reasons.get(total_entry), denominator)


def suppress_table(
    counts: Mapping[tuple[Hashable, Hashable], int],
    rows: Sequence[Hashable],
    columns: Sequence[Hashable],
) -> SuppressedTable:
    """Two-way table (e.g. movements by point x month), with row and column totals published.

    Missing keys in `counts` mean 0; a key outside `rows` x `columns` is an error, because its
    count would silently be left out of every total. Shares are relative to the grand total.
    The order of `rows` and `columns` breaks ties between equal complements.
    """
    if len(set(rows)) != len(rows) or len(set(columns)) != len(columns):
        raise ValueError("rows and columns must not repeat")
    row_set, column_set = set(rows), set(columns)
    for key in counts:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"{key!r} is not a (row, column) pair")
        if key[0] not in row_set or key[1] not in column_set:
            raise ValueError(f"{key!r} is not in the given rows and columns")

    n_rows, n_columns = len(rows), len(columns)
    # Flat layout: cells row by row, then row totals, then column totals, then the grand total.
    values = [
        _checked(counts.get((row, column), 0), (row, column)) for row in rows for column in columns
    ]
    row_sums = [sum(values[r * n_columns : (r + 1) * n_columns]) for r in range(n_rows)]
    column_sums = [sum(values[c::n_columns]) for c in range(n_columns)]
    grand = sum(row_sums)

    def cell_entry(r: int, c: int) -> int:
        return r * n_columns + c

    row_entry = n_rows * n_columns
    column_entry = row_entry + n_rows
    grand_entry = column_entry + n_columns
    all_values = [*values, *row_sums, *column_sums, grand]

    lines: list[_Line] = []
    for r in range(n_rows):
        lines.append(([cell_entry(r, c) for c in range(n_columns)], row_entry + r))
    for c in range(n_columns):
        lines.append(([cell_entry(r, c) for r in range(n_rows)], column_entry + c))
    lines.append(([row_entry + r for r in range(n_rows)], grand_entry))
    lines.append(([column_entry + c for c in range(n_columns)], grand_entry))

    primary = [i for i, value in enumerate(values) if _is_small(value)]
    reasons = _protect(all_values, primary, lines)
    denominator = None if grand_entry in reasons else grand

    def make(entry: int) -> Cell:
        return _cell(all_values[entry], reasons.get(entry), denominator)

    return SuppressedTable(
        cells={
            (row, column): make(cell_entry(r, c))
            for r, row in enumerate(rows)
            for c, column in enumerate(columns)
        },
        row_totals={row: make(row_entry + r) for r, row in enumerate(rows)},
        column_totals={column: make(column_entry + c) for c, column in enumerate(columns)},
        grand_total=make(grand_entry),
    )
