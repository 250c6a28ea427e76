import pytest

from madoguchi.branding.services import default_brand
from madoguchi.tickets.models import Category, FormField, RequestType


@pytest.fixture
def request_type(db: None) -> RequestType:
    brand = default_brand()
    category = Category.objects.create(brand=brand, name_en="Orders", name_ja="注文")
    return RequestType.objects.create(
        brand=brand, category=category, name_en="Return an item", name_ja="商品の返品"
    )


def add_field(request_type: RequestType, key: str, kind: str, **options: object) -> FormField:
    """Save a field the way the admin does: validated first."""
    position = request_type.fields.count()
    field = FormField(
        request_type=request_type, key=key, kind=kind, label_en=key.title(), position=position
    )
    for name, value in options.items():
        setattr(field, name, value)
    field.full_clean()
    field.save()
    return field
