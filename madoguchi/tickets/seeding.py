"""Demo data for requests: a small bilingual catalog and a few requests of the demo customers."""

from datetime import time

from django.utils import timezone

from madoguchi.accounts.models import User
from madoguchi.branding.services import default_brand
from madoguchi.tickets import services, sla
from madoguchi.tickets.models import (
    BusinessCalendar,
    BusinessHours,
    Category,
    FormField,
    Priority,
    RequestType,
    SlaPolicy,
)

Kind = FormField.Kind


def _request_type(category: Category, name_en: str, name_ja: str, **fields: object) -> RequestType:
    return RequestType.objects.create(
        brand=category.brand, category=category, name_en=name_en, name_ja=name_ja, **fields
    )


def _field(request_type: RequestType, key: str, kind: str, **fields: object) -> FormField:
    field = FormField(request_type=request_type, key=key, kind=kind, **fields)
    field.full_clean()
    field.save()
    return field


def load_demo_catalog() -> None:
    brand = default_brand()
    orders = Category.objects.create(brand=brand, name_en="Orders", name_ja="ご注文", position=0)
    account = Category.objects.create(
        brand=brand, name_en="Account", name_ja="アカウント", position=1
    )
    returns = _request_type(
        orders,
        "Return an item",
        "商品の返品",
        description_en="Send back something that arrived broken or is not what you ordered.",
        description_ja="破損していた商品や、注文と異なる商品を返品します。",
        keywords="refund exchange 返金 交換",
    )
    reason = _field(
        returns,
        "reason",
        Kind.CHOICE,
        label_en="Reason",
        label_ja="理由",
        required=True,
        choices="broken | Arrived broken | 破損していた\nwrong | Not what I ordered | 注文と違う",
    )
    _field(
        returns,
        "serial",
        Kind.TEXT,
        label_en="Serial number",
        label_ja="製造番号",
        required=True,
        position=1,
        show_when=reason,
        show_when_value="broken",
    )
    _request_type(
        account,
        "Question about my account",
        "アカウントについての質問",
        description_en="Sign-in, addresses, users of your organisation.",
        description_ja="ログイン、メールアドレス、組織のユーザーについて。",
        keywords="password login パスワード ログイン",
    )
    alice = User.objects.filter(email="alice@example.com").first()
    if alice:
        services.ticket_create(
            services.NewRequest(
                brand=brand,
                requester=alice,
                request_type=returns,
                subject="The kettle arrived cracked",
                description="The lid is **cracked**. Can I get a new one?",
                answers={"reason": "broken", "serial": "KT-2026-0042"},
            )
        )


def load_demo_sla() -> None:
    """Tokyo office hours with Japan's holidays, a standard policy and a 24/7 one for urgent."""
    office = BusinessCalendar.objects.create(name="Tokyo office")
    for weekday in range(5):
        BusinessHours.objects.create(calendar=office, weekday=weekday, start=time(9), end=time(18))
    year = timezone.localdate().year
    for chosen in (year, year + 1):
        sla.japanese_holidays_add(office, year=chosen)
    SlaPolicy.objects.create(
        name_en="Standard",
        name_ja="標準",
        position=1,
        calendar=office,
        first_response_minutes=4 * 60,
        next_response_minutes=8 * 60,
        resolution_minutes=5 * 9 * 60,
    )
    SlaPolicy.objects.create(
        name_en="Urgent, around the clock",
        name_ja="緊急・24 時間対応",
        priority=Priority.URGENT,
        first_response_minutes=30,
        next_response_minutes=60,
        resolution_minutes=8 * 60,
    )
