"""Working days (工作日) for time limits under 行政许可法 Art. 82.

A limit of N working days runs from the day after acceptance; statutory holidays do not count and
make-up working days (调休上班日) do. Each date is resolved by, in order:

1. an override table for its year (``YearOverride``), which *replaces* every other source for
   that year: its holidays are days off, its make-up days are working days, and every other day
   is a working day exactly when it is Monday–Friday;
2. the ``chinesecalendar`` package, when it has data for the year;
3. Monday–Friday, with one warning per year on the ``yiwang.kit.workdays`` logger.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import yaml

logger = logging.getLogger("yiwang.kit.workdays")

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class YearOverride:
    """One year's official table: holidays (放假日) and make-up working days (调休上班日)."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)


def _check_override(year: int, override: YearOverride) -> None:
    """Raise ValueError unless every date lies in ``year`` and none is both holiday and workday."""
    for kind, dates in (("holidays", override.holidays), ("workdays", override.workdays)):
        for d in dates:
            if type(d) is not date:
                raise ValueError(f"{year} {kind}: {d!r} is not a date")
            if d.year != year:
                raise ValueError(f"{year} {kind}: {d.isoformat()} is not in {year}")
    clash = sorted(override.holidays & override.workdays)
    if clash:
        days = ", ".join(d.isoformat() for d in clash)
        raise ValueError(f"{year}: {days} listed as both holiday and workday")


def _read_dates(raw: object, *, source: Path, key: str) -> frozenset[date]:
    """Read a YAML list of dates (``2027-01-01`` or quoted ISO strings) for ``key``."""
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise ValueError(f"{source}: {key} must be a list of dates")
    dates: set[date] = set()
    for item in raw:
        if isinstance(item, str):
            try:
                item = date.fromisoformat(item)
            except ValueError:
                raise ValueError(f"{source}: {key}: {item!r} is not a YYYY-MM-DD date") from None
        if type(item) is not date:
            raise ValueError(f"{source}: {key}: {item!r} is not a YYYY-MM-DD date")
        dates.add(item)
    return frozenset(dates)


def _load_override_file(source: Path) -> tuple[int, YearOverride]:
    """Parse one ``{year, holidays, workdays}`` YAML file, raising ValueError on anything odd."""
    try:
        raw = source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{source}: not UTF-8 text") from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ValueError(f"{source}: not valid YAML: {exc}") from None
    except ValueError as exc:  # an impossible date such as 2027-02-30
        raise ValueError(f"{source}: bad date: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a mapping with year, holidays, workdays")
    unknown = set(data) - {"year", "holidays", "workdays"}
    if unknown:
        raise ValueError(f"{source}: unknown keys {sorted(map(str, unknown))}")
    year = data.get("year")
    if type(year) is not int:
        raise ValueError(f"{source}: year must be an integer such as 2027")
    override = YearOverride(
        holidays=_read_dates(data.get("holidays"), source=source, key="holidays"),
        workdays=_read_dates(data.get("workdays"), source=source, key="workdays"),
    )
    try:
        _check_override(year, override)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None
    return year, override


_REMEMBERED = 20_000


class WorkdayCalendar:
    """Decides which dates are working days (工作日) and counts time limits in them."""

    def __init__(self, overrides: Mapping[int, YearOverride] | None = None) -> None:
        """Use ``overrides`` (year → full official table) ahead of the chinesecalendar package."""
        self._overrides = dict(overrides or {})
        for year, override in self._overrides.items():
            _check_override(year, override)
        self._package_knows: dict[int, bool] = {}
        self._warned_years: set[int] = set()
        self._lock = threading.Lock()
        # The answers never change for one calendar: every submission asks about the same few
        # weeks, so they are remembered (bounded; cleared when full).
        self._known: dict[date, bool] = {}
        self._added: dict[tuple[date, int], date] = {}

    @classmethod
    def from_directory(cls, path: Path) -> WorkdayCalendar:
        """Load every ``*.yaml`` override file in ``path``; a missing directory means none."""
        if not path.exists():
            return cls()
        if not path.is_dir():
            raise ValueError(f"{path}: not a directory")
        overrides: dict[int, YearOverride] = {}
        sources: dict[int, Path] = {}
        for source in sorted(path.glob("*.yaml")):
            year, override = _load_override_file(source)
            if year in overrides:
                raise ValueError(f"{source}: year {year} already defined in {sources[year]}")
            overrides[year] = override
            sources[year] = source
        return cls(overrides)

    def _package_is_workday(self, d: date) -> bool | None:
        """Ask chinesecalendar, or return None when it has no data for ``d.year``."""
        if self._package_knows.get(d.year) is False:
            return None
        try:
            answer = bool(chinese_calendar.is_workday(d))
        except NotImplementedError:  # raised for years outside its table
            self._package_knows[d.year] = False
            return None
        self._package_knows[d.year] = True
        return answer

    def _warn_unknown_year(self, year: int) -> None:
        """Log once per year that Monday–Friday is being assumed."""
        with self._lock:
            if year in self._warned_years:
                return
            self._warned_years.add(year)
        logger.warning(
            "no official holiday table for %d; counting Monday-Friday as working days", year
        )

    def is_workday(self, d: date) -> bool:
        """Tell whether ``d`` is a working day (make-up days 调休 included)."""
        if isinstance(d, datetime):
            d = d.date()
        known = self._known.get(d)
        if known is None:
            if len(self._known) >= _REMEMBERED:
                self._known.clear()
            known = self._known[d] = self._decide(d)
        return known

    def _decide(self, d: date) -> bool:
        override = self._overrides.get(d.year)
        if override is not None:
            if d in override.workdays:
                return True
            if d in override.holidays:
                return False
            return d.weekday() < 5
        answer = self._package_is_workday(d)
        if answer is not None:
            return answer
        self._warn_unknown_year(d.year)
        return d.weekday() < 5

    def next_workday(self, d: date) -> date:
        """Return the first working day strictly after ``d``."""
        if isinstance(d, datetime):
            d = d.date()
        d += _ONE_DAY
        while not self.is_workday(d):
            d += _ONE_DAY
        return d

    def add_workdays(self, start: date, days: int) -> date:
        """Return the last day of a ``days``-working-day limit accepted on ``start`` (0 → start)."""
        if days < 0:
            raise ValueError("days must be zero or more")
        if isinstance(start, datetime):
            start = start.date()
        found = self._added.get((start, days))
        if found is not None:
            return found
        end = start
        for _ in range(days):
            end = self.next_workday(end)
        if len(self._added) >= _REMEMBERED:
            self._added.clear()
        self._added[(start, days)] = end
        return end

    def workdays_between(self, start: date, end: date) -> int:
        """Count working days in (start, end]; ``end`` before ``start`` is a ValueError."""
        if isinstance(start, datetime):
            start = start.date()
        if isinstance(end, datetime):
            end = end.date()
        if end < start:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        count = 0
        d = start + _ONE_DAY
        while d <= end:
            count += self.is_workday(d)
            d += _ONE_DAY
        return count
