"""The seller conversation, pure: no trio, no database."""

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain.buyer import LeadNote
from domain.conversation import (
    COLLECTING,
    IDLE,
    MAX_PHOTOS,
    PREVIEW,
    AddPhotos,
    CancelUpload,
    Context,
    Fetch,
    ListingCommand,
    PhotoFailed,
    PhotoStored,
    Publish,
    RemindLater,
    Reply,
    StillWaiting,
    listing_command_reply,
    pending_fetches,
    step,
)
from domain.events import EventKind, InboundEvent, MediaRef
from domain.identity import ChatKind, Identity, IdentityKind
from domain.photos import PhotoFiles, StoredPhoto
from domain.session_state import PhotoStatus, SessionState, Stage

BUDI = Identity(IdentityKind.PHONE, "6281234567890")
UPLOAD = "/upload Honda Freed PSD Matic tahun 2012 KM 145515 harga 145jt"
NOW = 1_800_000_000.0


def text(message: str, key: str | None = None) -> InboundEvent:
    return InboundEvent(
        "demo", key or f"t:{message}", BUDI, ChatKind.DIRECT, EventKind.TEXT, message
    )


def image(key: str, failed: str | None = None) -> InboundEvent:
    return InboundEvent(
        "demo",
        key,
        BUDI,
        ChatKind.DIRECT,
        EventKind.IMAGE,
        "",
        MediaRef(f"/images/{key}.jpg", failed=failed),
    )


def stored(upload: int, key: str, content: str | None = None) -> PhotoStored:
    files = PhotoFiles(*(f"{key}-{size}.jpg" for size in ("large", "medium", "thumb")))
    return PhotoStored(upload, key, StoredPhoto(content or key, files, 1600, 1200, 1000))


def round_trip(state: SessionState) -> SessionState:
    """The state as a restart reads it back from its row."""
    return SessionState.from_row(*state.to_row())


def run(state: SessionState, *inputs, now: float = NOW, language: str = "id"):
    effects = []
    for received in inputs:
        state, produced = step(state, received, Context(language, "Demo", now=now))
        effects += produced
        assert round_trip(state) == state  # what is stored is what comes back
    return state, effects


def replies(effects) -> list[str]:
    return [e.text for e in effects if isinstance(e, Reply)]


def test_a_complete_upload_asks_for_photos():
    state, effects = run(SessionState(), text(UPLOAD))
    assert state.stage == COLLECTING
    [reply] = replies(effects)
    assert "Honda Freed PSD" in reply and "Rp 145.000.000" in reply and "1-10 foto" in reply


def test_an_incomplete_upload_says_what_is_missing_and_stays_idle():
    state, effects = run(SessionState(), text("/upload Honda Jazz merah"))
    assert state.stage == IDLE
    [reply] = replies(effects)
    assert "tahun" in reply and "harga" in reply and "Contoh" in reply


def test_the_first_photo_is_acknowledged_the_others_quietly():
    _state, effects = run(SessionState(), text(UPLOAD), image("p1"), image("p2"), image("p3"))
    assert len(replies(effects)) == 2  # "understood", then the first photo only
    assert [e.key for e in effects if isinstance(e, Fetch)] == ["p1", "p2", "p3"]


def test_the_eleventh_photo_is_refused_once():
    photos = [image(f"p{n}") for n in range(13)]
    _state, effects = run(SessionState(), text(UPLOAD), *photos)
    assert len([e for e in effects if isinstance(e, Fetch)]) == MAX_PHOTOS
    assert sum("Maksimal 10 foto" in r for r in replies(effects)) == 1


def test_selesai_waits_for_running_downloads_then_shows_the_preview():
    state, _ = run(SessionState(), text(UPLOAD), image("p1"), image("p2"))
    state, effects = run(state, text("SELESAI!!"))
    assert replies(effects) == []  # no "please wait" unless it really takes a while...
    [remind] = [e for e in effects if isinstance(e, RemindLater)]
    state, effects = run(state, stored(1, "p1"), remind.message)
    assert replies(effects) == ["Sebentar, masih mengambil 1 foto..."]  # ...as it does here
    assert state.stage == COLLECTING
    state, effects = run(state, stored(1, "p2"))
    assert state.stage == PREVIEW
    [preview] = replies(effects)
    assert "Foto: 2" in preview and "145.515 km" in preview and "Matic" in preview


