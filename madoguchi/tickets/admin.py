from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from madoguchi.tickets.models import Category, FormField, Macro, RequestType


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
