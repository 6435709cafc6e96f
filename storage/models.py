"""The data model. Works on SQLite (the default) and PostgreSQL: no SQLite-only SQL here.

Money and distances are integers (rupiah, kilometres); money never touches a float.
Times are naive UTC datetimes. Structured data (a normalised event, a session's data) is JSON
text, so it reads the same on both databases.

The schema itself is created and changed only by the numbered migrations (storage/migrations);
a test checks that migrating an empty database gives exactly these models.
"""

from __future__ import annotations

import datetime as dt

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    Check,
    DatabaseProxy,
    DateTimeField,
    DeferredForeignKey,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)

database = DatabaseProxy()

LANGUAGES = ("id", "en")
ROLES = ("seller", "admin")
INBOX_STATUSES = ("new", "done", "dead")
OUTBOX_STATUSES = ("pending", "sent", "failed")
LISTING_STATUSES = ("available", "booking", "sold", "hidden", "deleted")
PUBLIC_LISTING_STATUSES = ("available", "booking", "sold")
# new: wrote; warm: asked about cars; hot: handed to a person (never drops back by itself);
# closed and lost: set by the showroom (`/lead 0812... closed`).
LEAD_STATUSES = ("new", "warm", "hot", "closed", "lost")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def one_of(column: str, values: tuple[str, ...]) -> Check:
    return Check(f"{column} IN ({', '.join(repr(v) for v in values)})")


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Tenant(BaseModel):
    """One dealer (showroom): its catalog, its WhatsApp number and its look."""

    slug = CharField(max_length=63, unique=True)
    name = CharField(max_length=200)
    public_url = CharField(max_length=500, default="")
    whatsapp_number = CharField(max_length=32, default="")
    language = CharField(max_length=2, default="id", constraints=[one_of("language", LANGUAGES)])
    primary_color = CharField(max_length=7, default="#0b5ed7")
    accent_color = CharField(max_length=7, default="#f59f00")
    created_at = DateTimeField(default=utcnow)


class Person(BaseModel):
    """Someone allowed to use the bot for a tenant. `phone` is the normalised identity
    (`6281234567890`, or `lid:...` for WhatsApp's hidden identities)."""

    tenant = ForeignKeyField(Tenant, backref="people", on_delete="CASCADE")
    phone = CharField(max_length=64)
    name = CharField(max_length=100, default="")
    role = CharField(max_length=10, constraints=[one_of("role", ROLES)])
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "phone"), True),)


class ConversationSession(BaseModel):
    """One user's conversation with the bot: the state machine's state and its data (JSON).
    `version` grows with every committed turn."""

    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    user = CharField(max_length=64)
    state = CharField(max_length=32, default="idle")
    data = TextField(default="{}")
    version = IntegerField(default=0)
    updated_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("tenant", "user"), True),)


class InboxEvent(BaseModel):
    """A received webhook event, stored before the webhook is answered. Processing happens
    later, from here; a duplicate delivery hits the unique (tenant, dedupe_key). `event` is
    the parsed event (JSON); a photo that came inline is the file `media_file` in the media
    store. Processed events are pruned after `inbox.keep_processed_days`."""

    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    dedupe_key = CharField(max_length=200)
    sender = CharField(max_length=64, default="")
    event = TextField()
    status = CharField(max_length=8, default="new", constraints=[one_of("status", INBOX_STATUSES)])
    attempts = IntegerField(default=0)
    received_at = DateTimeField(default=utcnow)
    processed_at = DateTimeField(null=True)
    last_error = TextField(null=True)
    media_file = CharField(max_length=200, null=True)

    class Meta:
        indexes = (
            (("tenant", "dedupe_key"), True),
            (("status", "id"), False),
            (("status", "processed_at"), False),
        )


class OutboxMessage(BaseModel):
    """A reply to send. Kept until sent; `dedupe_key` (when given) makes a replayed turn
    enqueue the same reply only once."""

    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    chat = CharField(max_length=64)
    text = TextField()  # the message, or the caption of `image`
    image = CharField(max_length=200, null=True)  # a stored photo of the tenant, to send
    dedupe_key = CharField(max_length=200, null=True)
    status = CharField(
        max_length=8, default="pending", constraints=[one_of("status", OUTBOX_STATUSES)]
    )
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    last_error = TextField(null=True)

    class Meta:
        indexes = (
            (("tenant", "dedupe_key"), True),
            (("status", "next_attempt_at"), False),
            # a chat's pending replies in order, without reading the replies sent before
            (("tenant", "chat", "status", "id"), False),
        )


