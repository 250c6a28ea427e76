"""Forms of the self-service account pages."""

import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts import notifications


@cache
def _time_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_("A name such as Asia/Tokyo or Europe/London. Empty uses your browser's."),
    )

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        if value and value not in _time_zones():
            raise ValidationError(
                _("“%(value)s” is not a known time zone. Use a name such as Asia/Tokyo."),
                code="invalid_time_zone",
                params={"value": value},
            )
        return value


class AvatarForm(forms.Form):
    picture = forms.FileField(label=_("Picture"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["picture"].help_text = _("PNG, JPEG or WebP, at most %(limit)s.") % {
            "limit": filesizeformat(settings.AVATAR_MAX_BYTES)
        }


class NotificationsForm(forms.Form):
    """One checkbox per (event, channel): the grid of notification preferences."""

    def __init__(
        self,
        *args: object,
        initial_choices: dict[tuple[str, str], bool],
        user: object = None,
        **kwargs: object,
    ):
        super().__init__(*args, **kwargs)
        for event in notifications.event_types(user):
            for channel, channel_label in notifications.Channel.choices:
                self.fields[f"{event.key}__{channel}"] = forms.BooleanField(
                    label=f"{event.label}: {channel_label}",
                    required=False,
                    initial=initial_choices.get((event.key, channel), True),
                )

    def enabled(self) -> set[tuple[str, str]]:
        pairs = (name.split("__", 1) for name, on in self.cleaned_data.items() if on)
        return {(event, channel) for event, channel in pairs}


class DeleteAccountForm(forms.Form):
    email = forms.CharField(
        label=_("Type your email address to confirm"), max_length=254, strip=True
    )

    def __init__(self, *args: object, user_email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user_email = user_email

    def clean_email(self) -> str:
        value = self.cleaned_data["email"]
        if value.lower() != self.user_email.lower():
            raise ValidationError(
                _("That is not your email address. Type it exactly to confirm."),
                code="mismatch",
            )
        return value
