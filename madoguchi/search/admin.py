from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from madoguchi.search.models import SearchLog, Synonym
from madoguchi.search.query import forget_synonyms


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("terms", "created_at")
    search_fields = ("terms",)

    def save_model(self, request: HttpRequest, obj: Synonym, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_synonyms()

    def delete_model(self, request: HttpRequest, obj: Synonym) -> None:
        super().delete_model(request, obj)
        forget_synonyms()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Synonym]) -> None:
        super().delete_queryset(request, queryset)
        forget_synonyms()


@admin.register(SearchLog)
class SearchLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "normalized_query", "lang", "result_count", "followed_by_request")
    list_filter = ("lang", "mode", "followed_by_request")
    search_fields = ("normalized_query",)
    readonly_fields = [field.name for field in SearchLog._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
