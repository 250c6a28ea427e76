"""Knowledge-base structure in the admin; articles are written in the editor, not here."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from madoguchi.kb import formats, imports, services
from madoguchi.kb.models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleTranslation,
    ArticleVersion,
    Category,
    KnowledgeBase,
    Section,
    Segment,
    SlugRedirect,
    Tag,
)


class ArticleImportForm(forms.Form):
    knowledge_base = forms.SlugField(
        label=_("Knowledge base"),
        max_length=80,
        help_text=_("Its slug; a new knowledge base (public by default) is created if missing."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A JSON lines file (.jsonl), one Markdown file with front matter (.md), or a ZIP "
            "of Markdown files. See docs/knowledge-base.md for the format."
        ),
    )


@admin.register(KnowledgeBase)
class KnowledgeBaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "brand", "default_visibility", "position"]
    list_filter = ["brand"]
    prepopulated_fields = {"slug": ["name_en"]}

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="kb_knowledgebase_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Import articles like manage.py import_articles: all or nothing, every problem listed."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ArticleImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            problems = self._import(request, form)
            if not problems:
                return redirect("admin:kb_knowledgebase_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import articles"),
            "form": form,
            "problems": problems,
        }
        status = 422 if form.errors or problems else 200
        return render(request, "admin/kb/knowledgebase/import.html", context, status=status)

    def _import(self, request: HttpRequest, form: ArticleImportForm) -> list[str]:
        upload = form.cleaned_data["file"]
        data = upload.read()
        name = upload.name or "upload"
        try:
            files = formats.files_in_zip(data) if name.endswith(".zip") else [(name, data)]
        except formats.ArchiveRefusedError as refused:
            return [str(refused)]
        parsed = formats.parse_files(files)
        if parsed.errors:
            return parsed.errors
        if not parsed.entries:
            return [str(_("The file holds no articles."))]
        try:
            result = imports.articles_import(
                brand=request.brand,
                kb_slug=form.cleaned_data["knowledge_base"],
                entries=parsed.entries,
                author=request.user,
            )
        except imports.ImportRefusedError as refused:
            return refused.problems
        messages.success(
            request,
            _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )
        return []


class _KeepsOldAddresses:
    """A category or section renamed here keeps its old address, answering 301 to the new one."""

    redirect_kind: str

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        old = form.initial.get("slug", "") if change else ""
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        if change:
            services.container_slug_moved(obj, self.redirect_kind, old)


@admin.register(Category)
class CategoryAdmin(_KeepsOldAddresses, admin.ModelAdmin):
    list_display = ["__str__", "slug", "knowledge_base", "position"]
    list_filter = ["knowledge_base"]
    list_editable = ["position"]
    redirect_kind = SlugRedirect.Kind.CATEGORY


@admin.register(Section)
class SectionAdmin(_KeepsOldAddresses, admin.ModelAdmin):
    list_display = ["__str__", "slug", "category", "knowledge_base", "position"]
    list_filter = ["knowledge_base"]
    list_editable = ["position"]
    redirect_kind = SlugRedirect.Kind.SECTION


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "knowledge_base"]
    list_filter = ["knowledge_base"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "role"]
    filter_horizontal = ["organisations", "organisation_tags"]


class TranslationInline(admin.StackedInline):
    model = ArticleTranslation
    extra = 0
    fields = ["language", "is_published", "title", "slug", "meta_description"]
    readonly_fields = ["language", "is_published", "title", "slug", "meta_description"]
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Placement, visibility and ownership; text changes go through the editor's services."""

    list_display = ["__str__", "knowledge_base", "section", "status", "visibility", "view_count"]
    list_filter = ["knowledge_base", "status", "visibility"]
    search_fields = ["external_id", "translations__title"]
    raw_id_fields = ["section", "owner", "related"]
    filter_horizontal = ["organisations", "segments", "tags"]
    readonly_fields = [
        "status",
        "publish_at",
        "view_count",
        "helpful_count",
        "not_helpful_count",
        "created_at",
        "updated_at",
    ]
    inlines = [TranslationInline]


@admin.register(ArticleVersion)
class ArticleVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article", "language", "number", "author", "created_at"]
    list_filter = ["language"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ArticleAttachment)
class ArticleAttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "article", "content_type", "size", "created_at"]
    readonly_fields = ["file", "content_type", "size", "uploaded_by", "created_at"]


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(admin.ModelAdmin):
    list_display = ["article", "helpful", "follow_up", "language", "created_at"]
    list_filter = ["helpful", "follow_up", "language"]
    readonly_fields = ["article", "language", "user", "visitor_key", "helpful", "comment"]


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["slug", "kind", "language", "object_id", "knowledge_base"]
    list_filter = ["kind", "language"]
