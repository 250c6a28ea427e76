"""How a help centre is laid out: knowledge bases, categories, sections, tags and segments.

Categories and sections carry no visibility of their own: a reader sees one only while it holds
an article they may read (kb/scopes.py), so a container's name never leaks what it hides.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Membership, Organisation, OrganisationTag
from madoguchi.branding.models import Brand
from madoguchi.core.translated import in_language


class NamedInLanguages:
    """`name` and `description` in the viewer's language, falling back to another one."""

    slug: str

    @property
    def name(self) -> str:
        return in_language(self, "name") or self.slug

    @property
    def description(self) -> str:
        return in_language(self, "description")


class Visibility(models.TextChoices):
    """Who may read an article."""

    PUBLIC = "public", _("Everyone, signed in or not")
    SIGNED_IN = "signed_in", _("Signed-in users")
    ORGANISATIONS = "organisations", _("Members of chosen organisations")
    SEGMENTS = "segments", _("Chosen user segments")
    INTERNAL = "internal", _("Agents only (internal)")


class KnowledgeBase(NamedInLanguages, models.Model):
    """One help centre of a brand; a brand may have several (product docs, internal handbook)."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="knowledge_bases", verbose_name=_("brand")
    )
    slug = models.SlugField(_("slug"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    default_visibility = models.CharField(
        _("default visibility"),
        max_length=16,
        choices=Visibility,
        default=Visibility.PUBLIC,
        help_text=_("New and imported articles start with this visibility."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("knowledge base")
        verbose_name_plural = _("knowledge bases")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "slug"], name="kb_slug_unique_per_brand")
        ]

    def __str__(self) -> str:
        return self.name_en or self.name_ja or self.slug


class Category(NamedInLanguages, models.Model):
    """The top level of a knowledge base ("Billing", "Getting started")."""

    knowledge_base = models.ForeignKey(
        KnowledgeBase, on_delete=models.CASCADE, related_name="categories"
    )
    slug = models.SlugField(_("slug"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["knowledge_base", "slug"], name="kb_category_slug_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name_en or self.name_ja or self.slug


class Section(NamedInLanguages, models.Model):
    """A group of articles inside a category; its slug is unique in the knowledge base."""

    knowledge_base = models.ForeignKey(
        KnowledgeBase, on_delete=models.CASCADE, related_name="sections"
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="sections")
    slug = models.SlugField(_("slug"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=120, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("article section")
        verbose_name_plural = _("article sections")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["knowledge_base", "slug"], name="kb_section_slug_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name_en or self.name_ja or self.slug


class Tag(models.Model):
    """A label on articles of one knowledge base; readers can list the articles with it."""

    knowledge_base = models.ForeignKey(KnowledgeBase, on_delete=models.CASCADE, related_name="tags")
    slug = models.SlugField(_("slug"), max_length=80, allow_unicode=True)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("article tag")
        verbose_name_plural = _("article tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["knowledge_base", "slug"], name="kb_tag_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Segment(models.Model):
    """A group of customers an article can be aimed at.

    A customer belongs to the segment when one of their memberships meets every condition that
    is set: its organisation is one of `organisations`, its organisation has one of
    `organisation_tags`, and its role is `role`. A segment with no condition matches nobody, so a
    half-configured segment never opens an article to everyone.
    """

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="kb_segments")
    name = models.CharField(_("name"), max_length=120)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="kb_segments", verbose_name=_("organisations")
    )
    organisation_tags = models.ManyToManyField(
        OrganisationTag,
        blank=True,
        related_name="kb_segments",
        verbose_name=_("organisation tags"),
    )
    role = models.CharField(
        _("role in the organisation"),
        max_length=16,
        choices=Membership.Role,
        blank=True,
        help_text=_("Leave empty for any role."),
    )

    class Meta:
        verbose_name = _("user segment")
        verbose_name_plural = _("user segments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="kb_segment_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class SlugRedirect(models.Model):
    """A slug a category, section or article once had; its old URL answers 301 to the new one.

    `object_id` is a plain value: the target is fetched through the reader's scope, so a
    redirect to a deleted or hidden object is a 404 like any other.
    """

    class Kind(models.TextChoices):
        CATEGORY = "category", _("category")
        SECTION = "section", _("section")
        ARTICLE = "article", _("article")

    knowledge_base = models.ForeignKey(
        KnowledgeBase, on_delete=models.CASCADE, related_name="slug_redirects"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    # Empty for categories and sections, whose slugs are the same in every language.
    language = models.CharField(_("language"), max_length=8, blank=True)
    slug = models.CharField(_("old slug"), max_length=200)
    object_id = models.PositiveBigIntegerField(_("object id"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("old URL")
        verbose_name_plural = _("old URLs")
        constraints = [
            models.UniqueConstraint(
                fields=["knowledge_base", "kind", "language", "slug"],
                name="kb_slug_redirect_unique",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="kb_slug_redirect_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.language} {self.slug} → {self.object_id}"