def test_a_failed_photo_gets_one_message_and_the_rest_goes_on():
    state, effects = run(
        SessionState(),
        text(UPLOAD),
        image("p1"),
        image("p2"),
        PhotoFailed(1, "p1", "HTTP 410"),
        stored(1, "p2"),
        text("selesai"),
    )
    assert sum("kirim ulang" in r for r in replies(effects)) == 1
    assert state.stage == PREVIEW and "Foto: 1" in replies(effects)[-1]


def test_the_same_picture_twice_is_kept_once():
    state, _ = run(
        SessionState(),
        text(UPLOAD),
        image("p1"),
        image("p2"),
        stored(1, "p1", content="same"),
        stored(1, "p2", content="same"),
        text("selesai"),
    )
    assert len(state.data.stored()) == 1


def test_selesai_without_photos_asks_for_them_and_skip_goes_on():
    state, effects = run(SessionState(), text(UPLOAD), text("selesai"))
    assert state.stage == COLLECTING and "skip" in replies(effects)[-1]
    state, effects = run(state, text("skip"))
    assert state.stage == PREVIEW and "Foto: 0" in replies(effects)[-1]


def test_a_correction_at_the_preview_updates_the_field_and_shows_it_again():
    state, _ = run(SessionState(), text(UPLOAD), text("skip"))
    state, effects = run(state, text("harga 140jt"), text("km 120rb"))
    assert state.stage == PREVIEW
    assert "Rp 140.000.000" in replies(effects)[-1] and "120.000 km" in replies(effects)[-1]


def test_ya_publishes_with_the_description_and_the_photos():
    state, effects = run(
        SessionState(), text(UPLOAD), image("p1"), stored(1, "p1"), text("selesai"), text("ya")
    )
    [publish] = [e for e in effects if isinstance(e, Publish)]
    assert state.stage == IDLE
    assert publish.description and [p.content_hash for p in publish.photos] == ["p1"]
    assert publish.original_text == UPLOAD
    assert "{code}" in publish.published_text and "{link}" in publish.published_text


@pytest.mark.parametrize("word", ["batal", "/cancel", "tidak"])
def test_cancelling_at_the_preview_removes_the_photos(word):
    state, effects = run(
        SessionState(), text(UPLOAD), image("p1"), stored(1, "p1"), text("selesai"), text(word)
    )
    [cancel] = [e for e in effects if isinstance(e, CancelUpload)]
    assert cancel.upload == 1 and "p1-large.jpg" in cancel.files
    assert state.stage == IDLE and "dibatalkan" in replies(effects)[-1]


def test_a_new_upload_cancels_the_current_one_and_its_late_results_are_dropped():
    state, effects = run(SessionState(), text(UPLOAD), image("p1"), text(UPLOAD + " ", key="again"))
    assert [e.upload for e in effects if isinstance(e, CancelUpload)] == [1]
    assert state.data.upload == 2 and state.stage == COLLECTING
    state, effects = run(state, stored(1, "p1"))  # the old upload's photo arrives late
    assert state.data.photos == ()
    assert next(e for e in effects if isinstance(e, CancelUpload)).files  # its files go


def test_an_expired_session_is_cancelled_and_the_seller_told():
    state, _ = run(SessionState(), text(UPLOAD), now=NOW)
    state, effects = run(state, text("selesai"), now=NOW + 3 * 24 * 3600)
    assert state.stage == IDLE
    assert any("kedaluwarsa" in r for r in replies(effects))


def test_a_restored_session_restarts_its_pending_downloads():
    state, _ = run(SessionState(), text(UPLOAD), image("p1"), image("p2"), stored(1, "p1"))
    restored = round_trip(state)
    assert [f.key for f in pending_fetches(restored)] == ["p2"]


def test_english_per_tenant():
    _, effects = run(SessionState(), text(UPLOAD), language="en")
    assert "Now send 1-10 photos" in replies(effects)[0]


def test_anything_else_gets_short_help_not_an_error():
    _, effects = run(SessionState(), text("apa kabar?"))
    assert "/upload" in replies(effects)[0]


