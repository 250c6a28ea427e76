"""What the reader's pages list: related articles."""

import pytest

from madoguchi.accounts.models import User
from madoguchi.kb import selectors
from madoguchi.kb.models import KnowledgeBase, Visibility
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db


def _titles(articles: list) -> list[str]:
    return [article.shown.title for article in articles]


def test_related_lists_chosen_articles_first_then_the_sections_in_hand_order(
    kb: KnowledgeBase, alice: User
) -> None:
    section = make_section(kb)
    elsewhere = make_section(kb, "billing", category="money")
    main = make_article(kb, "Main", section=section, position=3)
    siblings = [
        make_article(kb, f"Sibling {n}", section=section, position=position)
        for n, position in ((1, 9), (2, 1), (3, 5), (4, 7))
    ]
    picked_late = make_article(kb, "Picked late", section=elsewhere, position=8)
    picked_early = make_article(kb, "Picked early", section=elsewhere, position=2)
    hidden = make_article(kb, "Picked internal", section=elsewhere, visibility=Visibility.INTERNAL)
    main.related.set([picked_late, picked_early, hidden])

    related = selectors.related_articles(alice, main, "en")

    assert _titles(related) == [
        "Picked early",
        "Picked late",
        "Sibling 2",
        "Sibling 3",
        "Sibling 4",
    ]
    assert siblings[0] not in related


def test_related_never_repeats_a_chosen_sibling_nor_lists_the_article(
    kb: KnowledgeBase, alice: User
) -> None:
    section = make_section(kb)
    main = make_article(kb, "Main", section=section, position=1)
    sibling = make_article(kb, "Sibling", section=section, position=2)
    main.related.set([sibling])

    assert _titles(selectors.related_articles(alice, main, "en")) == ["Sibling"]


def test_related_of_an_article_without_section_are_the_chosen_ones_only(
    kb: KnowledgeBase, alice: User
) -> None:
    main = make_article(kb, "Main")
    chosen = make_article(kb, "Chosen")
    make_article(kb, "Unrelated")
    main.related.set([chosen])

    assert _titles(selectors.related_articles(alice, main, "en")) == ["Chosen"]
