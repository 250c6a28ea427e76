from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.accounts import sessions
from madoguchi.core import access


@access.object_view(UserSession)
@require_POST
@login_required
def end_session(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_visible_or_404(request.user, UserSession, pk=pk)
    if session.session_key == request.session.session_key:
        return redirect("account_logout")
    sessions.end_session(request, session)
    messages.success(request, _("That session has been signed out."))
    return redirect("usersessions_list")
