"""办件编号 (tracking numbers).

Format, 21 characters: the region's GB/T 2260 code (6) + the acceptance date YYYYMMDD (8) + the
day's sequence number (6, from 000001) + a check character (ISO 7064 MOD 11-2, as in resident
ID numbers: 0–9 or X). Example: ``330523202611260000125``. A mistyped digit fails the check.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.dialects import postgresql, sqlite

from yiwang.applications.models import tracking_counters
from yiwang.database import Db


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


async def next_tracking_no(db: Db, *, region_code: str, day: dt.date) -> str:
    """The next tracking number of the day (one atomic upsert of the day's counter)."""
    key = day.strftime("%Y%m%d")
    insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(tracking_counters)
        .values(day=key, last=1)
        .on_conflict_do_update(
            index_elements=[tracking_counters.c.day], set_={"last": tracking_counters.c.last + 1}
        )
        .returning(tracking_counters.c.last)
    )
    sequence = int((await db.execute(statement)).scalar_one())
    body = f"{region_code}{key}{sequence:06d}"
    return body + check_char(body)
