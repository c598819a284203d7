from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts import selectors


def office_required(view):
    """A verified international office of some institution, or the secretariat (403 otherwise).

    Which institution's objects may be touched is checked per object, by the selectors.
    """

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_secretariat or selectors.is_office(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def secretariat_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_secretariat:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
