from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from madoguchi.branding.models import Brand
from madoguchi.branding.services import forget_cached_brands
from madoguchi.core import page_cache


@receiver([post_save, post_delete], sender=Brand)
def brand_changed(**_kwargs: object) -> None:
    forget_cached_brands()
    page_cache.invalidate_on_commit()
