"""Profile services: a picture never outlives its row, nor a row its picture."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from madoguchi.accounts import profile
from madoguchi.accounts.avatars import avatar_clean
from madoguchi.accounts.models import User
from tests.accounts.selfservice_helpers import picture

pytestmark = pytest.mark.django_db


def _stored_files(settings) -> list[Path]:
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_failed_save_leaves_no_file_behind(alice: User, settings, monkeypatch) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise DatabaseError("the disk is full")

    monkeypatch.setattr(User, "save", fail)

    with pytest.raises(DatabaseError):
        profile.avatar_replace(alice, picture=avatar_clean(picture("PNG")))

    assert _stored_files(settings) == []


def test_a_failed_save_keeps_the_old_picture(
    alice: User, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        profile.avatar_replace(alice, picture=avatar_clean(picture("PNG")))
    [old] = _stored_files(settings)

    def fail(*_args: object, **_kwargs: object) -> None:
        raise DatabaseError("the disk is full")

    monkeypatch.setattr(User, "save", fail)
    with pytest.raises(DatabaseError), django_capture_on_commit_callbacks(execute=True):
        profile.avatar_replace(alice, picture=avatar_clean(picture("JPEG")))

    assert _stored_files(settings) == [old]


def test_a_name_too_long_is_refused_by_the_model(alice: User) -> None:
    with pytest.raises(ValidationError):
        profile.profile_update(alice, name="x" * 151, language="ja", time_zone="")
