"""The second-factor pages: enter the code, or enrol an authenticator.

Both are reached right after the password (org.middleware.SecondFactorRequired
sends a session there) and from the admin's user links.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from common.errors import add_to_form
from common.qr import qr_svg

from . import second_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "pattern": r"[0-9 ]*",
            }
        ),
    )


def _next_url(request) -> str:
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(
        REDIRECT_FIELD_NAME, ""
    )
    if wanted and url_has_allowed_host_and_scheme(
        wanted, {request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("my-tasks")


def _with_next(name: str, request) -> str:
    return f"{reverse(name)}?{urlencode({REDIRECT_FIELD_NAME: _next_url(request)})}"


@never_cache
@login_required
def verify(request):
    """Enter the code of the authenticator after the password."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not second_factor.is_enrolled(request.user):
        return redirect(_with_next("second-factor-enrol", request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.verify(request, form.cleaned_data["code"])
        except ValidationError as error:
            add_to_form(form, error)
        else:
            return redirect(_next_url(request))
    return render(
        request,
        "org/second_factor_verify.html",
        {"form": form, "next": _next_url(request), "title": _("Second factor")},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def enrol(request):
    """Enrol an authenticator app: scan the QR code, confirm with a code."""
    user = request.user
    enrolled = second_factor.is_enrolled(user)
    if enrolled and not user.is_verified():
        # A password alone never replaces an authenticator.
        return redirect(_with_next("second-factor", request))
    context = {
        "title": _("Authenticator app"),
        "next": _next_url(request),
        "enrolled": enrolled,
        "required": second_factor.is_required(user),
    }
    if enrolled:
        context["device"] = second_factor.confirmed_device(user)
        return render(request, "org/second_factor_enrol.html", context)
    form = CodeForm(request.POST or None)
    device = second_factor.enrolment_device(user)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.confirm_enrolment(request, form.cleaned_data["code"])
        except ValidationError as error:
            add_to_form(form, error)
        else:
            return redirect(_next_url(request))
    context.update(
        form=form,
        qr=qr_svg(device.config_url, label=str(_("Authenticator app"))),
        secret=second_factor.secret_for_typing(device),
    )
    return render(
        request,
        "org/second_factor_enrol.html",
        context,
        status=400 if form.errors else 200,
    )
