"""The window an offer's term must fall in, as plain data (no Django): offers.validation
states the rule, its messages and the database constraint; the pure matching core reads
the same bounds.

2000–2100 covers any real course, and a term of at most four years holds any course's
joint part (at most 104 weeks) with room to choose. Dates outside it are typing mistakes
(9999-12-31) that would only cost everybody else time in the matcher's calendar arithmetic.
"""

from __future__ import annotations

import datetime as dt

TERM_FIRST_DAY = dt.date(2000, 1, 1)
TERM_LAST_DAY = dt.date(2100, 12, 31)
# Four years with their leap day.
TERM_MAX_DAYS = 4 * 365 + 1
