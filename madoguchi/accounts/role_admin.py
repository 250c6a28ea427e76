"""Staff roles and departments in the admin: roles are named sets of permissions given to agents.

The stock Group admin is replaced by the Role admin, which also assigns the agents holding the
role, so a role is managed in one place.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Department, Role, User
from madoguchi.core import audit


class RoleForm(forms.ModelForm):
    staff = forms.ModelMultipleChoiceField(
        label=_("Agents and admins with this role"),
        queryset=User.objects.filter(is_staff=True).order_by("email"),
        required=False,
        widget=admin.widgets.FilteredSelectMultiple(_("agents"), is_stacked=False),
    )

    class Meta:
        model = Role
        fields = ["name", "permissions"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["staff"].initial = self.instance.user_set.filter(is_staff=True)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleForm
    list_display = ["name", "permission_count", "staff_count"]
    search_fields = ["name"]
    filter_horizontal = ["permissions"]

    @admin.display(description=_("permissions"))
    def permission_count(self, role: Role) -> int:
        return role.permissions.count()

    @admin.display(description=_("agents"))
    def staff_count(self, role: Role) -> int:
        return role.user_set.count()

    def save_related(
        self, request: HttpRequest, form: RoleForm, formsets: Any, change: bool
    ) -> None:
        """Save the permissions and holders, and audit the role as it now stands."""
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            role = form.instance
            non_staff = role.user_set.filter(is_staff=False)
            role.user_set.set([*form.cleaned_data["staff"], *non_staff])
            audit.record(
                "role.changed" if change else "role.created",
                request=request,
                target=role,
                data={
                    "permissions": sorted(
                        f"{p.content_type.app_label}.{p.codename}"
                        for p in role.permissions.select_related("content_type")
                    ),
                    "staff": sorted(user.email for user in form.cleaned_data["staff"]),
                },
            )

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """Delete roles one at a time, through delete_model, so each deletion is audited."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request: HttpRequest, obj: Role) -> None:
        with transaction.atomic():
            audit.record("role.deleted", request=request, target=obj)
            super().delete_model(request, obj)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "assignment", "member_count"]
    search_fields = ["name"]
    filter_horizontal = ["members"]

    @admin.display(description=_("agents"))
    def member_count(self, department: Department) -> int:
        return department.members.count()


admin.site.unregister(Group)
