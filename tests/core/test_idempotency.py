from datetime import timedelta

import pytest
from django.utils import timezone

from madoguchi.accounts.models import User
from madoguchi.core import idempotency
from madoguchi.core.models import IdempotencyKey

pytestmark = pytest.mark.django_db


def test_the_purge_forgets_keys_older_than_a_day_only(alice: User) -> None:
    now = timezone.now()
    IdempotencyKey.objects.create(
        user=alice, key="old", fingerprint="x", created_at=now - timedelta(hours=25)
    )
    IdempotencyKey.objects.create(
        user=alice, key="new", fingerprint="x", created_at=now - timedelta(hours=23)
    )

    assert idempotency.purge_expired(now) == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
