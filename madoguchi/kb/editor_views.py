"""The knowledge-base editor in the agent workspace: thin views over kb.authoring and
kb.editor_selectors. Customers get 404 (staff_view); agents without the editor permission 403."""

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from madoguchi.core.access import object_view, staff_view
from madoguchi.core.errors import DomainError
from madoguchi.core.middleware import request_size_limit
from madoguchi.kb import authoring, history, services
from madoguchi.kb import editor_selectors as selectors
from madoguchi.kb import selectors as kb_selectors
from madoguchi.kb.editor_forms import (
    DraftForm,
    FilterForm,
    NewArticleForm,
    NewTranslationForm,
    ReturnForm,
    ReviewRequestForm,
    SettingsForm,
)
from madoguchi.kb.formats import BODY_MAX
from madoguchi.kb.models import (
    Article,
    ArticleReview,
    ArticleTranslation,
    ArticleVersion,
)
from madoguchi.kb.services import render_body

PAGE_SIZE = 50


def editor_view[View: Callable[..., Any]](view: View) -> View:
    """Open the view to knowledge-base editors: customers 404, other agents 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not selectors.may_edit(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return staff_view(wrapper)  # type: ignore[return-value]


@editor_view
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    kbs = selectors.knowledge_bases_for_editor(request.user)
    form = FilterForm(request.GET or None, knowledge_bases=kbs)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ArticleFilters(
        knowledge_base=getattr(data.get("knowledge_base"), "pk", None),
        status=data.get("status", ""),
        language=data.get("language", ""),
        owner=getattr(data.get("owner"), "pk", None),
        overdue=bool(data.get("overdue")),
        outdated=bool(data.get("outdated")),
    )
    articles = selectors.articles_for_editor(request.user, filters)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(article, selectors.translation_states(article)) for article in page]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "reviews": selectors.reviews_waiting(request.user),
        "follow_up_count": kb_selectors.follow_ups_open(request.user, owner=request.user).count(),
    }
    return render(request, "kb/editor/index.html", context)


@editor_view
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    kbs = selectors.knowledge_bases_for_editor(request.user)
    form = NewArticleForm(request.POST or None, knowledge_bases=kbs, initial=_prefill(request.GET))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        translation = authoring.article_start(
            knowledge_base=data["knowledge_base"],
            language=data["language"],
            text=authoring.DraftText(data["title"], data["body"], data["meta_description"]),
            author=request.user,
        )
        messages.success(request, _("The draft was saved."))
        return redirect("kb_agent:edit", pk=translation.pk)
    return render(request, "kb/editor/new.html", {"form": form})


def _prefill(query: QueryDict) -> dict[str, str]:
    """Start the draft with the title and language a knowledge gap's link names."""
    prefill = {"title": query.get("title", "")[:200]}
    if query.get("language") in dict(settings.LANGUAGES):
        prefill["language"] = query["language"]
    return prefill


