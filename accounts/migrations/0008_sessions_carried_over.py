"""Live sessions move to the new table with their account and directory session, so a deploy
signs nobody out; the sign-in history learns which directory session each open row belongs to."""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as PlainStore
from django.db import migrations
from django.utils import timezone
from django.utils.crypto import salted_hmac

BATCH = 1000
DIRECTORY = "directory"
DIRECTORY_SID = "directory_sid"


def reference(session_key: str) -> str:
    # accounts.models.session_reference, as it is today: a migration does not import models.
    return salted_hmac("accounts.session_reference", session_key, algorithm="sha256").hexdigest()


def carry_over(apps, schema_editor):
    Old = apps.get_model("sessions", "Session")
    New = apps.get_model("accounts", "Session")
    SignInSession = apps.get_model("accounts", "SignInSession")
    User = apps.get_model("accounts", "User")
    accounts = set(User.objects.values_list("pk", flat=True))
    codec = PlainStore()
    batch = []
    for old in Old.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=BATCH):
        data = codec.decode(old.session_data)
        if not data:
            continue
        try:
            account = int(data[SESSION_KEY]) if SESSION_KEY in data else None
        except (TypeError, ValueError):
            account = None
        own = reference(old.session_key)
        session_data = old.session_data
        sid = str(data.get(DIRECTORY_SID) or "")
        if not sid and data.get("portal") == DIRECTORY:
            # The directory's own session: from now on it names itself in its data too.
            sid = data[DIRECTORY_SID] = own
            session_data = codec.encode(data)
        if sid:
            SignInSession.objects.filter(session_ref=own, sid="").update(sid=sid)
        batch.append(
            New(
                session_key=old.session_key,
                session_data=session_data,
                expire_date=old.expire_date,
                account_id=account if account in accounts else None,
                sid=sid,
            )
        )
        if len(batch) == BATCH:
            New.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    New.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_sessions_name_their_sign_in"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop, elidable=True)]
