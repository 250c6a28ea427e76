"""Reads about people and organisations."""

from madoguchi.accounts.models import User


def address_has_account(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()
