"""LinkedTo: a row linked through a many-to-many table to one of some ids."""

import pytest
from django.db.models import Exists, OuterRef

from madoguchi.accounts.models import Organisation
from madoguchi.core.expressions import LinkedTo
from madoguchi.kb.models import Article, KnowledgeBase
from tests.factories import make_article, make_kb, make_organisation

pytestmark = pytest.mark.django_db


def _for(organisations: list[Organisation]) -> LinkedTo:
    return LinkedTo(
        Article.organisations.through,
        from_column="article_id",
        to_column="organisation_id",
        ids=[organisation.pk for organisation in organisations],
    )


def test_finds_rows_linked_to_one_of_the_ids(org_a: Organisation, org_b: Organisation) -> None:
    other = make_organisation("Initech", "initech")
    kb = make_kb()
    for_a = make_article(kb, "For A", organisations=[org_a])
    for_both = make_article(kb, "For both", organisations=[org_a, org_b])
    make_article(kb, "For the other", organisations=[other])
    for_nobody = make_article(kb, "For nobody")

    assert set(Article.objects.filter(_for([org_a]))) == {for_a, for_both}
    assert set(Article.objects.filter(_for([org_b, org_a]))) == {for_a, for_both}
    assert set(Article.objects.exclude(_for([other]))) == {for_a, for_both, for_nobody}


def test_follows_the_tables_alias_into_a_subquery(org_a: Organisation) -> None:
    """Inside EXISTS the article table is renamed; the link must follow it, not the outer row."""
    holds = make_kb("holds")
    make_kb("empty")
    make_article(holds, "For A", organisations=[org_a])
    linked = Article.objects.filter(_for([org_a]), knowledge_base=OuterRef("pk"))

    assert list(KnowledgeBase.objects.filter(Exists(linked))) == [holds]


def test_needs_an_id() -> None:
    with pytest.raises(ValueError, match="at least one id"):
        _for([])
