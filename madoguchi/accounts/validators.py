from functools import cache

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from zxcvbn.frequency_lists import FREQUENCY_LISTS


class MaximumLengthValidator:
    """Refuse passwords longer than max_length: long enough for any passphrase, bounded hashing."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("Your password can be up to %(max_length)d characters long.") % {
            "max_length": self.max_length
        }


_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)


@cache
def _breached_passwords() -> frozenset[str]:
    """Django's 20,000 common passwords and zxcvbn's 30,000 from the Xato breach corpus."""
    return frozenset(CommonPasswordValidator().passwords) | frozenset(FREQUENCY_LISTS["passwords"])


class BreachedPasswordValidator:
    """Refuse passwords from breach lists, also when dressed up: "Passw0rd2024!" is "password".

    Breach lists are cracked with rules that capitalise, swap letters for look-alike digits and
    append digits or symbols; undoing those before the lookup catches what a plain lookup misses.
    Both lists ship with the code: nothing leaves the server.
    """

    def _base(self, password: str) -> str:
        stripped = password.lower().rstrip("0123456789!?.#*_-+=~ ")
        return stripped.translate(_LEET)

    def validate(self, password: str, user: object = None) -> None:
        breached = _breached_passwords()
        if password.lower().strip() in breached:
            raise ValidationError(
                _("This password appears in lists of leaked passwords."),
                code="password_breached",
            )
        base = self._base(password)
        if len(base) >= 4 and base in breached:
            raise ValidationError(
                _("This password is a common password with a few changes, easy to guess."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Your password can't be a leaked password, even with a few letters swapped.")
