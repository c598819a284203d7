"""Pagination for search results."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class SearchPaginator(Paginator):
    """Counts matching ids only: the relevance ranking is not needed for the total."""

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk").count()
