"""Knowledge-base structure in the admin; articles are written in the editor, not here."""

from django.contrib import admin

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


@admin.register(KnowledgeBase)
class KnowledgeBaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "brand", "default_visibility", "position"]
    list_filter = ["brand"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "knowledge_base", "position"]
    list_filter = ["knowledge_base"]
    list_editable = ["position"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "category", "knowledge_base", "position"]
    list_filter = ["knowledge_base"]
    list_editable = ["position"]


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