@editor_view
@object_view(Article)
@require_http_methods(["GET", "POST"])
def article(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.article_for_editor(request.user, pk)
    form = SettingsForm(request.POST or None, article=item, initial=_settings_initial(item))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            authoring.article_settings_update(
                item,
                settings=authoring.ArticleSettings(
                    section=data["section"],
                    visibility=data["visibility"],
                    organisations=list(data["organisations"]),
                    segments=list(data["segments"]),
                    tags=list(data["tags"]),
                    related=list(data["related"]),
                    owner=data["owner"],
                    review_by=data["review_by"],
                    new_tags=data["new_tags"],
                    position=data["position"],
                ),
                by=request.user,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The article's settings were saved."))
            return redirect("kb_agent:article", pk=item.pk)
    context = {
        "article": item,
        "form": form,
        "translations": selectors.translation_states(item),
        "new_translation": NewTranslationForm(),
    }
    return render(request, "kb/editor/article.html", context)


def _settings_initial(item: Article) -> dict[str, Any]:
    return {
        "section": item.section,
        "visibility": item.visibility,
        "organisations": item.organisations.all(),
        "segments": item.segments.all(),
        "tags": item.tags.all(),
        "related": item.related.all(),
        "owner": item.owner,
        "review_by": item.review_by,
        "position": item.position,
    }


@editor_view
@object_view(Article)
@require_POST
def lifecycle(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive, unarchive or mark as reviewed (the button's name says which)."""
    item = selectors.article_for_editor(request.user, pk)
    action = request.POST.get("action", "")
    done = {
        "archive": (authoring.article_archive, _("The article was archived.")),
        "unarchive": (authoring.article_unarchive, _("The article was brought back.")),
        "reviewed": (authoring.article_mark_reviewed, _("The article was marked as reviewed.")),
    }.get(action)
    if done is None:
        messages.error(request, _("Choose what to do with the article."))
    else:
        service, message = done
        service(item, by=request.user)
        messages.success(request, message)
    return redirect("kb_agent:article", pk=item.pk)


@editor_view
@object_view(Article)
@require_POST
def translation_new(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.article_for_editor(request.user, pk)
    form = NewTranslationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a language."))
        return redirect("kb_agent:article", pk=item.pk)
    try:
        translation = authoring.translation_start(
            item, language=form.cleaned_data["language"], author=request.user
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("kb_agent:article", pk=item.pk)
    return redirect("kb_agent:edit", pk=translation.pk)


@editor_view
@object_view(ArticleTranslation)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    translation = selectors.translation_for_editor(request.user, pk)
    form = DraftForm(request.POST or None, initial=_draft_initial(translation))
    review_form = ReviewRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and review_form.is_valid():
        data = form.cleaned_data
        text = authoring.DraftText(data["title"], data["body"], data["meta_description"])
        try:
            authoring.draft_save(translation, text=text, author=request.user)
            if "review" in request.POST:
                authoring.review_request(
                    translation, by=request.user, publish_at=review_form.cleaned_data["publish_at"]
                )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            sent = "review" in request.POST
            messages.success(
                request, _("The draft was sent for review.") if sent else _("The draft was saved.")
            )
            return redirect("kb_agent:edit", pk=translation.pk)
    return render(
        request, "kb/editor/edit.html", _edit_context(request, translation, form, review_form)
    )


def _draft_initial(translation: ArticleTranslation) -> dict[str, str]:
    if authoring.has_draft(translation):
        return {
            "title": translation.draft_title,
            "body": translation.draft_body,
            "meta_description": translation.draft_meta_description,
        }
    return {
        "title": translation.title,
        "body": translation.body,
        "meta_description": translation.meta_description,
    }


def _edit_context(
    request: HttpRequest, translation: ArticleTranslation, form: DraftForm, review_form: Any
) -> dict[str, Any]:
    item = translation.article
    states = selectors.translation_states(item)
    review = selectors.open_review(translation)
    return {
        "article": item,
        "translation": translation,
        "form": form,
        "review_form": review_form,
        "review": review,
        "may_approve": review is not None
        and selectors.may_approve(request.user, review, translation),
        "return_form": ReturnForm(),
        "returned": selectors.last_returned(translation),
        "outdated": next((old for t, old in states if t.pk == translation.pk), False),
        "translations": states,
        "has_draft": authoring.has_draft(translation),
    }


@editor_view
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The draft rendered exactly as readers will get it (the same render as publishing)."""
    return HttpResponse(render_body(request.POST.get("body", "")[:BODY_MAX]))


@editor_view
@object_view(Article)
@request_size_limit("ATTACHMENT_MAX_BYTES", gettext_lazy("A file may be at most %(limit)s."))
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Store a dropped or chosen file on the article; answers JSON for the editor's script."""
    item = selectors.article_for_editor(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("Choose a file to upload.")}, status=400)
    try:
        attachment = services.attachment_add(item, upload, draft=True, by=request.user)
    except DomainError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(
        {
            "url": services.attachment_url(attachment),
            "name": attachment.name,
            "image": attachment.content_type.startswith("image/"),
        }
    )


@editor_view
@object_view(ArticleReview)
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for_editor(request.user, pk)
    action = request.POST.get("action", "")
    try:
        if action == "approve":
            review = authoring.review_approve(review, by=request.user)
            published = review.state == ArticleReview.State.PUBLISHED
            messages.success(
                request,
                _("The article was published.")
                if published
                else _("The publication is scheduled."),
            )
        elif action == "cancel":
            authoring.review_cancel(review, by=request.user)
            messages.success(request, _("The review was withdrawn."))
        else:
            form = ReturnForm(request.POST)
            comment = form.cleaned_data["comment"] if form.is_valid() else ""
            authoring.review_return(review, by=request.user, comment=comment)
            messages.success(request, _("The draft was sent back to its author."))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("kb_agent:edit", pk=review.translation_id)


@editor_view
@object_view(ArticleTranslation)
@require_GET
def versions(request: HttpRequest, pk: int) -> HttpResponse:
    """The versions of one translation, and the difference between any two of them."""
    translation = selectors.translation_for_editor(request.user, pk)
    all_versions = list(
        selectors.versions_of(request.user, translation.article, translation.language)
    )
    by_number = {str(version.number): version for version in all_versions}
    old = by_number.get(request.GET.get("old", ""))
    new = by_number.get(request.GET.get("new", ""))
    rows = None
    if old and new:
        rows = history.diff(f"# {old.title}\n\n{old.body}", f"# {new.title}\n\n{new.body}")
    context = {
        "translation": translation,
        "article": translation.article,
        "versions": all_versions,
        "old": old,
        "new": new,
        "rows": rows,
    }
    return render(request, "kb/editor/versions.html", context)


@editor_view
@object_view(ArticleVersion)
@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    version = selectors.version_for_editor(request.user, pk)
    try:
        translation = authoring.version_restore(version, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        translation = selectors.translation_of(request.user, version)
        return redirect("kb_agent:versions", pk=translation.pk)
    messages.success(
        request,
        _("Version %(number)d is now the draft; send it for review to publish it.")
        % {"number": version.number},
    )
    return redirect("kb_agent:edit", pk=translation.pk)
