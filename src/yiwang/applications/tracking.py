"""办件编号 (tracking numbers).

Format, 21 characters: the region's GB/T 2260 code (6) + the acceptance date YYYYMMDD (8) + the
day's sequence number (6, from 000001) + a check character (ISO 7064 MOD 11-2, as in resident
ID numbers: 0–9 or X). Example: ``330523202611260000125``. A mistyped digit fails the check.
"""

from __future__ import annotations

import datetime as dt


def check_char(digits: str) -> str:
    """ISO 7064 MOD 11-2 over any number of digits."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2 % 11
    return "0123456789X"[(12 - total) % 11]


def is_valid(tracking_no: str) -> bool:
    """Whether a tracking number is well formed and its check character right."""
    body, check = tracking_no[:-1], tracking_no[-1:]
    return (
        len(tracking_no) == 21 and body.isascii() and body.isdigit() and check_char(body) == check
    )


def tracking_no(region_code: str, day: dt.date, sequence: int) -> str:
    """The tracking number of the day's n-th application in a region (the day's counter,
    ``tracking_counters``, is moved by the submission writer, once per group)."""
    body = f"{region_code}{day.strftime('%Y%m%d')}{sequence:06d}"
    return body + check_char(body)
