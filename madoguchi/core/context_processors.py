from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    """Expose the brand to every template."""
    return {"brand_name": settings.BRAND_NAME, "brand_logo_url": settings.BRAND_LOGO_URL}
