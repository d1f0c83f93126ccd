import logging
from datetime import date, datetime
from pathlib import Path

import pytest

from yiwang.kit.workdays import WorkdayCalendar, YearOverride

# Dates below follow the State Council's 放假安排 notices for 2024, 2025 and 2026.


@pytest.fixture
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 10, 1), False),  # 国庆节, Tuesday
        (date(2024, 10, 7), False),
        (date(2024, 10, 8), True),
        (date(2024, 9, 29), True),  # Sunday, make-up working day
        (date(2024, 10, 12), True),  # Saturday, make-up working day
        (date(2024, 2, 18), True),  # Sunday after the Spring Festival break
        (date(2025, 1, 28), False),  # 除夕 2025 (a holiday from 2025 on)
        (date(2025, 1, 26), True),  # Sunday, make-up
        (date(2025, 2, 8), True),  # Saturday, make-up
        (date(2025, 9, 28), True),  # Sunday, make-up for National Day
        (date(2025, 10, 8), False),  # Wednesday, last day of the 2025 National Day break
        (date(2025, 10, 11), True),  # Saturday, make-up
        (date(2025, 10, 12), False),  # ordinary Sunday
        (date(2025, 10, 13), True),  # ordinary Monday
        (date(2026, 2, 14), True),  # Saturday, make-up before the Spring Festival
        (date(2026, 2, 16), False),  # 除夕 2026, Monday
        (date(2026, 2, 23), False),  # Monday, last day of the break
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, make-up
    ],
)
def test_official_calendar(calendar: WorkdayCalendar, day: date, working: bool) -> None:
    assert calendar.is_workday(day) is working


def test_national_day_2025(calendar: WorkdayCalendar) -> None:
    # Accepted on Tuesday 30 September: 1 October–8 October are holidays.
    assert calendar.add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert calendar.add_workdays(date(2025, 9, 30), 3) == date(2025, 10, 11)  # make-up Saturday
    assert calendar.add_workdays(date(2025, 9, 30), 4) == date(2025, 10, 13)
    assert calendar.add_workdays(date(2025, 9, 30), 20) == date(2025, 11, 4)


def test_limit_counts_from_the_day_after_acceptance(calendar: WorkdayCalendar) -> None:
    assert calendar.add_workdays(date(2025, 10, 13), 0) == date(2025, 10, 13)
    assert calendar.add_workdays(date(2025, 10, 13), 1) == date(2025, 10, 14)
    assert calendar.add_workdays(date(2025, 10, 17), 1) == date(2025, 10, 20)  # Friday → Monday
    assert calendar.add_workdays(date(2025, 10, 18), 0) == date(2025, 10, 18)  # even on a Saturday
    # Accepted on the make-up Sunday itself: counting starts on Monday 29 September.
    assert calendar.add_workdays(date(2025, 9, 28), 2) == date(2025, 9, 30)


