"""Demo data for the help centre: a few bilingual articles in two categories (`manage.py demo`)."""

from madoguchi.accounts.models import Organisation, User
from madoguchi.branding.services import default_brand
from madoguchi.kb import services
from madoguchi.kb.models import KnowledgeBase, Visibility

ARTICLES = [
    (
        ("account", "Your account", "アカウント"),
        ("sign-in", "Signing in", "サインイン"),
        "Reset your password",
        "If you forgot your password:\n\n1. Open **Sign in**.\n2. Choose **Forgot password?**\n"
        "3. Follow the link we mail you within an hour.\n\nThe link works once.",
        "パスワードを再設定する",
        "パスワードを忘れた場合:\n\n1. **サインイン**を開きます。\n"
        "2. **パスワードをお忘れですか?** を選びます。\n"
        "3. メールで届くリンクを1時間以内に開きます。\n\n"
        "リンクは1回だけ使えます。",
        ["password", "sign-in"],
    ),
    (
        ("account", "Your account", "アカウント"),
        ("sign-in", "Signing in", "サインイン"),
        "Set up two-factor authentication",
        "Open **My account → Two-factor authentication** and scan the code with an "
        "authenticator app. Keep the recovery codes somewhere safe.",
        "2段階認証を設定する",
        "**マイアカウント → 2段階認証** を開き、認証アプリでコードを読み取ります。"
        "リカバリーコードは安全な場所に保管してください。",
        ["security", "sign-in"],
    ),
    (
        ("orders", "Orders and returns", "ご注文と返品"),
        ("returns", "Returns", "返品"),
        "Return an item",
        "You can return an item within **30 days**. Submit a *Return an item* request with "
        "your order number; we send a prepaid label.\n\n| Condition | Refund |\n|---|---|\n"
        "| Unopened | Full |\n| Opened | 80 % |",
        "商品を返品する",
        "商品は**30日以内**であれば返品できます。注文番号を添えて「商品の返品」を依頼してください。"
        "着払いの伝票をお送りします。\n\n"
        "| 状態 | 返金 |\n|---|---|\n| 未開封 | 全額 |\n| 開封済み | 80 % |",
        ["returns", "refund"],
    ),
]


def load_demo_articles() -> None:
    """Publish the demo help centre, plus one article only the demo organisation can read."""
    kb = services.knowledge_base_get_or_create(
        brand=default_brand(), slug="help", name_en="Help centre", name_ja="ヘルプセンター"
    )
    owner = User.objects.filter(is_staff=True).order_by("pk").first()
    for (cat, cat_en, cat_ja), (
        sec,
        sec_en,
        sec_ja,
    ), title, body, title_ja, body_ja, tags in ARTICLES:
        category = services.category_get_or_create(kb, slug=cat, name_en=cat_en, name_ja=cat_ja)
        section = services.section_get_or_create(category, slug=sec, name_en=sec_en, name_ja=sec_ja)
        services.article_create(
            services.NewArticle(
                knowledge_base=kb,
                section=section,
                author=owner,
                tags=tags,
                texts=[
                    services.ArticleText(language="en", title=title, body=body),
                    services.ArticleText(language="ja", title=title_ja, body=body_ja),
                ],
            )
        )
    _organisation_article(kb, owner)


def _organisation_article(kb: KnowledgeBase, owner: User | None) -> None:
    organisation = Organisation.objects.order_by("pk").first()
    if organisation is None:
        return
    category = services.category_get_or_create(
        kb, slug="customers", name_en="For our customers", name_ja="お客様向け"
    )
    section = services.section_get_or_create(
        category, slug="contracts", name_en="Contracts", name_ja="ご契約"
    )
    services.article_create(
        services.NewArticle(
            knowledge_base=kb,
            section=section,
            author=owner,
            visibility=Visibility.ORGANISATIONS,
            organisations=[organisation],
            texts=[
                services.ArticleText(
                    language="en",
                    title=f"Your support contract ({organisation.name})",
                    body="Your contract includes priority answers within **4 business hours**.",
                )
            ],
        )
    )
