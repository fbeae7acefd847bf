"""What an import reports: its counts and its problems, each by spreadsheet row and column."""

from dataclasses import asdict, dataclass, field

MAX_ERRORS = 1000  # errors kept for the report; the rest are only counted


@dataclass
class RowError:
    row: int | None  # spreadsheet row number, the header being row 1; None for the whole file
    column: str
    reason: str


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def more_errors(self) -> int:
        return self.error_count - len(self.errors)

    def add_error(self, row: int | None, column: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, str(reason)))

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ImportResult":
        errors = [RowError(**e) for e in data.get("errors", [])]
        return cls(**{**data, "errors": errors})