def test_spring_festival_2026(calendar: WorkdayCalendar) -> None:
    assert calendar.add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)  # make-up Saturday
    assert calendar.add_workdays(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert calendar.workdays_between(date(2026, 2, 14), date(2026, 2, 23)) == 0
    assert calendar.next_workday(date(2026, 2, 14)) == date(2026, 2, 24)


def test_twenty_working_days_across_new_year(calendar: WorkdayCalendar) -> None:
    # 行政许可法 Art. 42: 20 working days. 2025-12-31 → 2026-01-01…03 off, 2026-01-04 (Sun) worked.
    end = calendar.add_workdays(date(2025, 12, 31), 20)
    assert end == date(2026, 1, 29)
    assert calendar.workdays_between(date(2025, 12, 31), end) == 20


def test_workdays_between(calendar: WorkdayCalendar) -> None:
    assert calendar.workdays_between(date(2025, 9, 30), date(2025, 10, 31)) == 18
    assert calendar.workdays_between(date(2025, 9, 30), date(2025, 9, 30)) == 0
    assert calendar.workdays_between(date(2025, 9, 27), date(2025, 9, 28)) == 1  # make-up Sunday
    with pytest.raises(ValueError, match="before"):
        calendar.workdays_between(date(2025, 10, 2), date(2025, 10, 1))


def test_add_and_between_are_inverse(calendar: WorkdayCalendar) -> None:
    start = date(2024, 12, 20)
    for days in range(0, 60, 7):
        end = calendar.add_workdays(start, days)
        assert calendar.workdays_between(start, end) == days
        assert days == 0 or calendar.is_workday(end)


def test_next_workday_is_strictly_after(calendar: WorkdayCalendar) -> None:
    assert calendar.next_workday(date(2025, 10, 13)) == date(2025, 10, 14)
    assert calendar.next_workday(date(2025, 9, 30)) == date(2025, 10, 9)
    assert calendar.next_workday(date(2025, 9, 27)) == date(2025, 9, 28)


def test_negative_days_are_rejected(calendar: WorkdayCalendar) -> None:
    with pytest.raises(ValueError):
        calendar.add_workdays(date(2025, 1, 1), -1)


def test_datetimes_are_treated_as_their_date(calendar: WorkdayCalendar) -> None:
    assert calendar.is_workday(datetime(2025, 10, 1, 9, 30)) is False
    assert calendar.add_workdays(datetime(2025, 9, 30, 17, 0), 1) == date(2025, 10, 9)


def test_unknown_year_falls_back_to_weekdays_with_one_warning(
    calendar: WorkdayCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="yiwang.kit.workdays"):
        assert calendar.is_workday(date(2030, 10, 1)) is True  # a Tuesday; no table for 2030
        assert calendar.is_workday(date(2030, 10, 5)) is False  # Saturday
        assert calendar.add_workdays(date(2030, 10, 4), 1) == date(2030, 10, 7)
        assert calendar.is_workday(date(2031, 1, 1)) is True
    warnings = [r for r in caplog.records if r.name == "yiwang.kit.workdays"]
    assert [r.levelno for r in warnings] == [logging.WARNING, logging.WARNING]
    assert "2030" in warnings[0].getMessage()
    assert "2031" in warnings[1].getMessage()


def test_known_years_do_not_warn(
    calendar: WorkdayCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="yiwang.kit.workdays"):
        calendar.workdays_between(date(2024, 1, 1), date(2026, 12, 31))
    assert caplog.records == []


# --- overrides ----------------------------------------------------------------------------------


def test_override_table_replaces_the_package_for_its_year(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = WorkdayCalendar(
        {
            2030: YearOverride(
                holidays=frozenset({date(2030, 10, 1)}), workdays=frozenset({date(2030, 9, 28)})
            ),
            # A 2025 table without National Day: the package's holidays no longer apply.
            2025: YearOverride(),
        }
    )
    with caplog.at_level(logging.WARNING, logger="yiwang.kit.workdays"):
        assert calendar.is_workday(date(2030, 10, 1)) is False  # Tuesday made a holiday
        assert calendar.is_workday(date(2030, 9, 28)) is True  # Saturday made a working day
        assert calendar.is_workday(date(2030, 10, 2)) is True
        assert calendar.is_workday(date(2025, 10, 1)) is True
        assert calendar.is_workday(date(2025, 9, 28)) is False
    assert caplog.records == []
    assert calendar.is_workday(date(2026, 10, 1)) is False  # other years still use the package


def test_constructor_validates_overrides() -> None:
    with pytest.raises(ValueError, match="not in 2027"):
        WorkdayCalendar({2027: YearOverride(holidays=frozenset({date(2026, 12, 31)}))})
    with pytest.raises(ValueError, match="both"):
        WorkdayCalendar(
            {
                2027: YearOverride(
                    holidays=frozenset({date(2027, 1, 1)}), workdays=frozenset({date(2027, 1, 1)})
                )
            }
        )


def _write(directory: Path, name: str, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(body, encoding="utf-8")
    return path


def test_from_directory(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _write(
        tmp_path,
        "2027.yaml",
        "year: 2027\n"
        "holidays: [2027-01-01, 2027-10-05]\n"  # Friday, Tuesday
        "workdays:\n  - 2027-10-09\n",  # Saturday
    )
    _write(tmp_path, "2024.yaml", "year: 2024\nholidays: ['2024-10-08']\n")
    _write(tmp_path, "notes.txt", "not: [a, calendar")
    calendar = WorkdayCalendar.from_directory(tmp_path)
    with caplog.at_level(logging.WARNING, logger="yiwang.kit.workdays"):
        assert calendar.is_workday(date(2027, 10, 5)) is False
        assert calendar.is_workday(date(2027, 10, 9)) is True
        assert calendar.is_workday(date(2027, 10, 4)) is True
        assert calendar.is_workday(date(2027, 1, 1)) is False
        assert calendar.add_workdays(date(2027, 10, 8), 1) == date(2027, 10, 9)
    assert caplog.records == []
    # The 2024 file is that year's whole table: 2024-10-08 is off, 2024-10-01 is now a workday.
    assert calendar.is_workday(date(2024, 10, 8)) is False
    assert calendar.is_workday(date(2024, 10, 1)) is True


def test_missing_directory_means_no_overrides(tmp_path: Path) -> None:
    calendar = WorkdayCalendar.from_directory(tmp_path / "absent")
    assert calendar.is_workday(date(2025, 10, 1)) is False
    assert calendar.is_workday(date(2025, 9, 28)) is True


def test_empty_lists_are_allowed(tmp_path: Path) -> None:
    _write(tmp_path, "2027.yaml", "year: 2027\nholidays: []\n")
    assert WorkdayCalendar.from_directory(tmp_path).is_workday(date(2027, 1, 1)) is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "mapping"),
        ("- 2027-01-01\n", "mapping"),
        ("year: [2027\n", "YAML"),
        ("holidays: [2027-01-01]\n", "year"),
        ("year: '2027'\n", "year"),
        ("year: true\n", "year"),
        ("year: 2027\nholidays: 2027-01-01\n", "list"),
        ("year: 2027\nholidays: [2026-12-31]\n", "not in 2027"),
        ("year: 2027\nworkdays: [2028-01-02]\n", "not in 2027"),
        ("year: 2027\nholidays: [2027-01-01]\nworkdays: [2027-01-01]\n", "both"),
        ("year: 2027\nholidays: [2027-02-30]\n", "date"),
        ("year: 2027\nholidays: [tomorrow]\n", "date"),
        ("year: 2027\nholidays: [20270101]\n", "date"),
        ("year: 2027\nholidays: [2027-01-01 09:00:00]\n", "date"),
        ("year: 2027\nholiday: [2027-01-01]\n", "unknown keys"),
    ],
)
def test_bad_override_files_raise(tmp_path: Path, body: str, message: str) -> None:
    source = _write(tmp_path, "bad.yaml", body)
    with pytest.raises(ValueError, match=message) as err:
        WorkdayCalendar.from_directory(tmp_path)
    assert str(source) in str(err.value)


def test_non_utf8_file_raises(tmp_path: Path) -> None:
    (tmp_path / "2027.yaml").write_bytes("year: 2027 # 元旦\n".encode("gbk"))
    with pytest.raises(ValueError, match="UTF-8"):
        WorkdayCalendar.from_directory(tmp_path)


def test_two_files_for_one_year_raise(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "year: 2027\nholidays: [2027-01-01]\n")
    _write(tmp_path, "b.yaml", "year: 2027\nworkdays: [2027-01-02]\n")
    with pytest.raises(ValueError, match="already defined"):
        WorkdayCalendar.from_directory(tmp_path)


def test_a_file_is_not_a_directory(tmp_path: Path) -> None:
    path = _write(tmp_path, "2027.yaml", "year: 2027\n")
    with pytest.raises(ValueError, match="not a directory"):
        WorkdayCalendar.from_directory(path)
