"""Statistics pages: the secretariat's dashboard and each office's own."""

app_name = "balance"

urlpatterns: list = []
