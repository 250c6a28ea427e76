from unittest.mock import patch

import pytest
from django.core.cache import cache
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from madoguchi.branding.models import Brand
from madoguchi.branding.services import brand_for_host, default_brand

pytestmark = pytest.mark.django_db


def test_default_brand_is_made_from_the_settings_once(settings) -> None:
    settings.BRAND_NAME = "Acme Support"

    first = default_brand()
    second = default_brand()

    assert first.pk == second.pk
    assert first.name == "Acme Support"
    assert Brand.objects.count() == 1


def test_host_picks_its_brand_and_unknown_hosts_get_the_default() -> None:
    default = default_brand()
    acme = Brand.objects.create(name="Acme", host="Support.Acme.example.")

    assert acme.host == "support.acme.example"
    assert brand_for_host("support.acme.example:8443") == acme
    assert brand_for_host("SUPPORT.ACME.EXAMPLE") == acme
    assert brand_for_host("other.example") == default


def test_a_changed_brand_is_seen_at_once_despite_the_cache() -> None:
    acme = Brand.objects.create(name="Acme", host="acme.example")
    assert brand_for_host("acme.example").name == "Acme"

    acme.name = "Acme Corporation"
    acme.save()

    assert brand_for_host("acme.example").name == "Acme Corporation"


def test_cached_lookup_costs_no_query(django_assert_num_queries) -> None:
    Brand.objects.create(name="Acme", host="acme.example")
    brand_for_host("acme.example")

    with django_assert_num_queries(0):
        brand_for_host("acme.example")


def test_only_one_brand_may_be_the_default() -> None:
    default_brand()

    with pytest.raises(IntegrityError):
        Brand.objects.create(name="Second", is_default=True)


def test_pages_carry_the_brand_of_their_host(client: Client, settings) -> None:
    settings.ALLOWED_HOSTS = ["acme.example", "testserver"]
    Brand.objects.create(name="Acme Help", host="acme.example")

    acme = client.get(reverse("core:home"), headers={"host": "acme.example"})
    default = client.get(reverse("core:home"))

    assert "Acme Help" in acme.content.decode()
    assert "Acme Help" not in default.content.decode()


def test_a_cached_lookup_asks_the_cache_once() -> None:
    """The generation and the brand in one round trip (each call is one to Redis)."""
    Brand.objects.create(name="Acme", host="acme.example")
    brand_for_host("acme.example")
    asked: list[str] = []

    class Recording:
        def __getattr__(self, name: str) -> object:
            asked.append(name)
            return getattr(cache, name)

    with patch("madoguchi.branding.services.cache", Recording()):
        assert brand_for_host("acme.example").name == "Acme"

    assert asked == ["get_many"]
