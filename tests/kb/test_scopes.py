"""Who reads what: each visibility, segments by organisation, tag and role, and visitors."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from madoguchi.accounts.models import Membership, Organisation, OrganisationTag, User
from madoguchi.branding.services import default_brand
from madoguchi.core import access
from madoguchi.core.memo import request_memo
from madoguchi.kb.models import Article, ArticleFeedback, ArticleVersion, Segment, Visibility
from madoguchi.tickets.models import Ticket
from tests.factories import make_article, make_kb, make_user

pytestmark = pytest.mark.django_db


def _readable(user: object) -> set[str]:
    return {a.external_id for a in access.visible(user, Article)}


def _article(visibility: str, key: str, **fields: object) -> Article:
    return make_article(make_kb(), key, visibility=visibility, external_id=key, **fields)


def test_visitors_read_public_articles_only(alice: User) -> None:
    _article(Visibility.PUBLIC, "public")
    _article(Visibility.SIGNED_IN, "signed-in")
    _article(Visibility.INTERNAL, "internal")

    assert _readable(AnonymousUser()) == {"public"}
    assert _readable(None) == {"public"}
    assert _readable(alice) == {"public", "signed-in"}


def test_deactivated_accounts_are_treated_as_visitors(alice: User) -> None:
    _article(Visibility.SIGNED_IN, "signed-in")
    alice.is_active = False

    assert _readable(alice) == set()


def test_customers_waiting_for_approval_read_public_articles_only(alice: User) -> None:
    _article(Visibility.PUBLIC, "public")
    _article(Visibility.SIGNED_IN, "signed-in")
    alice.approval = User.Approval.PENDING

    assert _readable(alice) == {"public"}


def test_chosen_organisations(alice: User, carol: User, org_a: Organisation) -> None:
    _article(Visibility.ORGANISATIONS, "for-a", organisations=[org_a])

    assert _readable(alice) == {"for-a"}
    assert _readable(carol) == set()


def test_agents_see_everything_including_drafts(dave: User) -> None:
    _article(Visibility.INTERNAL, "internal")
    draft = _article(Visibility.PUBLIC, "draft")
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.DRAFT)

    assert _readable(dave) == {"internal", "draft"}
    assert _readable(AnonymousUser()) == set()


def test_drafts_and_future_schedules_are_hidden_from_readers(alice: User) -> None:
    later = _article(Visibility.PUBLIC, "later")
    draft = _article(Visibility.PUBLIC, "draft")
    Article.objects.filter(pk=later.pk).update(
        status=Article.Status.SCHEDULED, publish_at=timezone.now() + timedelta(days=1)
    )
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.DRAFT)
    due = _article(Visibility.PUBLIC, "due")
    Article.objects.filter(pk=due.pk).update(status=Article.Status.SCHEDULED)

    assert _readable(alice) == {"due"}


def _segment(name: str, **conditions: object) -> Segment:
    organisations = conditions.pop("organisations", [])
    tags = conditions.pop("tags", [])
    segment = Segment.objects.create(brand=default_brand(), name=name, **conditions)
    segment.organisations.set(organisations)
    segment.organisation_tags.set(tags)
    return segment


def _segmented(key: str, segment: Segment) -> Article:
    article = _article(Visibility.SEGMENTS, key)
    article.segments.set([segment])
    return article


def test_segment_by_organisation_tag(alice: User, carol: User, org_b: Organisation) -> None:
    enterprise = OrganisationTag.objects.create(name="enterprise")
    org_b.tags.add(enterprise)
    _segmented("enterprise", _segment("Enterprise", tags=[enterprise]))

    assert _readable(carol) == {"enterprise"}
    assert _readable(alice) == set()


def test_segment_by_role(alice: User, bob: User) -> None:
    _segmented("admins", _segment("Organisation admins", role=Membership.Role.ADMIN))

    assert _readable(bob) == {"admins"}
    assert _readable(alice) == set()


def test_segment_conditions_all_apply_to_one_membership(
    alice: User, bob: User, org_a: Organisation, org_b: Organisation
) -> None:
    """Admin of organisation A and member of B: an "admins of B" segment does not match."""
    Membership.objects.create(user=bob, organisation=org_b, role=Membership.Role.MEMBER)
    _segmented("b-admins", _segment("B admins", organisations=[org_b], role="admin"))
    _segmented("a-admins", _segment("A admins", organisations=[org_a], role="admin"))

    assert _readable(bob) == {"a-admins"}


def test_segment_without_conditions_matches_nobody(alice: User) -> None:
    _segmented("nobody", _segment("Empty"))

    assert _readable(alice) == set()


def test_segment_matching_needs_every_condition_on_one_membership(
    alice: User, org_a: Organisation, org_b: Organisation
) -> None:
    """Tag from B, organisation A: two memberships together do not make one that matches."""
    enterprise = OrganisationTag.objects.create(name="enterprise")
    org_b.tags.add(enterprise)
    Membership.objects.create(user=alice, organisation=org_b, role=Membership.Role.MEMBER)
    _segmented("a-enterprise", _segment("A enterprise", organisations=[org_a], tags=[enterprise]))
    _segmented("b-enterprise", _segment("B enterprise", organisations=[org_b], tags=[enterprise]))
    _segmented("b-admins", _segment("B admins", tags=[enterprise], role="admin"))

    assert _readable(alice) == {"b-enterprise"}


def test_segments_cost_the_same_queries_however_many_and_once_per_request(
    alice: User, org_a: Organisation, org_b: Organisation, django_assert_num_queries: object
) -> None:
    Membership.objects.create(user=alice, organisation=org_b, role=Membership.Role.ADMIN)
    tag = OrganisationTag.objects.create(name="gold")
    org_a.tags.add(tag)
    for n in range(6):
        _segmented(f"s{n}", _segment(f"Segment {n}", organisations=[org_a], tags=[tag]))

    # The memberships, the segments, the organisations' tags, then the articles; a second
    # list in the same request asks for its articles only.
    with request_memo(), django_assert_num_queries(5):
        assert len(_readable(alice)) == 6
        assert len(_readable(alice)) == 6


def test_other_models_stay_closed_to_visitors(alice: User) -> None:
    """Opening kb to visitors must not open anything else: tickets stay fail-closed."""
    assert not access.visible(AnonymousUser(), Ticket).exists()
    assert access.visible(AnonymousUser(), ArticleVersion).query.is_empty()
    assert access.visible(AnonymousUser(), ArticleFeedback).query.is_empty()


def test_an_unregistered_model_still_fails_closed() -> None:
    with pytest.raises(ImproperlyConfigured):
        access.visible(AnonymousUser(), Segment)


def test_a_new_user_with_no_membership_reads_signed_in_articles(db: None) -> None:
    _article(Visibility.SIGNED_IN, "signed-in")
    _segmented("members", _segment("Members", role="member"))

    assert _readable(make_user("new@example.com")) == {"signed-in"}
