"""The audit log in the admin: read-only, filterable (by IP network too), exportable to CSV.

Nothing here changes an entry: the admin has no add, change or delete permission and no
actions, and the model itself refuses updates and deletes. The export is itself audited.
"""

import json
from collections.abc import Iterator
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.core import audit
from madoguchi.core.csvsafe import Cell, csv_response
from madoguchi.core.models import AuditEvent
from madoguchi.core.networks import parse_network


class IpNetworkFilter(admin.ListFilter):
    """A text box taking one address (203.0.113.7) or a network (203.0.113.0/24, 2001:db8::/32)."""

    title = gettext_lazy("IP address or network")
    parameter_name = "ip_in"
    template = "admin/core/auditevent/ip_filter.html"

    def __init__(
        self, request: HttpRequest, params: dict[str, Any], model: Any, model_admin: Any
    ) -> None:
        super().__init__(request, params, model, model_admin)
        value = params.pop(self.parameter_name, None)
        # The admin passes each parameter as a list of its values.
        self.value = (value[-1] if isinstance(value, list) else value or "").strip()
        self.used_parameters = {self.parameter_name: self.value} if self.value else {}
        # The box's form must carry the other filters and the search along with it.
        self.other_params = [
            (key, item)
            for key, items in request.GET.lists()
            if key not in {self.parameter_name, "p"}
            for item in items
        ]

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return [self.parameter_name]

    def choices(self, changelist: Any) -> list[dict[str, Any]]:
        return [
            {
                "value": self.value,
                "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
                "other_params": self.other_params,
            }
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet:
        if not self.value:
            return queryset
        try:
            network = parse_network(self.value)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return queryset.none()
        if network.num_addresses == 1:
            return queryset.filter(ip=str(network.network_address))
        return queryset.filter(ip__within=str(network))


class OrganisationFilter(admin.SimpleListFilter):
    """The organisations that appear in the log, by the name they had at the time."""

    title = gettext_lazy("organisation")
    parameter_name = "organisation"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        pairs = (
            AuditEvent.objects.exclude(organisation_id=None)
            .order_by("organisation_label")
            .values_list("organisation_id", "organisation_label")
            .distinct()
        )
        return [(str(pk), label) for pk, label in pairs]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters
        return queryset.filter(organisation_id=int(value))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "action",
        "actor_label",
        "organisation_label",
        "target_label",
        "ip",
        "user_agent",
    )
    list_filter = (
        "action",
        ("created_at", admin.DateFieldListFilter),
        ("actor", admin.RelatedOnlyFieldListFilter),
        OrganisationFilter,
        IpNetworkFilter,
    )
    search_fields = ("action", "actor_label", "target_label", "organisation_label", "user_agent")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    change_list_template = "admin/core/auditevent/change_list.html"
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        export = self.admin_site.admin_view(self.export_view)
        return [path("export/", export, name="core_auditevent_export"), *super().get_urls()]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """Download the entries the list shows, with its filters and search, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            events = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("The filters of the audit log are not valid."))
        audit.record(
            "audit.export",
            request=request,
            data={"entries": events.count(), "filters": request.GET.urlencode()},
        )
        return csv_response(
            f"audit-log-{timezone.now():%Y%m%d-%H%M%S}.csv", _export_header(), _export_rows(events)
        )


def _export_header() -> list[str]:
    return [
        _("Time"),
        _("Action"),
        _("Actor"),
        _("Organisation"),
        _("Target type"),
        _("Target id"),
        _("Target"),
        _("IP address"),
        _("User agent"),
        _("Request id"),
        _("Details"),
    ]


def _export_rows(events: QuerySet[AuditEvent]) -> Iterator[list[Cell]]:
    for event in events.iterator(chunk_size=500):
        row: list[Cell] = [
            event.created_at,
            event.action,
            event.actor_label,
            event.organisation_label,
            event.target_type,
            event.target_id,
            event.target_label,
            event.ip,
            event.user_agent,
            event.request_id,
            json.dumps(event.data, ensure_ascii=False, sort_keys=True),
        ]
        yield row
