"""Help-centre pages for readers: thin, every read through kb.selectors (scoped by core.access)."""

import secrets
from typing import Any
from urllib.parse import urlencode

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core.paginator import InvalidPage, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import feedgenerator, translation
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.core.access import object_view
from madoguchi.core.errors import DomainError
from madoguchi.core.page_cache import shared_page
from madoguchi.core.translated import active_language
from madoguchi.core.uploads import private_file_response
from madoguchi.kb import selectors, services
from madoguchi.kb.forms import FeedbackForm
from madoguchi.kb.models import (
    Article,
    ArticleAttachment,
    Category,
    KnowledgeBase,
    Section,
    SlugRedirect,
    Tag,
)

PAGE_SIZE = 20
_VISITOR_KEY = "kb_visitor"


def _reader_audience(request: HttpRequest) -> Any:
    """Readers with the same reading rights share cached pages (core.page_cache)."""
    return selectors.reader_audience(request.user)


def _kb_kwargs(kb: KnowledgeBase) -> dict[str, str]:
    return {"kb": kb.slug}


def _in_kb(obj: Category | Section | Tag) -> dict[str, str]:
    return {"kb": obj.knowledge_base.slug, "slug": obj.slug}


def _article_kwargs(article: Article) -> dict[str, str]:
    return {"kb": article.knowledge_base.slug, "slug": article.translations.first().slug}


@shared_page(_reader_audience)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """List the brand's knowledge bases; with only one, go straight to it."""
    bases = list(selectors.knowledge_bases_for(request.user, request.brand))
    if len(bases) == 1:
        return redirect("kb:home", kb=bases[0].slug)
    return render(request, "kb/index.html", {"bases": bases})


@shared_page(_reader_audience)
@object_view(KnowledgeBase, url_kwargs=_kb_kwargs)
@require_GET
def home(request: HttpRequest, kb: str) -> HttpResponse:
    found = selectors.knowledge_base_get_for(request.user, request.brand, kb)
    language = active_language()
    context = {
        "kb": found,
        "categories": selectors.categories_for(request.user, found),
        "popular": selectors.popular_articles(request.user, found, language),
        "recent": selectors.recent_articles(request.user, found, language),
        **_language_links(request),
    }
    return render(request, "kb/home.html", context)


def _language_links(request: HttpRequest, page: Any = None) -> dict[str, Any]:
    """Return the canonical address of a page shown alike in every language (a knowledge base,
    category, section or tag: only the language prefix differs) and its address in each."""
    query = f"?{urlencode({'page': page.number})}" if page is not None and page.number > 1 else ""
    # Translated from the path the URLconf knows (without a SCRIPT_NAME prefix); reversing
    # puts the prefix back.
    alternates = [
        (code, request.build_absolute_uri(translate_url(request.path_info + query, code)))
        for code, _name in settings.LANGUAGES
    ]
    return {
        "canonical_url": request.build_absolute_uri(request.path + query),
        "alternates": alternates,
        "default_url": dict(alternates)[get_supported_language_variant(settings.LANGUAGE_CODE)],
    }


def _moved(request: HttpRequest, kb: KnowledgeBase, kind: str, slug: str, view: str) -> Any:
    """Answer 301 to the new address of a renamed category or section, else 404."""
    current = selectors.container_slug_after_rename(request.user, kb, kind, slug)
    return redirect(view, kb=kb.slug, slug=current, permanent=True)


@shared_page(_reader_audience)
@object_view(Category, url_kwargs=_in_kb)
@require_GET
def category(request: HttpRequest, kb: str, slug: str) -> HttpResponse:
    found_kb = selectors.knowledge_base_holding(request.brand, kb)
    try:
        found = selectors.category_get_for(request.user, found_kb, slug)
    except Http404:
        return _moved(request, found_kb, SlugRedirect.Kind.CATEGORY, slug, "kb:category")
    sections = selectors.categories_for(request.user, found_kb)
    shown = next((c for c in sections if c.pk == found.pk), found)
    context = {"kb": found_kb, "category": shown, **_language_links(request)}
    return render(request, "kb/category.html", context)


