"""Publishing one translation: its Markdown rendered once, and an immutable version written.

The rendering goes through core.markdown (the one sanitiser, R14) with the article files'
address as the only place images may come from; the editor's preview uses render_body too, so
what an editor sees is what readers get.
"""

from typing import Any

from django.db.models import Max
from django.utils import timezone

from madoguchi.core import markdown
from madoguchi.kb.models import Article, ArticleTranslation, ArticleVersion

# Article files (and the images in article bodies) are served under this path (kb/file_urls.py).
FILES_PREFIX = "/kb-files/"


def render_body(body: str) -> str:
    """Return the sanitised HTML readers see for an article body."""
    return markdown.render(body, image_prefix=FILES_PREFIX)


def translation_publish(
    translation: ArticleTranslation, *, author: Any, reviewer: Any = None, note: str = ""
) -> ArticleVersion:
    """Make the translation's draft its live text, writing version n+1.

    The caller holds the translation's row lock (select_for_update) inside a transaction.
    """
    now = timezone.now()
    article = translation.article
    version = _version_write(translation, author=author, reviewer=reviewer, note=note)
    translation.title = version.title
    translation.body = version.body
    translation.body_html = render_body(version.body)
    translation.meta_description = version.meta_description
    translation.current_version = version
    translation.source_version = version.source_version
    translation.is_published = True
    translation.published_at = translation.published_at or now
    translation.updated_at = now
    translation.draft_title = translation.draft_body = translation.draft_meta_description = ""
    translation.draft_updated_at = None
    translation.draft_author = None
    translation.save()
    fields = {"updated_at": now}
    if article.status != Article.Status.PUBLISHED:
        fields |= {"status": Article.Status.PUBLISHED, "publish_at": article.publish_at or now}
        if article.status == Article.Status.SCHEDULED:
            fields["publish_at"] = min(article.publish_at or now, now)
    Article.objects.filter(pk=article.pk).update(**fields)
    for name, value in fields.items():
        setattr(article, name, value)
    return version


def _version_write(
    translation: ArticleTranslation, *, author: Any, reviewer: Any, note: str
) -> ArticleVersion:
    article = translation.article
    latest = article.versions.filter(language=translation.language).aggregate(n=Max("number"))
    source = None
    if translation.language != article.source_language:
        source = (
            ArticleTranslation.objects.filter(article=article, language=article.source_language)
            .values_list("current_version", flat=True)
            .first()
        )
    return ArticleVersion.objects.create(
        article=article,
        language=translation.language,
        number=(latest["n"] or 0) + 1,
        title=translation.draft_title or translation.title,
        body=translation.draft_body,
        meta_description=translation.draft_meta_description,
        author=author,
        reviewer=reviewer,
        source_version_id=source,
        note=note[:300],
    )
