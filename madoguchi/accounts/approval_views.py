from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from madoguchi.accounts.models import User


@login_required
@require_GET
def approval_status(request: HttpRequest) -> HttpResponse:
    """Tell a person whose registration waits for approval, or was rejected, where they stand."""
    approval = request.user.approval
    if request.user.is_staff or approval == User.Approval.APPROVED:
        return redirect("core:home")
    if approval == User.Approval.REJECTED:
        return render(request, "accounts/approval_rejected.html", status=403)
    return render(request, "accounts/approval_pending.html")
