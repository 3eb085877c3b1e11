"""What a signed-in session must do before anything else: pass the second
factor, and change a password someone else chose."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import second_factor

# Reached while the change is pending: the change itself, signing out, and
# what those pages load.
_ALLOWED_NAMES = (
    "admin:password_change",
    "admin:password_change_done",
    "admin:logout",
    "second-factor",
    "second-factor-enrol",
)
# Reached before the second factor is passed: its own pages and signing out.
_BEFORE_SECOND_FACTOR = ("second-factor", "second-factor-enrol", "admin:logout")
_ALWAYS_OPEN = ("/static/", "/i18n/")


class SecondFactorRequired:
    """A session that owes its second factor reaches nothing else.

    A login with an authenticator is asked for its code; a login that must
    have one (org.second_factor.is_required) and has none is sent to enrol.
    The API answers 403 instead: a session not yet verified gets nothing,
    and a token is only issued with a code (jiyang.api.ObtainToken).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if request.path.startswith(_ALWAYS_OPEN):
            return self.get_response(request)
        owed = second_factor.pending_check(request)
        if owed is None:
            return self.get_response(request)
        target = "second-factor" if owed == "verify" else "second-factor-enrol"
        if request.path in {reverse(name) for name in _BEFORE_SECOND_FACTOR}:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            reason = _("Enter the code of your authenticator app first.")
            return JsonResponse(
                {"code": "second_factor_required", "detail": reason, "fields": {}},
                status=403,
            )
        next_url = request.get_full_path()
        return HttpResponseRedirect(
            f"{reverse(target)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
        )


class PasswordChangeRequired:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password:
            return self.get_response(request)
        allowed = {reverse(name) for name in _ALLOWED_NAMES}
        if request.path in allowed or request.path.startswith(_ALWAYS_OPEN):
            return self.get_response(request)
        reason = _("Your password was set by someone else: choose your own first.")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "password_change_required", "detail": reason, "fields": {}},
                status=403,
            )
        messages.warning(request, reason)
        return HttpResponseRedirect(reverse("admin:password_change"))