class ConversationMachine(RuleBasedStateMachine):
    """Random sequences of everything a seller and the downloader can do, in any order."""

    @initialize()
    def start(self) -> None:
        self.state = SessionState()
        self.now = NOW
        self.published: list[Publish] = []
        self.published_uploads: set[int] = set()
        self.fetched: list[Fetch] = []
        self.counter = 0

    def feed(self, received) -> None:
        upload = self.state.data.upload
        self.state, effects = step(self.state, received, Context(now=self.now))
        assert round_trip(self.state) == self.state
        if any(isinstance(e, Publish) for e in effects):
            assert upload not in self.published_uploads, "an upload was published twice"
            self.published_uploads.add(upload)
        self.published += [e for e in effects if isinstance(e, Publish)]
        self.fetched += [e for e in effects if isinstance(e, Fetch)]
        self.last_effects = effects

    @rule(
        message=st.sampled_from(
            [
                UPLOAD,
                "/upload Jazz 2015",
                "selesai",
                "skip",
                "ya",
                "tidak",
                "batal",
                "/cancel",
                "harga 99jt",
                "km 10rb",
                "halo",
                "/help",
                "/hapus #H01",
                "/list",
                "/sold #H01",
                "/foto #H01",
            ]
        )
    )
    def seller_types(self, message: str) -> None:
        self.counter += 1
        self.feed(text(message, key=f"m{self.counter}"))

    @rule(failed=st.booleans())
    def seller_sends_a_photo(self, failed: bool) -> None:
        self.counter += 1
        self.feed(image(f"p{self.counter}", failed="gone" if failed else None))

    @rule(data=st.data())
    def the_same_webhook_again(self, data) -> None:
        if self.fetched:
            fetch = data.draw(st.sampled_from(self.fetched))
            self.feed(image(fetch.key))

    @precondition(lambda self: self.fetched)
    @rule(data=st.data(), ok=st.booleans(), duplicate_content=st.booleans())
    def a_download_ends(self, data, ok: bool, duplicate_content: bool) -> None:
        fetch = data.draw(st.sampled_from(self.fetched))  # any order, even twice, even late
        if ok:
            self.feed(stored(fetch.upload, fetch.key, "same" if duplicate_content else None))
        else:
            self.feed(PhotoFailed(fetch.upload, fetch.key, "broken"))

    @rule()
    def a_reminder_fires(self) -> None:
        self.feed(StillWaiting(self.state.data.upload))

    @rule()
    def a_day_passes(self) -> None:
        self.now += 25 * 3600

    @rule()
    def restart(self) -> None:
        self.state = round_trip(self.state)

    @invariant()
    def never_more_than_ten_photos(self) -> None:
        photos = self.state.data.photos
        kept = (PhotoStatus.PENDING, PhotoStatus.STORED)
        assert len([p for p in photos if p.status in kept]) <= MAX_PHOTOS

    @invariant()
    def every_publish_has_a_description_and_only_stored_photos(self) -> None:
        for publish in self.published:
            assert publish.description
            assert all(isinstance(p, StoredPhoto) and p.files.large for p in publish.photos)
            assert len(publish.photos) <= MAX_PHOTOS
            assert publish.draft["price_idr"] and publish.draft["model"]

    @invariant()
    def added_photos_are_stored_ones(self) -> None:
        for effect in getattr(self, "last_effects", []):
            if isinstance(effect, AddPhotos):
                assert effect.photos and all(isinstance(p, StoredPhoto) for p in effect.photos)
                assert len(effect.photos) <= MAX_PHOTOS

    @invariant()
    def one_turn_publishes_at_most_once(self) -> None:
        assert len([e for e in getattr(self, "last_effects", []) if isinstance(e, Publish)]) <= 1

    @invariant()
    def a_published_upload_is_over(self) -> None:
        if any(isinstance(e, Publish) for e in getattr(self, "last_effects", [])):
            assert self.state.stage == IDLE


ConversationMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None
)
TestConversation = ConversationMachine.TestCase


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("/list", ListingCommand("list", None, None)),
        ("/list terjual", ListingCommand("list", None, "sold")),
        ("/status #H07 sold", ListingCommand("status", "H07", "sold")),
        ("/status h07 Tersedia", ListingCommand("status", "H07", "available")),
        ("/sold #A12", ListingCommand("status", "A12", "sold")),
        ("/harga #H07 140jt", ListingCommand("price", "H07", 140_000_000)),
        ("/harga #T100 1,2M", ListingCommand("price", "T100", 1_200_000_000)),
    ],
)
def test_listing_commands(message, expected):
    _, effects = run(SessionState(), text(message))
    assert effects == [expected]


@pytest.mark.parametrize(
    ("message", "usage"),
    [
        ("/status #H07 meledak", "Format: */status"),
        ("/harga #H07 mahal", "Format: */harga"),
        ("/sold", "kodenya"),
    ],
)
def test_listing_commands_explain_their_format(message, usage):
    _, effects = run(SessionState(), text(message))
    assert usage in replies(effects)[0]


