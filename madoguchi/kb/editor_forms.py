"""What editors type: article drafts, settings, reviews, and the list's filters."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Organisation, User
from madoguchi.kb.formats import BODY_MAX
from madoguchi.kb.models import Article, KnowledgeBase, Section, Segment, Tag, Visibility


class DraftForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 18, "data-markdown-editor": ""}),
    )
    meta_description = forms.CharField(
        label=_("Summary for search engines"), required=False, max_length=300
    )


class NewArticleForm(DraftForm):
    knowledge_base = forms.ModelChoiceField(
        label=_("Knowledge base"), queryset=KnowledgeBase.objects.none()
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    field_order = ["knowledge_base", "language", "title", "body", "meta_description"]

    def __init__(self, *args: Any, knowledge_bases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["knowledge_base"].queryset = knowledge_bases
        # With one knowledge base (the usual case) there is nothing to choose.
        self.fields["knowledge_base"].initial = knowledge_bases.first()


class ReviewRequestForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at (optional)"),
        required=False,
        help_text=_("Leave empty to publish as soon as it is approved."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class NewTranslationForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


TAG_NAME_MAX = 80


class SettingsForm(forms.Form):
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.none(), required=False
    )
    visibility = forms.ChoiceField(label=_("Who may read it"), choices=Visibility.choices)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"), queryset=Organisation.objects.all(), required=False
    )
    segments = forms.ModelMultipleChoiceField(
        label=_("User segments"), queryset=Segment.objects.none(), required=False
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag.objects.none(), required=False
    )
    new_tags = forms.CharField(
        label=_("New tags"),
        required=False,
        max_length=500,
        help_text=_("Tags this knowledge base does not have yet, separated by commas."),
    )
    position = forms.IntegerField(
        label=_("Position in its section"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        help_text=_("Articles are listed from the lowest number up."),
    )
    related = forms.ModelMultipleChoiceField(
        label=_("Related articles"), queryset=Article.objects.none(), required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_staff=True, is_active=True),
        required=False,
    )
    review_by = forms.DateField(
        label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, article: Article, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kb = article.knowledge_base
        self.fields["section"].queryset = Section.objects.filter(knowledge_base=kb)
        self.fields["segments"].queryset = Segment.objects.filter(brand_id=kb.brand_id)
        self.fields["tags"].queryset = Tag.objects.filter(knowledge_base=kb)
        self.fields["related"].queryset = Article.objects.filter(knowledge_base=kb).exclude(
            pk=article.pk
        )

    def clean_new_tags(self) -> list[str]:
        names = [
            name.strip() for name in self.cleaned_data["new_tags"].replace("、", ",").split(",")
        ]
        names = [name for name in names if name]
        if any(len(name) > TAG_NAME_MAX for name in names):
            raise forms.ValidationError(
                _("A tag may be at most %(max)d characters long."), params={"max": TAG_NAME_MAX}
            )
        return names

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("visibility") == Visibility.ORGANISATIONS and not data.get("organisations"):
            self.add_error("organisations", _("Choose at least one organisation."))
        if data.get("visibility") == Visibility.SEGMENTS and not data.get("segments"):
            self.add_error("segments", _("Choose at least one segment."))
        return data


class FilterForm(forms.Form):
    knowledge_base = forms.ModelChoiceField(
        label=_("Knowledge base"), queryset=KnowledgeBase.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *Article.Status.choices], required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Any")), *settings.LANGUAGES], required=False
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.filter(is_staff=True), required=False
    )
    overdue = forms.BooleanField(label=_("Due for review"), required=False)
    outdated = forms.BooleanField(label=_("A translation is out of date"), required=False)

    def __init__(self, *args: Any, knowledge_bases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["knowledge_base"].queryset = knowledge_bases
