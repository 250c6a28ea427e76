from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from madoguchi.accounts.models import Membership, Notification, User
from madoguchi.core.prepared import Prepared
from tests.factories import add_member, make_organisation, make_user

pytestmark = pytest.mark.django_db

MEMBERSHIPS = Prepared(
    lambda user_id: (
        Membership.objects.filter(user_id=user_id)
        .values_list("organisation__name", "role")
        .order_by("organisation__name")
    ),
    int,
)


def test_runs_the_query_again_with_each_call_s_values():
    first, second = make_user("first@example.com"), make_user("second@example.com")
    add_member(first, make_organisation("Beta", "beta"))
    add_member(first, make_organisation("Alpha", "alpha"), Membership.Role.ADMIN)
    add_member(second, make_organisation("Gamma", "gamma"))

    assert MEMBERSHIPS.rows(first.pk) == [("Alpha", "admin"), ("Beta", "member")]
    assert MEMBERSHIPS.rows(second.pk) == [("Gamma", "member")]
    assert MEMBERSHIPS.rows(0) == []


def test_converts_values_as_the_orm_does():
    user = make_user("reader@example.com")
    when = timezone.now() - timedelta(days=1)
    Notification.objects.create(recipient=user, event="e", kind="k", url="/", read_at=when)
    read_at = Prepared(
        lambda user_id: Notification.objects.filter(recipient_id=user_id).values_list("read_at"),
        int,
    )

    assert read_at.rows(user.pk) == [(when,)]


def test_is_one_query_and_compiles_once_per_connection():
    user = make_user("once@example.com")
    prepared = Prepared(lambda user_id: User.objects.filter(pk=user_id).values_list("email"), int)
    built = []
    original = prepared.build
    prepared.build = lambda *args: built.append(args) or original(*args)

    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert prepared.rows(user.pk) == [(user.email,)]

    assert len(queries) == 3
    assert len(built) == 2  # the model on the first call, then the compile for this connection


def test_takes_string_arguments():
    user = make_user(email="prepared@example.com")
    by_email = Prepared(lambda email: User.objects.filter(email=email).values_list("pk"), str)

    assert by_email.rows("prepared@example.com") == [(user.pk,)]
    assert by_email.rows("nobody@example.com") == []


def test_refuses_a_query_that_rewrites_its_argument():
    containing = Prepared(
        lambda text: User.objects.filter(email__contains=text).values_list("pk"), str
    )

    with pytest.raises(ValueError, match="not one plain parameter"):
        containing.rows("example")


def test_refuses_a_queryset_of_model_instances():
    users = Prepared(lambda user_id: User.objects.filter(pk=user_id), int)

    with pytest.raises(TypeError, match="values_list"):
        users.rows(1)


def test_refuses_other_argument_types():
    with pytest.raises(TypeError, match="int or str"):
        Prepared(lambda value: User.objects.values_list("pk"), float)