@shared_page(_reader_audience)
@object_view(Section, url_kwargs=_in_kb)
@require_GET
def section(request: HttpRequest, kb: str, slug: str) -> HttpResponse:
    found_kb = selectors.knowledge_base_holding(request.brand, kb)
    try:
        found = selectors.section_get_for(request.user, found_kb, slug)
    except Http404:
        return _moved(request, found_kb, SlugRedirect.Kind.SECTION, slug, "kb:section")
    language = active_language()
    articles = selectors.section_articles(request.user, found, language)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "kb": found_kb,
        "section": found,
        "page": page,
        "articles": selectors.shown_in(page.object_list, language),
        **_language_links(request, page),
    }
    return render(request, "kb/section.html", context)


@shared_page(_reader_audience)
@object_view(Tag, url_kwargs=_in_kb)
@require_GET
def tag(request: HttpRequest, kb: str, slug: str) -> HttpResponse:
    found_kb = selectors.knowledge_base_holding(request.brand, kb)
    found = selectors.tag_get_for(request.user, found_kb, slug)
    language = active_language()
    page = Paginator(selectors.tag_articles(request.user, found), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "kb": found_kb,
        "tag": found,
        "page": page,
        "articles": selectors.shown_in(page.object_list, language),
        **_language_links(request, page),
    }
    return render(request, "kb/tag.html", context)


def _count_cached_view(_request: HttpRequest, article_id: int) -> None:
    services.article_view_record(article_id)


@shared_page(_reader_audience, on_hit=_count_cached_view)
@object_view(Article, url_kwargs=_article_kwargs)
@require_GET
def article(request: HttpRequest, kb: str, slug: str) -> HttpResponse:
    found_kb = selectors.knowledge_base_holding(request.brand, kb)
    page = selectors.article_page_get_for(request.user, found_kb, active_language(), slug)
    if page.redirect_slug:
        return redirect("kb:article", kb=found_kb.slug, slug=page.redirect_slug, permanent=True)
    services.article_view_record(page.article.pk)
    response = _article_render(request, found_kb, page, FeedbackForm())
    response.cache_note = page.article.pk
    return response


def _article_render(
    request: HttpRequest,
    kb: KnowledgeBase,
    page: selectors.ArticlePage,
    form: FeedbackForm,
    status: int = 200,
) -> HttpResponse:
    language = active_language()
    context = {
        "kb": kb,
        "page": page,
        "article": page.article,
        "translation": page.translation,
        "tags": selectors.article_tags(page.article),
        "related": selectors.related_articles(request.user, page.article, language),
        "attachments": selectors.article_attachments(
            page.article, language, page.translation.body_html
        ),
        "form": form,
        "canonical_url": _absolute_article_url(request, kb, page.translation),
        "alternates": [
            (t.language, _absolute_article_url(request, kb, t)) for t in page.translations
        ],
        "default_url": _absolute_article_url(request, kb, page.original),
    }
    return render(request, "kb/article.html", context, status=status)


def _absolute_article_url(request: HttpRequest, kb: KnowledgeBase, shown: Any) -> str:
    path = selectors.article_path(kb.slug, shown.language, shown.slug)
    return request.build_absolute_uri(path)


@object_view(Article, url_kwargs=_article_kwargs)
@require_POST
def vote(request: HttpRequest, kb: str, slug: str) -> HttpResponse:
    """Record "Was this helpful?"; a visitor is told apart by a random key in their session."""
    found_kb = selectors.knowledge_base_holding(request.brand, kb)
    page = selectors.article_page_get_for(request.user, found_kb, active_language(), slug)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _article_render(request, found_kb, page, form, status=422)
    if not ratelimit.consume(request, action="kb_vote"):
        form.add_error(None, _("Too much feedback from your address. Please try again later."))
        return _article_render(request, found_kb, page, form, status=429)
    signed_in = request.user.is_authenticated
    visitor = "" if signed_in else request.session.setdefault(_VISITOR_KEY, secrets.token_hex(16))
    try:
        services.feedback_give(
            services.Vote(
                article=page.article,
                language=page.translation.language,
                user=request.user if signed_in else None,
                visitor_key=visitor,
                **form.cleaned_data,
            )
        )
    except DomainError as error:
        form.add_error(None, str(error))
        return _article_render(request, found_kb, page, form, status=422)
    messages.success(request, _("Thank you for your feedback."))
    url = reverse("kb:article", kwargs={"kb": found_kb.slug, "slug": page.translation.slug})
    return redirect(f"{url}#feedback")


