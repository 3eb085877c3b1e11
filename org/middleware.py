"""A login whose password someone else chose changes it before anything else."""

from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

# Reached while the change is pending: the change itself, signing out, and
# what those pages load.
_ALLOWED_NAMES = ("admin:password_change", "admin:password_change_done", "admin:logout")


class PasswordChangeRequired:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password:
            return self.get_response(request)
        allowed = {reverse(name) for name in _ALLOWED_NAMES}
        if request.path in allowed or request.path.startswith(("/static/", "/i18n/")):
            return self.get_response(request)
        reason = _("Your password was set by someone else: choose your own first.")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "password_change_required", "detail": reason, "fields": {}},
                status=403,
            )
        messages.warning(request, reason)
        return HttpResponseRedirect(reverse("admin:password_change"))
