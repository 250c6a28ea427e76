"""A person's own profile: name, language, time zone and picture."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import HttpResponseBase

from madoguchi.accounts.models import User


def profile_update(user: User, *, name: str, language: str, time_zone: str) -> None:
    """Save the person's name, language and IANA time zone (already validated by the form)."""
    user.name = name
    user.language = language
    user.time_zone = time_zone
    user.full_clean(validate_unique=False, exclude=["password", "email", "avatar"])
    user.save(update_fields=["name", "language", "time_zone"])


def language_cookie_set(response: HttpResponseBase, language: str) -> None:
    """Make language the one this browser sees, as Django's set_language view does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _delete_after_commit(old: FieldFile) -> None:
    """Delete the file once the row no longer points at it; a rollback keeps it."""
    if old:
        storage, name = old.storage, old.name
        transaction.on_commit(lambda: storage.delete(name))


def avatar_replace(user: User, *, picture: ContentFile) -> None:
    """Store a cleaned picture (avatars.avatar_clean) as the person's avatar.

    The new file is written first; if saving the row fails it is deleted again, and the old file
    is deleted only after the commit, so no file is left without a row or a row without a file.
    """
    old = User.objects.get(pk=user.pk).avatar
    user.avatar.save(picture.name, picture, save=False)
    try:
        with transaction.atomic():
            user.save(update_fields=["avatar"])
            _delete_after_commit(old)
    except Exception:
        user.avatar.storage.delete(user.avatar.name)
        raise


def avatar_remove(user: User) -> None:
    """Remove the person's picture; the file goes once the change is committed."""
    old = User.objects.get(pk=user.pk).avatar
    with transaction.atomic():
        user.avatar = ""
        user.save(update_fields=["avatar"])
        _delete_after_commit(old)
