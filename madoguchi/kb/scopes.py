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

from collections.abc import Collection, Hashable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from madoguchi.accounts.models import Membership, Organisation
from madoguchi.accounts.scopes import may_use_portal
from madoguchi.accounts.selectors import places_of
from madoguchi.core import access
from madoguchi.core.expressions import LinkedTo
from madoguchi.core.memo import per_request
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
    live_condition,
)


def _is_agent(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.is_active)


def segment_ids(user: Any) -> frozenset[int]:
    """Return the ids of the segments the user belongs to, read once per request."""
    if not user.is_authenticated:
        return frozenset()
    return per_request(("kb_segments", user.pk), lambda: _segment_ids(user))


def _segment_ids(user: Any) -> frozenset[int]:
    places = places_of(user)
    if not places:
        return frozenset()
    segments: dict[int, tuple[str, set[int], set[int]]] = {}
    rows = Segment.objects.values_list("pk", "role", "organisations", "organisation_tags")
    for pk, role, organisation, tag in rows:
        _role, organisations, tags = segments.setdefault(pk, (role, set(), set()))
        if organisation is not None:
            organisations.add(organisation)
        if tag is not None:
            tags.add(tag)
    if not segments:
        return frozenset()
    tags_of: dict[int, set[int]] = {}
    through = Organisation.tags.through.objects.filter(
        organisation__in=[place.organisation_id for place in places]
    )
    for organisation, tag in through.values_list("organisation", "organisationtag"):
        tags_of.setdefault(organisation, set()).add(tag)
    memberships = [
        (place.organisation_id, Membership.Role.ADMIN if place.is_admin else Membership.Role.MEMBER)
        for place in places
    ]
    return frozenset(
        pk
        for pk, segment in segments.items()
        if any(_meets(segment, membership, tags_of) for membership in memberships)
    )


def _meets(
    segment: tuple[str, set[int], set[int]],
    membership: tuple[int, str],
    tags_of: dict[int, set[int]],
) -> bool:
    """Tell whether one membership meets every condition the segment sets (Segment: a
    segment with no condition at all matches nobody)."""
    role, organisations, tags = segment
    organisation, held_role = membership
    if not (organisations or tags or role):
        return False
    return (
        (not organisations or organisation in organisations)
        and (not tags or bool(tags & tags_of.get(organisation, set())))
        and (not role or role == held_role)
    )


def _reader_rule(user: Any, through: str = "") -> Q:
    """Return the visibility condition for a reader who is not an agent, on the article or,
    with through="article__", on a row of the article's (a translation, a file): joined, not
    asked in a subquery, so SQLite checks the rows at hand, never every readable article."""
    # Visitors, and customers still waiting for approval, read public articles only.
    if not user.is_authenticated or not may_use_portal(user):
        return Q(**{f"{through}visibility": Visibility.PUBLIC})
    rule = Q(**{f"{through}visibility__in": [Visibility.PUBLIC, Visibility.SIGNED_IN]})
    if organisations := [place.organisation_id for place in places_of(user)]:
        rule |= _chosen(through, Visibility.ORGANISATIONS, "organisations", organisations)
    if segments := segment_ids(user):
        rule |= _chosen(through, Visibility.SEGMENTS, "segments", segments)
    return rule


def reader_audience(user: Any) -> Hashable | None:
    """Return what the user's reading rights depend on: readers with the same audience may read
    the same articles (_reader_rule asks exactly these), so their help-centre pages can be
    shared. None for agents, who see drafts and every audience."""
    if _is_agent(user):
        return None
    if not user.is_authenticated or not may_use_portal(user):
        return ("public",)
    organisations = sorted(place.organisation_id for place in places_of(user))
    return ("reader", tuple(organisations), tuple(sorted(segment_ids(user))))


def reader_labels(user: Any) -> tuple[str, ...] | None:
    """Return the audience labels of the articles the user may read (article_labels), to keep a
    search to them inside its engine: what _reader_rule asks, as labels. None for agents."""
    audience = reader_audience(user)
    if audience is None or audience == ("public",):
        return audience
    _reader, organisations, segments = audience
    return (
        "public",
        "signed-in",
        *(f"org:{pk}" for pk in organisations),
        *(f"segment:{pk}" for pk in segments),
    )


def article_labels(article: Article) -> list[str]:
    """Return who may read the article as labels (reader_labels); none for internal ones.

    Reads its organisations and segments: prefetch them for many articles.
    """
    match article.visibility:
        case Visibility.PUBLIC:
            return ["public"]
        case Visibility.SIGNED_IN:
            return ["signed-in"]
        case Visibility.ORGANISATIONS:
            return [f"org:{organisation.pk}" for organisation in article.organisations.all()]
        case Visibility.SEGMENTS:
            return [f"segment:{segment.pk}" for segment in article.segments.all()]
    return []


def _chosen(through: str, visibility: str, field: str, ids: Collection[int]) -> Q:
    """The article has this visibility and is linked through `field` (a many-to-many of
    Article) to one of the ids."""
    link = Article._meta.get_field(field)
    return Q(**{f"{through}visibility": visibility}) & LinkedTo(
        link.remote_field.through,
        of=f"{through}pk",
        from_column=link.m2m_column_name(),
        to_column=link.m2m_reverse_name(),
        ids=ids,
    )


def articles(user: Any, queryset: QuerySet[Article]) -> QuerySet[Article]:
    """Agents see every article; others live articles their visibility lets them read."""
    if _is_agent(user):
        return queryset
    return queryset.live().filter(_reader_rule(user))


def readable_articles(user: Any) -> QuerySet[Article]:
    return articles(user, Article.objects.all())


def _of_readable_article(user: Any) -> Q:
    """The row's article is live and one the user may read."""
    return live_condition("article__") & _reader_rule(user, through="article__")


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
    return queryset.filter(_of_readable_article(user), is_published=True)


def attachments(user: Any, queryset: QuerySet[ArticleAttachment]) -> QuerySet[ArticleAttachment]:
    """A file is served under its article's visibility, once published with it (not while it
    belongs to a draft)."""
    if _is_agent(user):
        return queryset
    return queryset.filter(_of_readable_article(user), published_at__isnull=False)


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
