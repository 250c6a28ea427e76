"""Test data through the same paths production uses."""

from allauth.account.models import EmailAddress

from madoguchi.accounts.models import Membership, Organisation, User
from madoguchi.branding.services import default_brand
from madoguchi.kb import services as kb_services
from madoguchi.kb.models import Article, KnowledgeBase, Section
from madoguchi.tickets import services as tickets
from madoguchi.tickets.models import Category, FormField, RequestType, Ticket

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


def make_ticket(
    requester: User, subject: str = "The printer is jammed", **fields: object
) -> Ticket:
    new = tickets.NewRequest(
        brand=default_brand(),
        requester=requester,
        subject=subject,
        description=str(fields.pop("description", "It stopped at page 3.")),
        **fields,
    )
    return tickets.ticket_create(new)


def make_request_type(name_en: str, name_ja: str = "", *, category: str = "Orders") -> RequestType:
    """A request type of the default brand, as an admin saves it (validated first)."""
    brand = default_brand()
    group, _created = Category.objects.get_or_create(brand=brand, name_en=category)
    request_type = RequestType(brand=brand, category=group, name_en=name_en, name_ja=name_ja)
    request_type.full_clean()
    request_type.save()
    return request_type


def add_form_field(request_type: RequestType, key: str, kind: str, **options: object) -> FormField:
    """Append a field to the request type's form, validated as the admin does."""
    field = FormField(
        request_type=request_type,
        key=key,
        kind=kind,
        label_en=key.replace("_", " ").title(),
        position=request_type.fields.count(),
    )
    for name, value in options.items():
        setattr(field, name, value)
    field.full_clean()
    field.save()
    return field


def make_kb(slug: str = "help", *, name_en: str = "Help", name_ja: str = "ヘルプ") -> KnowledgeBase:
    return kb_services.knowledge_base_get_or_create(
        brand=default_brand(), slug=slug, name_en=name_en, name_ja=name_ja
    )


def make_section(kb: KnowledgeBase, slug: str = "basics", category: str = "start") -> Section:
    group = kb_services.category_get_or_create(
        kb, slug=category, name_en=category.title(), name_ja="はじめに"
    )
    return kb_services.section_get_or_create(group, slug=slug, name_en=slug.title(), name_ja="基本")


def make_article(
    kb: KnowledgeBase,
    title: str = "Reset your password",
    *,
    body: str = "Open **Settings**.",
    language: str = "en",
    section: Section | None = None,
    visibility: str = "",
    organisations: list[Organisation] | None = None,
    translations: dict[str, tuple[str, str]] | None = None,
    **fields: object,
) -> Article:
    """A published article; translations maps a language to (title, body)."""
    texts = [kb_services.ArticleText(language=language, title=title, body=body)]
    texts += [
        kb_services.ArticleText(language=code, title=other_title, body=other_body)
        for code, (other_title, other_body) in (translations or {}).items()
    ]
    return kb_services.article_create(
        kb_services.NewArticle(
            knowledge_base=kb,
            texts=texts,
            section=section,
            visibility=visibility,
            organisations=organisations or [],
            **fields,
        )
    )
