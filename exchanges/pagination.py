"""Pagination that stops counting at a cap.

Counting every match of a broad search ("data") reads thousands of rows for a number
nobody needs exactly; past the cap the page says "1,000+" and offers 50 pages."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 1000


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def count_is_capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        # Past the cap, only the pages within it are reachable.
        capped = min(self.count, self.cap)
        if capped == 0 and not self.allow_empty_first_page:
            return 0
        hits = max(1, capped - self.orphans)
        return -(-hits // self.per_page)
