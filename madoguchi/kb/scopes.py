"""Who may read what in the knowledge base (registered with core.access, open to visitors).

Agents may see every article, drafts included; reader pages narrow to live ones themselves.
Everyone else sees live articles only, by the article's visibility:

- public: everyone, visitors included;
- signed in: any approved, signed-in customer;
- organisations: members of one of the article's organisations;
- segments: customers in one of the article's segments (Segment says when one belongs);
- internal: agents only.

Knowledge bases, categories, sections and tags are seen while they hold an article the reader
may see, so an empty or hidden container answers 404 like a missing one.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from madoguchi.accounts.models import Membership, Organisation
from madoguchi.accounts.scopes import may_use_portal
from madoguchi.accounts.selectors import places_of
from madoguchi.core import access
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
    Tag,
    Visibility,
)


def _is_agent(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.is_active)


def reader_segments(user: Any) -> QuerySet[Segment]:
    """Return the segments the user belongs to, as a subquery: asking costs no query of its own.

    One of the user's memberships must meet every condition a segment sets: its organisation is
    one of the segment's, its organisation carries one of the segment's tags, its role is the
    segment's. A segment with no condition at all matches nobody (see Segment).
    """
    places = places_of(user) if user.is_authenticated else []
    if not places:
        return Segment.objects.none()
    names_organisations = Segment.organisations.through.objects.filter(segment=OuterRef("pk"))
    names_tags = Segment.organisation_tags.through.objects.filter(segment=OuterRef("pk"))
    matched = Q()
    for place in places:
        role = Membership.Role.ADMIN if place.is_admin else Membership.Role.MEMBER
        tags_of_place = Organisation.tags.through.objects.filter(
            organisation=place.organisation_id
        ).values("organisationtag")
        matched |= (
            (
                ~Exists(names_organisations)
                | Exists(names_organisations.filter(organisation=place.organisation_id))
            )
            & (~Exists(names_tags) | Exists(names_tags.filter(organisationtag__in=tags_of_place)))
            & Q(role__in=["", role])
        )
    has_condition = Exists(names_organisations) | Exists(names_tags) | ~Q(role="")
    return Segment.objects.filter(matched, has_condition)


def _reader_rule(user: Any) -> Q:
    """Return the visibility condition for a reader who is not an agent."""
    # Visitors, and customers still waiting for approval, read public articles only.
    if not user.is_authenticated or not may_use_portal(user):
        return Q(visibility=Visibility.PUBLIC)
    chosen_organisations = Article.organisations.through.objects.filter(
        organisation__in=[place.organisation_id for place in places_of(user)]
    ).values("article")
    chosen_segments = Article.segments.through.objects.filter(
        segment__in=reader_segments(user).values("pk")
    ).values("article")
    return (
        Q(visibility__in=[Visibility.PUBLIC, Visibility.SIGNED_IN])
        | Q(visibility=Visibility.ORGANISATIONS, pk__in=chosen_organisations)
        | Q(visibility=Visibility.SEGMENTS, pk__in=chosen_segments)
    )


def articles(user: Any, queryset: QuerySet[Article]) -> QuerySet[Article]:
    """Agents see every article; others live articles their visibility lets them read."""
    if _is_agent(user):
        return queryset
    return queryset.live().filter(_reader_rule(user))


def readable_articles(user: Any) -> QuerySet[Article]:
    return articles(user, Article.objects.all())


def _article_readable(user: Any) -> Exists:
    """The row's article is one the user may read, asked row by row: a search checks a hundred
    rows, and `article IN (every readable article)` made SQLite list 100,000 articles first."""
    return Exists(readable_articles(user).filter(pk=OuterRef("article_id")))


def knowledge_bases(user: Any, queryset: QuerySet[KnowledgeBase]) -> QuerySet[KnowledgeBase]:
    if _is_agent(user):
        return queryset
    held = readable_articles(user).filter(knowledge_base=OuterRef("pk"))
    return queryset.filter(Exists(held))


def categories(user: Any, queryset: QuerySet[Category]) -> QuerySet[Category]:
    if _is_agent(user):
        return queryset
    held = readable_articles(user).filter(section__category=OuterRef("pk"))
    return queryset.filter(Exists(held))


def sections(user: Any, queryset: QuerySet[Section]) -> QuerySet[Section]:
    if _is_agent(user):
        return queryset
    held = readable_articles(user).filter(section=OuterRef("pk"))
    return queryset.filter(Exists(held))


def tags(user: Any, queryset: QuerySet[Tag]) -> QuerySet[Tag]:
    if _is_agent(user):
        return queryset
    held = readable_articles(user).filter(tags=OuterRef("pk"))
    return queryset.filter(Exists(held))


def translations(user: Any, queryset: QuerySet[ArticleTranslation]) -> QuerySet[ArticleTranslation]:
    """Agents see every translation; readers the published ones of articles they may read."""
    if _is_agent(user):
        return queryset
    return queryset.filter(is_published=True).filter(_article_readable(user))


def attachments(user: Any, queryset: QuerySet[ArticleAttachment]) -> QuerySet[ArticleAttachment]:
    """A file is served under its article's visibility."""
    if _is_agent(user):
        return queryset
    return queryset.filter(_article_readable(user))


def versions(user: Any, queryset: QuerySet[ArticleVersion]) -> QuerySet[ArticleVersion]:
    """Past versions are the editors' business."""
    return queryset if _is_agent(user) else queryset.none()


def feedback(user: Any, queryset: QuerySet[ArticleFeedback]) -> QuerySet[ArticleFeedback]:
    """Agents see all feedback; a signed-in reader their own votes."""
    if _is_agent(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(user=user)


def register() -> None:
    access.register(KnowledgeBase, knowledge_bases, anonymous=True)
    access.register(Category, categories, anonymous=True)
    access.register(Section, sections, anonymous=True)
    access.register(Tag, tags, anonymous=True)
    access.register(Article, articles, anonymous=True)
    access.register(ArticleTranslation, translations, anonymous=True)
    access.register(ArticleAttachment, attachments, anonymous=True)
    access.register(ArticleVersion, versions)
    access.register(ArticleFeedback, feedback)
