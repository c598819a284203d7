from django.utils.functional import SimpleLazyObject

from accounts import selectors


def roles(request):
    """Role flags for the navigation, computed only when a template asks."""
    user = request.user

    def _roles():
        if not user.is_authenticated:
            return {"office": False, "lecturer": False, "secretariat": False, "queue": 0}
        office_ids = selectors.office_institution_ids(user)
        return {
            "office": bool(office_ids),
            "lecturer": bool(selectors.lecturer_institution_ids(user)),
            "secretariat": user.is_secretariat,
            "queue": selectors.verification_queue(user).count()
            if (office_ids or user.is_secretariat)
            else 0,
        }

    return {"roles": SimpleLazyObject(_roles)}
