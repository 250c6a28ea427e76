from django import forms
from django.conf import settings
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


class SearchForm(forms.Form):
    """The search page's query and filters; a filter that names nothing is simply ignored."""

    q = forms.CharField(label=_("Search for"), required=False, strip=False)
    kb = forms.SlugField(label=_("Knowledge base"), required=False)
    category = forms.SlugField(label=_("Category"), required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *settings.LANGUAGES],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)
