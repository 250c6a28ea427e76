"""The search index, its embeddings, synonyms and the search log. No domain model is known here:
a document is identified by its source's name and the key the source gave it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """One searchable document as its source described it, with its analysed tokens.

    The token columns hold space-separated index tokens (analysis.analyze); the engine index is
    built over them by the database itself: an FTS5 table kept in step by triggers on SQLite, a
    generated tsvector column with a GIN index on PostgreSQL (migration 0002).
    """

    source = models.CharField(_("source"), max_length=64)
    key = models.CharField(_("key"), max_length=64)
    lang = models.CharField(_("language"), max_length=8, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("URL"), max_length=500, blank=True)
    # The source's scope labels, each between spaces (sources.scopes_text); "" when it gave none.
    scopes = models.TextField(_("scopes"), blank=True, default="")
    title_tokens = models.TextField(_("title tokens"), blank=True)
    body_tokens = models.TextField(_("body tokens"), blank=True)
    title_length = models.PositiveIntegerField(_("title length"), default=0)
    body_length = models.PositiveIntegerField(_("body length"), default=0)
    # Hash of the text embedded; the embeddings are stale when it differs from content_hash.
    content_hash = models.CharField(_("content hash"), max_length=64)
    embedded_hash = models.CharField(_("embedded hash"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="search_document_source_key")
        ]
        # The newest is looked up to know whether the "did you mean" vocabulary is current.
        # (An index, not db_index: SQLite would rebuild the table, and FTS5's triggers with it.)
        indexes = [models.Index(fields=["updated_at"], name="search_document_updated")]

    def __str__(self) -> str:
        return f"{self.source}:{self.key} {self.title}"

    @property
    def embedding_stale(self) -> bool:
        return self.embedded_hash != self.content_hash


class SearchChunk(models.Model):
    """One embedded piece of a document: its title alone, or its title and opening passage."""

    class Kind(models.TextChoices):
        TITLE = "title", _("Title")
        PASSAGE = "passage", _("Passage")

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="chunks")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    ordinal = models.PositiveSmallIntegerField(_("ordinal"), default=0)
    model = models.CharField(_("model"), max_length=64)
    # float32 little-endian, L2-normalised: cosine similarity is a dot product.
    vector = models.BinaryField(_("vector"))

    class Meta:
        verbose_name = _("search chunk")
        verbose_name_plural = _("search chunks")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "kind", "ordinal"], name="search_chunk_document_kind_ordinal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id}/{self.kind}/{self.ordinal}"


class Synonym(models.Model):
    """Words that mean the same to searchers (PW, パスワード, password); applied to queries."""

    terms = models.TextField(
        _("terms"), help_text=_("Words or phrases that mean the same, separated by commas.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")

    def __str__(self) -> str:
        return self.terms

    @property
    def term_list(self) -> list[str]:
        return [term.strip() for term in self.terms.replace("、", ",").split(",") if term.strip()]


class SearchLog(models.Model):
    """One search as typed by someone: what they looked for, what they got, what happened next."""

    class Surface(models.TextChoices):
        PAGE = "page", _("Search page")
        API = "api", _("API")
        REQUEST_FORM = "request_form", _("Request form")
        WIDGET = "widget", _("Embedded widget")

    created_at = models.DateTimeField(_("searched at"), auto_now_add=True, db_index=True)
    query = models.CharField(_("query"), max_length=500)
    normalized_query = models.CharField(_("normalised query"), max_length=500, db_index=True)
    lang = models.CharField(_("language"), max_length=8)
    mode = models.CharField(_("mode"), max_length=16)
    result_count = models.PositiveIntegerField(_("result count"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    clicked_source = models.CharField(_("clicked source"), max_length=64, blank=True)
    clicked_key = models.CharField(_("clicked key"), max_length=64, blank=True)
    followed_by_request = models.BooleanField(_("followed by a request"), default=False)
    # Where the search was typed: on the request form, an opened suggestion without a request
    # following it is a deflection (an answer found instead of a request).
    surface = models.CharField(_("where"), max_length=16, choices=Surface, blank=True)
    # Where it was typed as a scope label (sources.IndexedDocument.scopes): the brand's, so each
    # help centre's gap report shows its own searches.
    scope = models.CharField(_("scope"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("search log entry")
        verbose_name_plural = _("search log")

    def __str__(self) -> str:
        return self.query
