def notifications(request):
    """Unread in-app notifications for the navigation badge (being built)."""
    return {}
