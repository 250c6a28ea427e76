from django.db import migrations, models

HELP_TEXT = (
    "Mail about this brand's requests then comes from this address, with the brand's name, and "
    "replies come back to it. Untick it if your mail server may not send as this address (SPF, "
    "DKIM): the portal's own sender address is used instead."
)


def sends_mail(default: bool) -> models.BooleanField:
    return models.BooleanField(
        default=default,
        help_text=HELP_TEXT,
        verbose_name="send the brand's request mail from this address",
    )


class Migration(migrations.Migration):
    """Mailboxes that existed before only received mail: they keep the portal's sender until an
    admin says their address may send (SPF, DKIM); mailboxes added from now on send."""

    dependencies = [
        ("tickets", "0012_activity_type_filter_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="brandmailbox", name="sends_mail", field=sends_mail(default=False)
        ),
        migrations.AlterField(
            model_name="brandmailbox", name="sends_mail", field=sends_mail(default=True)
        ),
    ]
