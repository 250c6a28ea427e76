"""Label the articles' search documents with their place and readers (kb.indexing._scopes).

Documents indexed before labels existed pass every scope, so searches stayed right without this,
only narrower ones came back short. The labels are worked out here as that code does, frozen.
"""

from django.db import migrations

SOURCE = "kb.article"
BATCH = 500
_AUDIENCE = {"public": "public", "signed_in": "signed-in"}


def _labels(article) -> list[str]:
    labels = [f"brand:{article.knowledge_base.brand_id}", f"kb:{article.knowledge_base_id}"]
    if article.section is not None:
        labels.append(f"category:{article.section.category_id}")
    if article.visibility in _AUDIENCE:
        labels.append(_AUDIENCE[article.visibility])
    elif article.visibility == "organisations":
        labels += [f"org:{organisation.pk}" for organisation in article.organisations.all()]
    elif article.visibility == "segments":
        labels += [f"segment:{segment.pk}" for segment in article.segments.all()]
    return labels


def label(apps, schema_editor) -> None:
    Article = apps.get_model("kb", "Article")
    SearchDocument = apps.get_model("search", "SearchDocument")
    documents = SearchDocument.objects.filter(source=SOURCE).only("id", "key").order_by("pk")
    last = 0
    while batch := list(documents.filter(pk__gt=last)[:BATCH]):
        last = batch[-1].pk
        articles_of = {}
        for document in batch:
            article, _dot, _language = document.key.partition(".")
            if article.isdigit():
                articles_of.setdefault(int(article), []).append(document)
        articles = (
            Article.objects.filter(pk__in=list(articles_of))
            .select_related("knowledge_base", "section")
            .prefetch_related("organisations", "segments")
        )
        changed = []
        for article in articles:
            scopes = f" {' '.join(sorted(set(_labels(article))))} "
            for document in articles_of[article.pk]:
                document.scopes = scopes
                changed.append(document)
        SearchDocument.objects.bulk_update(changed, ["scopes"])


class Migration(migrations.Migration):
    # Each batch commits on its own: a large index is not locked for the whole run.
    atomic = False
    dependencies = [
        ("kb", "0003_attachment_published_at"),
        ("search", "0008_document_scopes"),
    ]

    operations = [migrations.RunPython(label, migrations.RunPython.noop)]
