from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    """Expose the brand answering this request (the branding middleware sets it) to templates."""
    brand = getattr(request, "brand", None)
    if brand is None:
        return {"brand_name": settings.BRAND_NAME, "brand_logo_url": settings.BRAND_LOGO_URL}
    return {"brand": brand, "brand_name": brand.name, "brand_logo_url": brand.logo_url}
