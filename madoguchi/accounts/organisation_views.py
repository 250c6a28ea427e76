"""The organisation admin pages: members, invitations and settings of one organisation.

Only the organisation's admins reach them; anyone else signed in gets 404, as for an unknown
address, and visitors are asked to sign in first.
"""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from madoguchi.accounts import members, selectors
from madoguchi.accounts.member_forms import InviteForm, RoleForm, SettingsForm
from madoguchi.accounts.models import Invitation, Membership, Organisation
from madoguchi.core.access import object_view
from madoguchi.core.errors import DomainError


def _organisation_kwargs(organisation: Organisation) -> dict[str, str]:
    return {"slug": organisation.slug}


def _member_kwargs(obj: Membership | Invitation) -> dict[str, object]:
    return {"slug": obj.organisation.slug, "pk": obj.pk}


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Go to the first organisation the viewer administers."""
    organisation = selectors.organisations_administered_by(request.user).first()
    if organisation is None:
        raise Http404
    return redirect("organisation:members", slug=organisation.slug)


def _members_page(
    request: HttpRequest,
    organisation: Organisation,
    invite_form: InviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "organisation": organisation,
        "organisations": selectors.organisations_administered_by(request.user),
        "memberships": selectors.organisation_members(organisation),
        "invitations": selectors.organisation_pending_invitations(organisation),
        "invite_form": invite_form or InviteForm(),
        "settings_form": SettingsForm(
            initial={"members_see_all_requests": organisation.members_see_all_requests}
        ),
        "roles": Membership.Role.choices,
    }
    return render(request, "accounts/organisation/members.html", context, status=status)


@object_view(Organisation, url_kwargs=_organisation_kwargs)
@login_required
@require_GET
def members_list(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_administered_get_for(request.user, slug)
    return _members_page(request, organisation)


@object_view(Organisation, url_kwargs=_organisation_kwargs)
@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_administered_get_for(request.user, slug)
    limited = ratelimit.consume_or_429(request, action="organisation_invite")
    if limited is not None:
        return limited
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = members.member_invite(
                organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                language=request.LANGUAGE_CODE,
                request=request,
            )
        except DomainError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("organisation:members", slug=organisation.slug)
    return _members_page(request, organisation, invite_form=form, status=422)


@object_view(Organisation, url_kwargs=_organisation_kwargs)
@login_required
@require_POST
def update_settings(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_administered_get_for(request.user, slug)
    form = SettingsForm(request.POST)
    form.is_valid()  # A single optional checkbox: every submission is valid.
    if members.organisation_settings_update(
        organisation,
        members_see_all_requests=form.cleaned_data["members_see_all_requests"],
        by=request.user,
        request=request,
    ):
        messages.success(request, _("The organisation's settings were saved."))
    return redirect("organisation:members", slug=organisation.slug)


@object_view(Membership, url_kwargs=_member_kwargs)
@login_required
@require_POST
def change_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.organisation_administered_get_for(request.user, slug)
    membership = selectors.membership_get_for(request.user, organisation, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
        return redirect("organisation:members", slug=organisation.slug)
    try:
        changed = members.member_role_change(
            membership, role=form.cleaned_data["role"], by=request.user, request=request
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if changed:
            messages.success(
                request,
                _("%(name)s is now: %(role)s.")
                % {"name": membership.user, "role": membership.get_role_display()},
            )
    return redirect(_after_change(request, organisation))


def _after_change(request: HttpRequest, organisation: Organisation) -> str:
    """Go back to the members page, or home when the viewer no longer administers it."""
    if selectors.organisations_administered_by(request.user).filter(pk=organisation.pk).exists():
        return reverse("organisation:members", kwargs={"slug": organisation.slug})
    return reverse("core:home")


@object_view(Membership, url_kwargs=_member_kwargs)
@login_required
@require_http_methods(["GET", "POST"])
def remove_member(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Ask to confirm (GET), then take the person out of the organisation (POST)."""
    organisation = selectors.organisation_administered_get_for(request.user, slug)
    membership = selectors.membership_get_for(request.user, organisation, pk)
    if request.method == "GET":
        context = {"organisation": organisation, "membership": membership}
        return render(request, "accounts/organisation/remove.html", context)
    try:
        members.member_remove(membership, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s was removed from %(organisation)s.")
            % {"name": membership.user, "organisation": organisation.name},
        )
    return redirect(_after_change(request, organisation))


@object_view(Invitation, url_kwargs=_member_kwargs)
@login_required
@require_POST
def revoke_invitation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.organisation_administered_get_for(request.user, slug)
    invitation = selectors.invitation_pending_get_for(request.user, organisation, pk)
    members.invitation_revoke(invitation, request=request)
    messages.success(
        request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
    )
    return redirect("organisation:members", slug=organisation.slug)
