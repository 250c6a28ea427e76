import pytest

from madoguchi.tickets.models import Category, RequestType
from tests.factories import add_form_field as add_field
from tests.factories import make_request_type

__all__ = ["add_field"]


@pytest.fixture
def request_type(db: None) -> RequestType:
    request_type = make_request_type("Return an item", "商品の返品")
    Category.objects.filter(pk=request_type.category_id).update(name_ja="注文")
    request_type.refresh_from_db()
    return request_type
