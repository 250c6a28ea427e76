"""Which brand serves a request: by host name, else the default brand; and the brand's addresses."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from madoguchi.branding.models import Brand

CACHE_SECONDS = 60
_GENERATION_KEY = "brand:generation"


def default_brand() -> Brand:
    """Return the default brand, creating it from the settings the first time."""
    brand = Brand.objects.filter(is_default=True).first()
    if brand is None:
        with transaction.atomic():
            brand, _created = Brand.objects.get_or_create(
                is_default=True,
                defaults={"name": settings.BRAND_NAME, "logo_url": settings.BRAND_LOGO_URL},
            )
    return brand


def brand_named(name: str) -> Brand | None:
    """Return the brand an operator names on a command line: by host name, else by name.

    A blank name is the default brand; a name two brands share names neither (None).
    """
    name = name.strip()
    if not name:
        return default_brand()
    by_host = Brand.objects.filter(host=name.lower().rstrip(".")).first()
    if by_host is not None:
        return by_host
    named = list(Brand.objects.filter(name=name)[:2])
    return named[0] if len(named) == 1 else None


def brand_for_host(host: str) -> Brand:
    """Return the brand that answers on host; cached briefly so pages cost no query."""
    host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    host = host.strip().lower().rstrip(".")
    key = f"brand:{host}"
    # One round trip: the brand is kept with the generation it was read in, and is good while
    # that is still the generation (a missing generation counts as 0; forget sets it).
    found = cache.get_many([_GENERATION_KEY, key])
    generation = found.get(_GENERATION_KEY, 0)
    kept = found.get(key)
    if kept is not None and kept[0] == generation:
        return kept[1]
    brand = Brand.objects.filter(host=host).first() or default_brand()
    cache.set(key, (generation, brand), CACHE_SECONDS)
    return brand


def forget_cached_brands() -> None:
    """Make every cached host lookup stale on every node sharing the cache."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 1, None)


def page_url(brand: Brand | None, path: str) -> str:
    """Return the absolute address of a page on the brand's own host (with SITE_URL's scheme):
    a customer of one brand is never sent to another's portal. A brand without a host of its
    own (the default) answers on SITE_URL."""
    if brand is None or not brand.host:
        return settings.SITE_URL + path
    return f"{urlsplit(settings.SITE_URL).scheme}://{brand.host}{path}"
