from django import forms
from django.utils.translation import gettext_lazy as _


class FeedbackForm(forms.Form):
    """ "Was this helpful?" with an optional comment."""

    helpful = forms.TypedChoiceField(
        label=_("Was this article helpful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label=_("What could be better? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