class Listing(BaseModel):
    """A car on the catalog. `code` is the display code (`H07` is shown as `#H07`)."""

    tenant = ForeignKeyField(Tenant, backref="listings", on_delete="CASCADE")
    code = CharField(max_length=12)
    slug = CharField(max_length=160)
    seller = CharField(max_length=64)
    make = CharField(max_length=40)
    model = CharField(max_length=60)
    variant = CharField(max_length=80, default="")
    year = SmallIntegerField(null=True)
    transmission = CharField(max_length=10, default="")
    fuel = CharField(max_length=10, default="")
    color = CharField(max_length=30, default="")
    mileage_km = IntegerField(null=True)
    price_idr = BigIntegerField(constraints=[Check("price_idr >= 0")])
    original_text = TextField(default="")
    description = TextField(default="")
    status = CharField(
        max_length=10, default="available", constraints=[one_of("status", LISTING_STATUSES)]
    )
    cover_photo = DeferredForeignKey("Photo", null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("tenant", "code"), True),
            (("tenant", "slug"), True),
            (("tenant", "status", "created_at"), False),
            # the buyer side's searches: by make and model, and by price
            (("tenant", "status", "make", "model"), False),
            (("tenant", "status", "price_idr"), False),
        )


class Photo(BaseModel):
    """A stored photo, first of an upload session, then of its listing. The files (one per
    size) are named by content hash in the photo store."""

    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    listing = ForeignKeyField(Listing, backref="photos", null=True, on_delete="CASCADE")
    session = ForeignKeyField(ConversationSession, null=True, on_delete="SET NULL")
    position = SmallIntegerField()
    content_hash = CharField(max_length=64)
    file_large = CharField(max_length=200)
    file_medium = CharField(max_length=200)
    file_thumb = CharField(max_length=200)
    width = IntegerField()
    height = IntegerField()
    bytes = IntegerField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("listing", "position"), True),
            (("session", "position"), True),
        )
        constraints = [Check("listing_id IS NOT NULL OR session_id IS NOT NULL")]


class AuditEntry(BaseModel):
    """Who did what, allowed or denied (admin commands, moderation)."""

    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    actor = CharField(max_length=64)
    action = CharField(max_length=60)
    target = CharField(max_length=200, default="")
    allowed = BooleanField()
    detail = TextField(default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "created_at"), False),)


class Lead(BaseModel):
    """Someone who wrote to the bot without being a seller: a possible buyer. `status` only
    rises by itself (new, warm, hot); `alerted` is who was told last about them."""

    tenant = ForeignKeyField(Tenant, on_delete="CASCADE")
    identity = CharField(max_length=64)
    name = CharField(max_length=100, default="")
    messages = IntegerField(default=0)
    last_text = TextField(default="")
    first_seen = DateTimeField(default=utcnow)
    last_seen = DateTimeField(default=utcnow)
    status = CharField(max_length=8, default="new", constraints=[one_of("status", LEAD_STATUSES)])
    last_car = CharField(max_length=12, default="")  # the code of the car asked about last
    alerted = CharField(max_length=200, default="")
    alerts = IntegerField(default=0)
    status_at = DateTimeField(null=True)

    class Meta:
        indexes = (
            (("tenant", "identity"), True),
            (("tenant", "status", "last_seen"), False),
        )


class LeadCar(BaseModel):
    """A car a lead asked about: the car's seller sees the lead in their `/leads`."""

    tenant = ForeignKeyField(Tenant, on_delete="CASCADE", index=False)  # the indexes lead
    identity = CharField(max_length=64)
    code = CharField(max_length=12)
    first_at = DateTimeField(default=utcnow)
    last_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("tenant", "identity", "code"), True),
            (("tenant", "code"), False),
        )


class BuyerQuestion(BaseModel):
    """One buyer message as the bot read and answered it: the numbers of /stats, and (a search
    that found nothing) the demand `/permintaan` lists, what was wanted in `wanted`."""

    tenant = ForeignKeyField(Tenant, on_delete="CASCADE", index=False)  # the index leads
    identity = CharField(max_length=64)
    intent = CharField(max_length=16)
    code = CharField(max_length=12, default="")
    wanted = CharField(max_length=200, default="")
    found = IntegerField(null=True)  # cars a search found; None: no search
    answered = BooleanField(default=False)  # answered without a person
    alerted = BooleanField(default=False)  # a person was told
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "created_at"), False),)


class IdentityAlias(BaseModel):
    """Another form of someone's identity and the phone number it stands for: a hidden linked
    id (`lid:...`) or a business-scoped id (`bsuid:...`), learned from a webhook that carried
    both. The phone is the canonical identity (sellers and admins are registered by phone);
    a message that comes with the alias alone is taken as the phone's."""

    tenant = ForeignKeyField(Tenant, on_delete="CASCADE", index=False)  # the unique index leads
    alias = CharField(max_length=64)
    identity = CharField(max_length=64)
    learned_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("tenant", "alias"), True),)


MODELS: tuple[type[BaseModel], ...] = (
    Tenant,
    Person,
    ConversationSession,
    InboxEvent,
    OutboxMessage,
    Listing,
    Photo,
    AuditEntry,
    Lead,
    IdentityAlias,
    LeadCar,
    BuyerQuestion,
)
