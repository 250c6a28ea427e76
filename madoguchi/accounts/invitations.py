"""Invitations: a link mailed to an address that lets its owner join the portal and an organisation.

Only a hash of the token is stored; the link carries the token. Accepting needs the invited
address: the invitee signs up with it (proven by the mailed link, so no second verification),
or signs in to an account that has it.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from madoguchi.accounts.models import Invitation, Membership, Organisation, User
from madoguchi.core import audit
from madoguchi.core.mail import enqueue_mail

VALID_DAYS = 14
SESSION_KEY = "mdg_invitation"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_invitation(email: str, organisation: Organisation | None) -> Invitation | None:
    """Return the invitation still waiting for this address (and organisation), if any."""
    return Invitation.objects.filter(
        email__iexact=email,
        organisation=organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()


def invite(  # noqa: PLR0913  (what an invitation is made of)
    *,
    email: str,
    name: str = "",
    organisation: Organisation | None = None,
    role: str = Membership.Role.MEMBER,
    language: str = "",
    invited_by: User | None = None,
    brand_name: str = "",
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite an address, replacing a still-open invitation for it, and queue the mail."""
    email = User.objects.normalize_email(email.strip()).lower()
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            email__iexact=email,
            organisation=organisation,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            email=email,
            name=name,
            organisation=organisation,
            role=role,
            language=language,
            invited_by=invited_by,
            token_hash=_hash(token),
            created_at=now,
            expires_at=now + timedelta(days=VALID_DAYS),
        )
        enqueue_mail(_invitation_mail(invitation, token, brand_name or settings.BRAND_NAME))
        audit.record(
            "invitation.created",
            request=request,
            actor=invited_by,
            target=invitation,
            data={"organisation": organisation.slug if organisation else None, "role": role},
        )
    return invitation


def _invitation_mail(invitation: Invitation, token: str, brand_name: str) -> EmailMultiAlternatives:
    context = {
        "invitation": invitation,
        "brand_name": brand_name,
        "inviter": invitation.invited_by,
        "url": settings.SITE_URL + reverse("invitation_accept", args=[token]),
        "valid_days": VALID_DAYS,
    }
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_message.txt", context)
        html = render_to_string("accounts/email/invitation_message.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    return message


def find_by_token(token: str) -> Invitation | None:
    """Return the open, unexpired invitation for a token from a link, or None."""
    if not token or len(token) > 100:
        return None
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=_hash(token))
        .first()
    )
    if invitation is None or not is_open(invitation):
        return None
    return invitation


def is_open(invitation: Invitation) -> bool:
    return (
        invitation.accepted_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > timezone.now()
    )


def remember(request: HttpRequest, invitation: Invitation) -> None:
    """Keep the invitation in the session through sign-up or sign-in.

    The address is marked as verified for allauth: whoever holds the mailed link owns it.
    """
    request.session[SESSION_KEY] = invitation.pk
    request.session["account_verified_email"] = invitation.email


def remembered(request: HttpRequest) -> Invitation | None:
    """Return the invitation kept in this session, while it is still open."""
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        return None
    invitation = Invitation.objects.select_related("organisation").filter(pk=pk).first()
    if invitation is None or not is_open(invitation):
        request.session.pop(SESSION_KEY, None)
        return None
    return invitation


def accept(invitation: Invitation, user: User, request: HttpRequest | None = None) -> None:
    """Let the user in: approve the account and add the membership the invitation names."""
    if user.email.lower() != invitation.email.lower():
        raise ValueError("An invitation can only be accepted by the address it was sent to.")
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not is_open(locked):
            return
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        if user.approval != User.Approval.APPROVED:
            user.approval = User.Approval.APPROVED
            user.save(update_fields=["approval"])
        if locked.name and not user.name:
            user.name = locked.name
            user.save(update_fields=["name"])
        if locked.organisation is not None:
            Membership.objects.get_or_create(
                user=user, organisation=locked.organisation, defaults={"role": locked.role}
            )
        audit.record("invitation.accepted", request=request, actor=user, target=locked)
    if request is not None:
        request.session.pop(SESSION_KEY, None)


def accept_remembered(request: HttpRequest, user: User) -> bool:
    """Accept the session's invitation for this user if it was sent to their address."""
    invitation = remembered(request)
    if invitation is None or invitation.email.lower() != user.email.lower():
        return False
    accept(invitation, user, request)
    return True


def revoke(invitation: Invitation, *, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if updated:
            audit.record("invitation.revoked", request=request, target=invitation)
