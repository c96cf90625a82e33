"""Row-level validation: gather every problem in a table at once, then decide (osmnx-style)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geo.errors import ValidationError


@dataclass(frozen=True)
class Problem:
    """One problem in an input table.

    ``row`` is the row number a person sees in the file (the header is row 1, so the first data
    row is row 2), or None for a whole-file problem. ``column`` names the field, if any.
    ``fix`` is an optional suggested correction shown to the user (e.g. "swap lon and lat").
    """

    row: int | None
    column: str | None
    message: str
    severity: str = "error"  # "error": the row is dropped; "warning": kept, but reported
    fix: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class Report:
    """Every problem found in one table, plus how many rows were read and kept."""

    n_rows: int = 0
    problems: list[Problem] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, message: str, *,
            severity: str = "error", fix: str | None = None) -> None:
        """Record a problem."""
        self.problems.append(Problem(row, column, message, severity, fix))

    @property
    def errors(self) -> list[Problem]:
        """Problems that drop a row (or the whole file when ``row`` is None)."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that keep the row."""
        return [p for p in self.problems if p.severity != "error"]

    @property
    def bad_rows(self) -> set[int]:
        """File row numbers that have at least one error."""
        return {p.row for p in self.errors if p.row is not None}

    @property
    def fatal(self) -> bool:
        """True when a whole-file error means no row can be used."""
        return any(p.row is None for p in self.errors)

    @property
    def n_ok(self) -> int:
        """Rows kept."""
        return 0 if self.fatal else self.n_rows - len(self.bad_rows)

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table (row, column, severity, message, fix)."""
        return pd.DataFrame(
            [(p.row, p.column, p.severity, p.message, p.fix) for p in self.problems],
            columns=["row", "column", "severity", "message", "fix"],
        )

    def summary(self, limit: int = 20) -> str:
        """A readable multi-line summary naming rows and columns."""
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more")
        return "\n".join(lines)

    def raise_if_errors(self, what: str) -> None:
        """Raise one ValidationError listing every error, if there is any."""
        if self.errors:
            msg = f"{what}: {len(self.errors)} problem(s)\n" + Report(
                self.n_rows, self.errors).summary()
            raise ValidationError(msg)
