"""REST API for offers under /api/v1/ (being built)."""

urlpatterns: list = []
