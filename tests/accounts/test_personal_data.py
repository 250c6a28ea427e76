"""R34: every model that points at a person or an organisation is exported or excluded."""

import pytest
from django.apps import apps
from django.db import models

from madoguchi.accounts import personal_data
from madoguchi.accounts.models import User


def test_every_personal_model_is_exported_or_excluded_with_a_reason() -> None:
    missing = [model._meta.label for model in personal_data.unregistered_models()]

    assert missing == [], (
        "Register these models in a personal_data registry (export with rows, or exclude with "
        "a reason): they point at a User or an Organisation"
    )


def test_the_walk_finds_a_new_model_pointing_at_a_person() -> None:
    """The completeness check sees models with a foreign key to User (so it can fail)."""

    class Diary(models.Model):
        owner = models.ForeignKey(User, on_delete=models.CASCADE)

        class Meta:
            app_label = "accounts"

        def __str__(self) -> str:
            return "diary"

    try:
        assert Diary in personal_data.unregistered_models()
    finally:
        del apps.all_models["accounts"]["diary"]
        apps.clear_cache()


def test_an_exclusion_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="reason"):
        personal_data.exclude(User, "  ")
