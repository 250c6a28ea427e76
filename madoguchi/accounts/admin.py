from typing import Any
from uuid import UUID

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts import (
    account_security_admin,
    admin_views,
    approvals,
    role_admin,  # noqa: F401  (registers the Role and Department admins)
    security_policy_admin,  # noqa: F401  (registers the security policy admin)
    sso_admin,  # noqa: F401  (registers the identity providers' admin)
    user_export,
)
from madoguchi.accounts.models import Membership, Organisation, OrganisationTag, User
from madoguchi.core import audit

Reply = HttpResponse | None


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "name",
        "approval",
        "is_staff",
        "is_superuser",
        "is_active",
        "date_joined",
    ]
    list_filter = ["approval", "is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["name", "language", "time_zone"]}),
        (
            _("Access"),
            {"fields": ["approval", "is_active", "is_staff", "is_away", "is_superuser", "groups"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    # Decisions go through the approve and reject actions, which mail the person and audit.
    readonly_fields = ["approval"]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    change_list_template = "admin/accounts/user/change_list.html"
    actions = [
        "export_csv",
        "approve_users",
        "reject_users",
        "force_password_reset",
        "reset_mfa",
        "deactivate_users",
        "reactivate_users",
    ]

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_upload_view), name="accounts_user_import"),
            path(
                "import/<uuid:import_id>/",
                wrap(self.import_preview_view),
                name="accounts_user_import_preview",
            ),
            path(
                "import/<uuid:import_id>/confirm/",
                wrap(self.import_confirm_view),
                name="accounts_user_import_confirm",
            ),
            path(
                "import/<uuid:import_id>/status/",
                wrap(self.import_status_view),
                name="accounts_user_import_status",
            ),
            path("export/", wrap(self.export_view), name="accounts_user_export"),
            *super().get_urls(),
        ]

    def import_upload_view(self, request: HttpRequest) -> HttpResponse:
        return admin_views.import_upload(request, self)

    def import_preview_view(self, request: HttpRequest, import_id: UUID) -> HttpResponse:
        return admin_views.import_preview(request, self, import_id)

    def import_confirm_view(self, request: HttpRequest, import_id: UUID) -> HttpResponse:
        return admin_views.import_confirm(request, self, import_id)

    def import_status_view(self, request: HttpRequest, import_id: UUID) -> HttpResponse:
        return admin_views.import_status(request, self, import_id)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        return admin_views.export(request, self)

    @admin.action(description=_("Export selected users to CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse:
        return user_export.user_export_response(queryset, request=request, selection="selected")

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(approvals.PERMISSION)

    @admin.action(description=_("Approve selected registrations"), permissions=["approve"])
    def approve_users(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        return admin_views.decide_registrations(request, self, queryset, approve=True)

    @admin.action(description=_("Reject selected registrations"), permissions=["approve"])
    def reject_users(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        return admin_views.decide_registrations(request, self, queryset, approve=False)

    def has_account_security_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    @admin.action(description=_("Force a password reset"), permissions=["account_security"])
    def force_password_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> Reply:
        return account_security_admin.confirm_and_run(
            request, self, queryset, "force_password_reset"
        )

    @admin.action(
        description=_("Reset two-factor authentication"), permissions=["account_security"]
    )
    def reset_mfa(self, request: HttpRequest, queryset: QuerySet[User]) -> Reply:
        return account_security_admin.confirm_and_run(request, self, queryset, "reset_mfa")

    @admin.action(description=_("Deactivate selected accounts"), permissions=["account_security"])
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> Reply:
        return account_security_admin.confirm_and_run(request, self, queryset, "deactivate_users")

    @admin.action(description=_("Reactivate selected accounts"), permissions=["account_security"])
    def reactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> Reply:
        return account_security_admin.confirm_and_run(request, self, queryset, "reactivate_users")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Save, and audit a change of the flags that grant access (once, here, not by signal)."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change:
                account_security_admin.audit_flag_changes(request, obj, form)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Save the roles and other relations, and audit the roles given or taken away."""
        with transaction.atomic():
            before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
            super().save_related(request, form, formsets, change)
            after = set(form.instance.groups.values_list("name", flat=True))
            account_security_admin.audit_role_changes(request, form.instance, before, after)


@admin.register(OrganisationTag)
class OrganisationTagAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["tags"]
    inlines = [MembershipInline]

    # Settings that decide who sees what or how people sign in: each change is audited.
    AUDITED = ("members_see_all_requests", "require_mfa", "sso_only")

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = {name: getattr(obj, name) for name in self.AUDITED if name in form.changed_data}
        if change and changed:
            audit.record(
                "organisation.settings_changed",
                request=request,
                target=obj,
                organisation=obj,
                data=changed,
            )
