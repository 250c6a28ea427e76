"""Test data through the same paths production uses."""

from allauth.account.models import EmailAddress

from madoguchi.accounts.models import Membership, Organisation, User

PASSWORD = "correct horse battery staple"


def make_user(email: str, *, name: str = "", language: str = "", **flags: object) -> User:
    """Create a verified user; no language, as sign-up leaves it, unless a test chooses one.

    A saved language follows the person to every browser they sign in on, so giving everyone
    one would override the browser's language in the tests that check it.
    """
    user = User.objects.create_user(email, PASSWORD, name=name, language=language, **flags)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_organisation(name: str, slug: str) -> Organisation:
    return Organisation.objects.create(name=name, slug=slug)


def add_member(user: User, organisation: Organisation, role: str = Membership.Role.MEMBER) -> None:
    Membership.objects.create(user=user, organisation=organisation, role=role)
