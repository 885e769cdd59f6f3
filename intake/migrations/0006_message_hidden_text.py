from django.db import migrations, models

OPEN_STATUSES = ("awaiting_triage", "new", "working", "contacted", "qualified")


def fill_hidden_text(apps, schema_editor):
    """Messages parsed before the field existed: open leads may be triaged again (a re-run, a
    reply), so their HTML's hidden text is found now, as intake finds it at parse time."""
    from intake import mime

    Message = apps.get_model("intake", "Message")
    pending = (
        Message.objects.filter(lead__status__in=OPEN_STATUSES, channel="email")
        .exclude(html="")
        .only("pk", "raw")
    )
    for message in pending.iterator(chunk_size=200):
        hidden = mime.parse_message(bytes(message.raw)).hidden_text
        if hidden:
            Message.objects.filter(pk=message.pk).update(hidden_text=hidden[:20_000])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_message_api_user"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="hidden_text",
            field=models.TextField(
                blank=True,
                help_text="Text the HTML as sent hid from a reader (for injection checks).",
            ),
        ),
        migrations.RunPython(fill_hidden_text, migrations.RunPython.noop, elidable=True),
    ]
