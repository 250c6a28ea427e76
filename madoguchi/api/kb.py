"""/api/v1/kb/: the help centre for integrations: its categories, sections and articles.

What the caller may read and nothing else: visitors get public articles, a signed-in session
what its pages show (the same scopes). Texts come in the language asked for, else in the
article's source language, and say which (`language`, `is_fallback`).
"""

from datetime import datetime
from typing import Literal

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from madoguchi.api.errors import ApiError, count_checked
from madoguchi.api.schemas import Problem
from madoguchi.core.translated import active_language
from madoguchi.kb import selectors
from madoguchi.kb.models import Article, ArticleTranslation

router = Router(tags=["help centre"])
PAGE_SIZE_MAX = 100
Language = Literal["", *[code for code, _name in settings.LANGUAGES]]  # type: ignore[valid-type]


class SectionOut(Schema):
    id: int
    slug: str
    name: str
    description: str


class CategoryOut(Schema):
    id: int
    knowledge_base: str
    slug: str
    name: str
    description: str
    sections: list[SectionOut]


class CategoryList(Schema):
    results: list[CategoryOut]


class ArticleSummary(Schema):
    id: int
    external_id: str
    knowledge_base: str
    section_id: int | None
    language: str
    is_fallback: bool
    title: str
    url: str
    tags: list[str]
    updated_at: datetime


class ArticlePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ArticleSummary]


class ArticleDetail(ArticleSummary):
    category_id: int | None
    body_html: str
    languages: list[str]
    last_reviewed_at: datetime | None


class ListParams(Schema):
    lang: Language = ""
    kb: str = ""
    category: int | None = None
    section: int | None = None
    tag: str = ""
    sort: Literal["position", "updated", "popular"] = "position"
    page: int = 1
    page_size: int = 25


class LanguageParam(Schema):
    lang: Language = ""


def _language(asked: str) -> str:
    return asked or active_language()


@router.get(
    "/categories",
    response={200: CategoryList, 422: Problem},
    auth=None,
    summary="List the help centre's categories and sections",
)
def list_categories(request: HttpRequest, params: Query[LanguageParam]) -> CategoryList:
    with translation.override(_language(params.lang)):
        return CategoryList(
            results=[
                CategoryOut(
                    id=category.pk,
                    knowledge_base=kb.slug,
                    slug=category.slug,
                    name=category.name,
                    description=category.description,
                    sections=[
                        SectionOut(
                            id=section.pk,
                            slug=section.slug,
                            name=section.name,
                            description=section.description,
                        )
                        for section in category.visible_sections
                    ],
                )
                for kb, categories in selectors.api_categories(request.user, request.brand)
                for category in categories
            ]
        )


@router.get(
    "/articles",
    response={200: ArticlePage, 400: Problem, 422: Problem},
    auth=None,
    summary="List the help centre's articles",
)
def list_articles(request: HttpRequest, params: Query[ListParams]) -> ArticlePage:
    count_checked("page_size", params.page_size, PAGE_SIZE_MAX)
    chosen = selectors.ApiArticleFilter(
        knowledge_base=params.kb.strip(),
        category=params.category,
        section=params.section,
        tag=params.tag.strip(),
        sort=params.sort,
    )
    paginator = Paginator(
        selectors.api_articles(request.user, request.brand, chosen), params.page_size
    )
    page = paginator.get_page(params.page)
    language = _language(params.lang)
    return ArticlePage(
        count=paginator.count,
        page=page.number,
        page_size=params.page_size,
        results=[
            _summary(request, article, language)
            for article in selectors.shown_in(page.object_list, language)
        ],
    )


@router.get(
    "/articles/{article_id}",
    response={200: ArticleDetail, 404: Problem, 422: Problem},
    auth=None,
    summary="Read one article",
)
def get_article(
    request: HttpRequest, article_id: int, params: Query[LanguageParam]
) -> ArticleDetail:
    article = selectors.api_article_get(request.user, request.brand, article_id)
    language = _language(params.lang)
    shown = selectors.pick_translation(article, language)
    if shown is None:
        raise ApiError(404, _("Not found."))
    article.shown = shown
    section = article.section
    return ArticleDetail(
        **_summary(request, article, language).model_dump(),
        category_id=section.category_id if section else None,
        body_html=shown.body_html,
        languages=[text.language for text in article.published],
        last_reviewed_at=article.last_reviewed_at,
    )


def _summary(request: HttpRequest, article: Article, language: str) -> ArticleSummary:
    shown: ArticleTranslation = article.shown
    path = selectors.article_path(article.knowledge_base.slug, shown.language, shown.slug)
    return ArticleSummary(
        id=article.pk,
        external_id=article.external_id,
        knowledge_base=article.knowledge_base.slug,
        section_id=article.section_id,
        language=shown.language,
        is_fallback=shown.language != language,
        title=shown.title,
        url=request.build_absolute_uri(path),
        tags=[tag.name for tag in article.tags.all()],
        updated_at=article.updated_at,
    )
