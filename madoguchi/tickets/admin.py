from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from madoguchi.tickets import sla
from madoguchi.tickets.inbound import services as inbound_services
from madoguchi.tickets.models import (
    BrandMailbox,
    BusinessCalendar,
    BusinessHours,
    Category,
    FormField,
    Holiday,
    InboundMail,
    Macro,
    RequestType,
    SlaEvent,
    SlaPolicy,
)

RAW_PREVIEW_BYTES = 200_000


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name_en", "name_ja", "brand", "position"]
    list_editable = ["position"]
    list_filter = ["brand"]
    search_fields = ["name_en", "name_ja"]


class FormFieldInline(admin.StackedInline):
    model = FormField
    fk_name = "request_type"
    extra = 0
    fieldsets = [
        (None, {"fields": [("key", "kind", "required", "position")]}),
        (_("Label"), {"fields": [("label_en", "label_ja"), ("help_en", "help_ja")]}),
        (_("Choices and condition"), {"fields": ["choices", ("show_when", "show_when_value")]}),
    ]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: object):
        if db_field.name == "show_when":
            # Only saved fields of the request type being edited can be conditions.
            match = request.resolver_match
            parent_id = str(match.kwargs.get("object_id", "")) if match else ""
            parent_id = int(parent_id) if parent_id.isdigit() else None
            kwargs["queryset"] = FormField.objects.filter(request_type_id=parent_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "department", "default_priority", "is_active"]
    list_filter = ["brand", "category", "is_active", "department"]
    search_fields = ["name_en", "name_ja", "keywords"]
    list_select_related = ["category", "department"]
    inlines = [FormFieldInline]
    fieldsets = [
        (None, {"fields": ["brand", "category", "is_active", "position"]}),
        (
            _("Text"),
            {"fields": [("name_en", "name_ja"), ("description_en", "description_ja"), "keywords"]},
        ),
        (
            _("Handling"),
            {"fields": ["department", "default_priority", "needs_organisation_approval"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RequestType]:
        return super().get_queryset(request).select_related("category", "department")


@admin.register(BrandMailbox)
class BrandMailboxAdmin(admin.ModelAdmin):
    list_display = ["address", "brand", "unknown_senders", "sends_mail"]
    list_select_related = ["brand"]


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    """Received mail, and the quarantine: read the raw message, release it or delete it (R38)."""

    list_display = ["received_at", "sender", "subject", "status", "reason", "ticket", "source"]
    list_filter = ["status", "reason", "source"]
    search_fields = ["sender", "subject", "message_id"]
    list_select_related = ["ticket"]
    date_hierarchy = "received_at"
    actions = ["release"]
    readonly_fields = [
        "received_at", "processed_at", "status", "reason", "detail", "sender", "subject",
        "message_id", "source", "envelope_from", "envelope_to", "size", "raw_sha256", "attempts",
        "ticket", "created_message", "raw_download", "raw_text",
    ]  # fmt: skip
    exclude = ["raw"]

    # Deleting goes through inbound_delete, which removes the raw file and audits it.
    def delete_model(self, request: HttpRequest, obj: InboundMail) -> None:
        inbound_services.inbound_delete(obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        for mail in queryset:
            inbound_services.inbound_delete(mail, by=request.user)

    @admin.display(description=_("raw message"))
    def raw_download(self, obj: InboundMail) -> str:
        url = reverse("agent:inbound-raw", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the .eml file"))

    @admin.display(description=_("raw text"))
    def raw_text(self, obj: InboundMail) -> str:
        # Shown as text: the admin escapes it. Long messages are cut; the download has it all.
        with obj.raw.open("rb") as raw:
            return raw.read(RAW_PREVIEW_BYTES).decode("utf-8", "replace")

    @admin.action(description=_("Release: process the selected mail again"))
    def release(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        for mail in queryset:
            done = inbound_services.inbound_release(mail, by=request.user)
            level = messages.SUCCESS if done.status in {"ticket", "reply"} else messages.WARNING
            self.message_user(
                request,
                _("%(mail)s: %(status)s") % {"mail": done, "status": done.get_status_display()},
                level,
            )


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]
    search_fields = ["name"]
    inlines = [BusinessHoursInline, HolidayInline]
    actions = ["add_japanese_holidays"]

    @admin.action(description=_("Add Japanese national holidays (this year and next)"))
    def add_japanese_holidays(
        self, request: HttpRequest, queryset: QuerySet[BusinessCalendar]
    ) -> None:
        year = timezone.localdate().year
        for calendar in queryset:
            added = sum(sla.japanese_holidays_add(calendar, year=y) for y in (year, year + 1))
            self.message_user(
                request,
                ngettext(
                    "%(calendar)s: %(count)d holiday added.",
                    "%(calendar)s: %(count)d holidays added.",
                    added,
                )
                % {"calendar": calendar.name, "count": added},
                messages.SUCCESS,
            )


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "priority",
        "organisation",
        "request_type",
        "calendar",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "position",
        "is_active",
    ]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "priority", "calendar", "pause_on_hold"]
    search_fields = ["name_en", "name_ja", "organisation__name"]
    list_select_related = ["organisation", "request_type", "calendar"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": [("name_en", "name_ja"), ("is_active", "position")]}),
        (_("Applies to"), {"fields": ["priority", "organisation", "request_type"]}),
        (
            _("Targets in business minutes"),
            {
                "fields": [
                    "calendar",
                    ("first_response_minutes", "next_response_minutes", "resolution_minutes"),
                ]
            },
        ),
        (
            _("Warnings and pauses"),
            {"fields": [("warn_percent", "warn_minutes_before"), "pause_on_hold"]},
        ),
    ]


@admin.register(SlaEvent)
class SlaEventAdmin(admin.ModelAdmin):
    """The record of warnings and breaches, read-only: the clock writes it."""

    list_display = ["created_at", "ticket", "target__metric", "kind"]
    list_filter = ["kind", "target__metric", "created_at"]
    list_select_related = ["ticket", "target"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    """Shared macros are kept here; agents keep their personal ones in the workspace."""

    list_display = ["name", "owner", "brand", "set_status", "set_priority", "is_active"]
    list_filter = ["is_active", "brand", ("owner", admin.EmptyFieldListFilter)]
    search_fields = ["name", "body"]
    list_select_related = ["owner", "brand"]
    autocomplete_fields = ["owner"]
    fieldsets = [
        (None, {"fields": ["name", "body", "is_active"]}),
        (_("Who may use it"), {"fields": ["owner", "brand"]}),
        (
            _("Changes staged with the reply"),
            {
                "fields": [
                    "set_status",
                    "set_priority",
                    "add_tags",
                    "assign_to_me",
                    "set_department",
                ]
            },
        ),
    ]
