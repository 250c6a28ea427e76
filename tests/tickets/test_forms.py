from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from madoguchi.accounts.models import User
from madoguchi.tickets.forms import RequestForm
from madoguchi.tickets.models import FormField, RequestType
from tests.factories import image_bytes, make_user
from tests.tickets.conftest import add_field

Kind = FormField.Kind


def _form(
    request_type: RequestType, requester: User, data: dict[str, Any], files: Any = None
) -> RequestForm:
    filled = {"subject": "Return", "description": "Please help.", **data}
    return RequestForm(request_type, requester=requester, data=filled, files=files)


@pytest.fixture
def return_form(request_type: RequestType) -> RequestType:
    """Reason (broken / wrong size); a photo and its date only when broken; notes when ticked."""
    reason = add_field(
        request_type,
        "reason",
        Kind.CHOICE,
        required=True,
        choices="broken | Broken | 壊れていた\nwrong_size | Wrong size | サイズ違い",
    )
    broken_on = add_field(
        request_type,
        "broken_on",
        Kind.DATE,
        required=True,
        show_when=reason,
        show_when_value="broken",
    )
    add_field(request_type, "photo", Kind.FILE, show_when=reason, show_when_value="broken")
    has_notes = add_field(request_type, "has_notes", Kind.CHECKBOX)
    add_field(request_type, "notes", Kind.LONG_TEXT, required=True, show_when=has_notes)
    assert broken_on.show_when == reason
    return request_type


def test_a_shown_conditional_field_is_required(return_form: RequestType, alice: User) -> None:
    form = _form(return_form, alice, {"reason": "broken"})

    assert not form.is_valid()
    assert form.errors["broken_on"] == ["This field is required."]


def test_a_hidden_field_is_neither_required_nor_kept(return_form: RequestType, alice: User) -> None:
    form = _form(return_form, alice, {"reason": "wrong_size", "broken_on": "not a date"})

    assert form.is_valid(), form.errors
    assert form.answers() == {"reason": "wrong_size", "has_notes": False}


def test_a_ticked_checkbox_shows_its_field(return_form: RequestType, alice: User) -> None:
    form = _form(return_form, alice, {"reason": "wrong_size", "has_notes": "on"})
    assert form.errors["notes"] == ["This field is required."]

    form = _form(return_form, alice, {"reason": "wrong_size", "has_notes": "on", "notes": "箱なし"})
    assert form.is_valid(), form.errors
    assert form.answers()["notes"] == "箱なし"


def test_answers_are_json_values_and_files_are_kept_apart(
    return_form: RequestType, alice: User
) -> None:
    photo = SimpleUploadedFile("photo.png", image_bytes("PNG"))
    form = _form(
        return_form, alice, {"reason": "broken", "broken_on": "2026-11-20"}, {"photo": photo}
    )

    assert form.is_valid(), form.errors
    assert form.answers() == {"reason": "broken", "broken_on": "2026-11-20", "has_notes": False}
    assert form.files_by_key() == {"photo": photo}


@override_settings(ATTACHMENT_MAX_BYTES=10)
@pytest.mark.parametrize(
    ("content", "message"), [(b"x" * 11, "larger than 10"), (b"", "The submitted file is empty.")]
)
def test_too_large_or_empty_files_are_refused(
    return_form: RequestType, alice: User, content: bytes, message: str
) -> None:
    files = {"photo": SimpleUploadedFile("photo.png", content)}
    form = _form(return_form, alice, {"reason": "broken", "broken_on": "2026-11-20"}, files)

    assert not form.is_valid()
    assert message in form.errors["photo"][0]


def test_a_field_under_a_hidden_field_is_hidden(request_type: RequestType, alice: User) -> None:
    kind = add_field(request_type, "kind", Kind.CHOICE, choices="device\nservice")
    serial = add_field(
        request_type, "has_serial", Kind.CHECKBOX, show_when=kind, show_when_value="device"
    )
    add_field(request_type, "serial", Kind.TEXT, required=True, show_when=serial)

    form = _form(request_type, alice, {"kind": "service", "has_serial": "on"})

    assert form.is_valid(), form.errors
    assert form.answers() == {"kind": "service"}


@pytest.mark.parametrize(("entered", "shown"), [("2", True), ("2.0", True), ("3", False)])
def test_a_number_condition_compares_the_value(
    request_type: RequestType, alice: User, entered: str, shown: bool
) -> None:
    quantity = add_field(request_type, "quantity", Kind.NUMBER)
    add_field(request_type, "why_two", Kind.TEXT, show_when=quantity, show_when_value="2")

    form = _form(request_type, alice, {"quantity": entered, "why_two": "gift"})

    assert form.is_valid(), form.errors
    assert ("why_two" in form.answers()) is shown


def test_multiple_choice_shows_a_field_when_the_value_is_among_the_picks(
    request_type: RequestType, alice: User
) -> None:
    topics = add_field(request_type, "topics", Kind.MULTIPLE_CHOICE, choices="billing\nlogin")
    add_field(
        request_type,
        "invoice",
        Kind.TEXT,
        required=True,
        show_when=topics,
        show_when_value="billing",
    )

    form = _form(request_type, alice, {"topics": ["login", "billing"]})

    assert form.errors["invoice"] == ["This field is required."]


def test_a_member_field_offers_only_colleagues(
    request_type: RequestType, alice: User, bob: User, carol: User
) -> None:
    add_field(request_type, "affected", Kind.ORGANISATION_MEMBER, required=True)
    inactive = make_user("gone@example.com", is_active=False)
    bob.memberships.first().organisation.memberships.create(user=inactive)

    offered = set(_form(request_type, alice, {}).fields["affected"].queryset)
    assert offered == {alice, bob}

    form = _form(request_type, alice, {"affected": str(carol.pk)})
    assert not form.is_valid()
    assert "affected" in form.errors
    form = _form(request_type, alice, {"affected": str(bob.pk)})
    assert form.is_valid(), form.errors
    assert form.answers()["affected"] == {"id": bob.pk, "name": bob.name, "email": bob.email}


def test_labels_and_choices_speak_the_viewer_language(
    return_form: RequestType, alice: User
) -> None:
    FormField.objects.filter(key="reason").update(label_ja="理由")

    with translation.override("ja"):
        form = _form(return_form, alice, {})
        reason = form.fields["reason"]
        assert reason.label == "理由"
        assert list(reason.choices)[1:] == [("broken", "壊れていた"), ("wrong_size", "サイズ違い")]
        assert not form.is_valid()
        assert form.errors["reason"] == ["このフィールドは必須です。"]


def test_subject_and_description_are_asked_and_not_answers(
    request_type: RequestType, alice: User
) -> None:
    form = RequestForm(request_type, requester=alice, data={})
    assert set(form.errors) == {"subject", "description"}

    form = _form(request_type, alice, {})
    assert form.is_valid()
    assert form.answers() == {}


def test_required_checkbox_must_be_ticked(request_type: RequestType, alice: User) -> None:
    add_field(request_type, "agree", Kind.CHECKBOX, required=True)

    assert "agree" in _form(request_type, alice, {}).errors
    assert _form(request_type, alice, {"agree": "on"}).is_valid()
