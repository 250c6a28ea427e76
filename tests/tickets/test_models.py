import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from madoguchi.branding.models import Brand
from madoguchi.tickets.models import Category, FormField, RequestType
from tests.tickets.conftest import add_field

Kind = FormField.Kind


def _errors(field: FormField) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        field.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(("language", "expected"), [("en", "Return an item"), ("ja", "商品の返品")])
def test_names_follow_the_viewer_language(
    request_type: RequestType, language: str, expected: str
) -> None:
    with translation.override(language):
        assert request_type.name == expected


def test_a_name_written_in_one_language_shows_in_the_other(request_type: RequestType) -> None:
    request_type.name_en = ""

    with translation.override("en"):
        assert request_type.name == "商品の返品"


def test_choices_are_read_one_per_line_with_labels_in_both_languages(
    request_type: RequestType,
) -> None:
    field = add_field(request_type, "country", Kind.CHOICE, choices="jp | Japan | 日本\n\nus\n")

    choices = field.parsed_choices()

    assert [choice.value for choice in choices] == ["jp", "us"]
    with translation.override("ja"):
        assert [choice.label for choice in choices] == ["日本", "us"]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ("", "at least one choice"),
        (" | Japan", "needs a value"),
        ("jp\njp", "only once"),
    ],
)
def test_choice_fields_need_distinct_values(
    request_type: RequestType, choices: str, message: str
) -> None:
    field = FormField(
        request_type=request_type, key="country", kind=Kind.CHOICE, label_en="C", choices=choices
    )

    assert message in _errors(field)["choices"][0]


def test_only_choice_fields_take_choices(request_type: RequestType) -> None:
    field = FormField(request_type=request_type, key="n", kind=Kind.TEXT, label_en="N", choices="a")

    assert "choices" in _errors(field)


def test_a_condition_must_be_a_field_above_in_the_same_type(request_type: RequestType) -> None:
    other_type = RequestType.objects.create(
        brand=request_type.brand, category=request_type.category, name_en="Other"
    )
    elsewhere = add_field(other_type, "flag", Kind.CHECKBOX)
    below = FormField(
        request_type=request_type, key="late", kind=Kind.CHECKBOX, label_en="L", position=5
    )
    below.save()
    field = FormField(request_type=request_type, key="x", kind=Kind.TEXT, label_en="X", position=1)

    field.show_when = elsewhere
    assert "same request type" in _errors(field)["show_when"][0]
    field.show_when = below
    assert "above" in _errors(field)["show_when"][0]


def test_long_text_cannot_be_a_condition(request_type: RequestType) -> None:
    story = add_field(request_type, "story", Kind.LONG_TEXT)
    field = FormField(
        request_type=request_type,
        key="x",
        kind=Kind.TEXT,
        label_en="X",
        position=1,
        show_when=story,
        show_when_value="a",
    )

    assert "cannot be a condition" in _errors(field)["show_when"][0]


def test_a_choice_condition_names_one_of_its_values(request_type: RequestType) -> None:
    reason = add_field(request_type, "reason", Kind.CHOICE, choices="broken\nwrong_size")
    field = FormField(
        request_type=request_type, key="photo", kind=Kind.FILE, label_en="Photo", position=1
    )
    field.show_when = reason

    assert "Write the value" in _errors(field)["show_when_value"][0]
    field.show_when_value = "lost"
    assert "one of the choice values" in _errors(field)["show_when_value"][0]
    field.show_when_value = "broken"
    field.full_clean()


def test_a_value_without_a_condition_field_is_refused(request_type: RequestType) -> None:
    field = FormField(
        request_type=request_type, key="x", kind=Kind.TEXT, label_en="X", show_when_value="a"
    )

    assert "show_when_value" in _errors(field)


def test_a_category_of_another_brand_is_refused(request_type: RequestType) -> None:
    other_brand = Brand.objects.create(name="Other", host="other.example")
    request_type.category = Category.objects.create(brand=other_brand, name_ja="その他")

    with pytest.raises(ValidationError) as caught:
        request_type.full_clean()

    assert "category" in caught.value.message_dict


def test_keys_are_unique_within_a_type(request_type: RequestType) -> None:
    add_field(request_type, "order", Kind.TEXT)
    duplicate = FormField(request_type=request_type, key="order", kind=Kind.TEXT, label_en="O")

    assert "__all__" in _errors(duplicate)


def test_a_field_cannot_take_the_name_of_a_built_in_question(request_type: RequestType) -> None:
    field = FormField(request_type=request_type, key="subject", kind=Kind.TEXT, label_en="S")

    assert "key" in _errors(field)