def test_delete_asks_first_and_a_no_keeps_the_car():
    state, effects = run(SessionState(), text("/hapus #H07"))
    assert "Ketik *ya*" in replies(effects)[0]
    _, effects = run(state, text("tidak"))
    assert replies(effects) == [text_of("delete_kept", code="H07")]
    _, effects = run(state, text("ya"))
    assert effects == [ListingCommand("delete", "H07", None)]


def text_of(key: str, **values) -> str:
    from domain.texts import text as catalog

    return catalog("id", key, **values)


def test_listing_command_replies():
    listing = {
        "code": "H07",
        "make": "Honda",
        "model": "Jazz",
        "variant": "RS",
        "year": 2017,
        "price_idr": 179_000_000,
        "status": "available",
    }
    reply = listing_command_reply(ListingCommand("list", None, None), [listing], "id")
    assert "#H07 Honda Jazz RS 2017 - Rp 179.000.000 - tersedia" in reply
    assert "tidak ditemukan" in listing_command_reply(
        ListingCommand("status", "H99", "sold"), None, "id"
    )


def test_someone_who_may_not_sell_gets_the_buyer_conversation_and_is_kept_as_a_lead():
    def as_buyer(state, message, now):
        return step(
            state,
            text(message, key=f"s{now}"),
            Context(now=now, may_sell=False, catalog_url="https://katalog.example.id"),
        )

    state, effects = as_buyer(SessionState(), UPLOAD, NOW)
    assert state.stage == IDLE
    assert [type(e) for e in effects] == [Reply, LeadNote]
    assert "belum terdaftar sebagai penjual" in effects[0].text
    assert "https://katalog.example.id" in effects[0].text
    state, effects = as_buyer(state, "halo", NOW + 3600)
    assert "selamat datang" in replies(effects)[0]
    assert effects[-1].status == "new"
    restored = SessionState.from_row(*state.to_row())
    assert restored.data.buyer == state.data.buyer  # the buyer's state is kept with the session


def test_foto_adds_photos_to_a_published_car():
    state, effects = run(SessionState(), text("/foto #H07"))
    assert state.stage == Stage.ADDING and "#H07" in replies(effects)[0]
    state, effects = run(state, image("x1"), image("x2"), stored(1, "x1"), text("selesai"))
    assert any(isinstance(e, RemindLater) for e in effects)
    state, effects = run(state, stored(1, "x2"))
    [add] = [e for e in effects if isinstance(e, AddPhotos)]
    assert state.stage == IDLE and add.code == "H07" and len(add.photos) == 2
    assert "{count}" in add.added_text


def test_a_photo_that_arrives_after_selesai_is_taken_and_the_preview_shown_again():
    state, _ = run(SessionState(), text(UPLOAD), image("p1"), stored(1, "p1"), text("selesai"))
    assert state.stage == PREVIEW
    state, effects = run(state, image("p2"))  # delivered out of order, after selesai
    assert [e.key for e in effects if isinstance(e, Fetch)] == ["p2"]
    state, effects = run(state, stored(1, "p2"))
    assert state.stage == PREVIEW and "Foto: 2" in replies(effects)[-1]


def test_a_seller_asking_about_a_code_gets_the_buyer_answer_only_outside_an_upload():
    from domain.buyer import BuyerContext, BuyerSettings, CarFacts, StockFacts
    from domain.buyer_questions import read_question

    car = CarFacts(
        "H07", "Honda", "Jazz", "RS", 2017, 179_000_000, 76_000, "Matic", "Bensin", "Putih",
        "available", "honda-jazz-rs-2017-h07", "6281200000000",
    )  # fmt: skip
    facts = BuyerContext(BuyerSettings(), read_question("#H07"), StockFacts(car=car))
    context = Context(now=NOW, buyer=facts)
    _, effects = step(SessionState(), text("#H07"), context)
    assert replies(effects)[0].startswith("*#H07 Honda Jazz RS 2017*")
    assert not [e for e in effects if type(e).__name__ in ("LeadNote", "Alert")]
    state, _ = run(SessionState(), text(UPLOAD))
    _, effects = step(state, text("#H07"), context)
    assert "Kirim foto mobilnya" in replies(effects)[0]  # an upload keeps its meaning
    _, effects = step(SessionState(), text("halo"), Context(now=NOW))
    assert "Halo!" in replies(effects)[0]  # the seller's own help, not the buyer's greeting
