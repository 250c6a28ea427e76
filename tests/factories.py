"""Test data through the same paths production uses."""

from allauth.account.models import EmailAddress

from madoguchi.accounts.models import Membership, Organisation, User

PASSWORD = "correct horse battery staple"


def make_user(email: str, *, name: str = "", language: str = "en", **flags: object) -> User:
    user = User.objects.create_user(email, PASSWORD, name=name, language=language, **flags)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_organisation(name: str, slug: str) -> Organisation:
    return Organisation.objects.create(name=name, slug=slug)


def add_member(user: User, organisation: Organisation, role: str = Membership.Role.MEMBER) -> None:
    Membership.objects.create(user=user, organisation=organisation, role=role)