@object_view(ArticleAttachment, url_kwargs=lambda found: {"pk": found.pk})
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a file of an article the reader may read; any other file is a 404."""
    found = selectors.attachment_get_for(request.user, pk)
    return private_file_response(found.file, name=found.name, content_type=found.content_type)


# Pages that are no one's answer to a search: people's own, staff's, and search results.
_NOT_FOR_CRAWLERS = (
    "/accounts/",
    "/admin/",
    "/agent/",
    "/api/",
    "/notifications/",
    "/organisation/",
    "/requests/",
)


@require_GET
def robots(request: HttpRequest) -> HttpResponse:
    """robots.txt: where the sitemaps are, and what crawlers need not read.

    A brand whose content requires sign-in has nothing public: it asks crawlers to stay out.
    """
    if request.brand.content_requires_sign_in:
        lines = ["User-agent: *", "Disallow: /"]
    else:
        languages = [code for code, _name in settings.LANGUAGES]
        lines = ["User-agent: *"]
        lines += [f"Disallow: {prefix}" for prefix in _NOT_FOR_CRAWLERS]
        lines += [f"Disallow: /{code}/search/" for code in languages]
        for code in languages:
            with translation.override(code):
                lines.append(f"Sitemap: {request.build_absolute_uri(reverse('kb:sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    """The sitemap index of this language: one entry per page of public articles."""
    pages = selectors.sitemap_paginator(request.brand, active_language()).page_range
    page_url = request.build_absolute_uri(reverse("kb:sitemap_page"))
    locations = [f"{page_url}?page={n}" for n in pages]
    return render(
        request,
        "kb/sitemap_index.xml",
        {"locations": locations},
        content_type="application/xml; charset=utf-8",
    )


@require_GET
def sitemap_page(request: HttpRequest) -> HttpResponse:
    """One page (?page=N) of the public articles in this language, with their other languages."""
    pages = selectors.sitemap_paginator(request.brand, active_language())
    try:
        page = pages.page(request.GET.get("page", ""))
    except InvalidPage as exc:
        raise Http404 from exc
    entries = selectors.sitemap_entries(page.object_list)
    return render(
        request,
        "kb/sitemap.xml",
        {"entries": entries, "base": request.build_absolute_uri("/")[:-1]},
        content_type="application/xml; charset=utf-8",
    )


@object_view(KnowledgeBase, url_kwargs=_kb_kwargs)
@require_GET
def feed(request: HttpRequest, kb: str) -> HttpResponse:
    """An Atom feed of the knowledge base's public articles in this language."""
    found = selectors.knowledge_base_get_for(request.user, request.brand, kb)
    language = active_language()
    home_url = request.build_absolute_uri(reverse("kb:home", kwargs={"kb": found.slug}))
    atom = feedgenerator.Atom1Feed(
        title=selectors.kb_name(found),
        link=home_url,
        description="",
        language=language,
        feed_url=request.build_absolute_uri(),
    )
    for entry in selectors.public_feed_entries(found, language):
        link = reverse("kb:article", kwargs={"kb": found.slug, "slug": entry.slug})
        atom.add_item(
            title=entry.title,
            link=request.build_absolute_uri(link),
            description=entry.meta_description,
            unique_id=request.build_absolute_uri(link),
            updateddate=entry.updated_at,
            pubdate=entry.published_at,
        )
    return HttpResponse(atom.writeString("utf-8"), content_type="application/atom+xml")
