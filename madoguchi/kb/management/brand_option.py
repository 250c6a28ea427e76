"""The --brand option of the article commands: which brand's knowledge base they work on."""

from django.core.management.base import CommandError, CommandParser

from madoguchi.branding.models import Brand
from madoguchi.branding.services import brand_named


def add_brand_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--brand", default="", help="The brand's host name or name (default: the default brand)."
    )


def brand_from(options: dict[str, object]) -> Brand:
    name = str(options["brand"])
    brand = brand_named(name)
    if brand is None:
        raise CommandError(f"There is no one brand with the host name or name {name!r}.")
    return brand
