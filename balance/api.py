"""Statistics under /api/v1/stats/."""

urlpatterns: list = []
