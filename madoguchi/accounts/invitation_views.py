from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from madoguchi.accounts import invitations, selectors
from madoguchi.core.access import capability_view


@capability_view
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """Land from an invitation mail: sign up or sign in with the invited address, then join."""
    invitation = invitations.find_by_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=410)
    if not request.user.is_authenticated:
        invitations.remember(request, invitation)
        if selectors.address_has_account(invitation.email):
            messages.info(request, _("Sign in to accept the invitation."))
            return redirect("account_login")
        query = urlencode({"email": invitation.email})
        return redirect(f"{reverse('account_signup')}?{query}")
    wrong_account = request.user.email.lower() != invitation.email.lower()
    if request.method == "POST" and not wrong_account:
        invitations.accept(invitation, request.user, request)
        messages.success(request, _("Welcome! You have accepted the invitation."))
        return redirect("core:home")
    context = {"invitation": invitation, "wrong_account": wrong_account}
    return render(request, "accounts/invitation.html", context)
