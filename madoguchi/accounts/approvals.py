"""Approving and rejecting registrations that a restricted brand holds for approval.

Staff with the permission accounts.approve_user decide in the staff area. The person hears of
the decision by mail, in their own language, queued in the same transaction as the change.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from madoguchi.accounts.models import User
from madoguchi.core import audit
from madoguchi.core.mail import enqueue_mail
from madoguchi.core.realtime import close_user_sockets

PERMISSION = "accounts.approve_user"


def user_approve(user: User, *, by: User, request: HttpRequest | None = None) -> bool:
    """Let a waiting (or rejected) person into the portal; return whether anything changed."""
    return _decide(user, User.Approval.APPROVED, by=by, request=request)


def user_reject(user: User, *, by: User, request: HttpRequest | None = None) -> bool:
    """Turn a registration down; the person keeps seeing the rejection page only."""
    return _decide(user, User.Approval.REJECTED, by=by, request=request)


def _decide(user: User, decision: str, *, by: User, request: HttpRequest | None) -> bool:
    """Record the decision, audit it and queue the mail; locks the user's row."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.approval == decision:
            return False
        locked.approval = decision
        locked.save(update_fields=["approval"])
        action = "user.approved" if decision == User.Approval.APPROVED else "user.rejected"
        audit.record(action, request=request, actor=by, target=locked)
        enqueue_mail(_decision_mail(locked, _brand_name(request)))
        if decision == User.Approval.REJECTED:
            # A person rejected after approval may have sockets open from before.
            close_user_sockets(locked.pk)
    user.approval = decision
    return True


def _brand_name(request: HttpRequest | None) -> str:
    brand = getattr(request, "brand", None)
    return brand.name if brand is not None else settings.BRAND_NAME


def _decision_mail(user: User, brand_name: str) -> EmailMultiAlternatives:
    approved = user.approval == User.Approval.APPROVED
    context = {
        "user": user,
        "brand_name": brand_name,
        "approved": approved,
        "url": settings.SITE_URL + reverse("account_login"),
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/approval_subject.txt", context).strip()
        body = render_to_string("accounts/email/approval_message.txt", context)
    return EmailMultiAlternatives(subject=subject, body=body, to=[user.email])
