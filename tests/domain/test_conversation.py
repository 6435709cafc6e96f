"""The seller conversation, pure: no trio, no database."""

import dataclasses

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
    WriteCopy,
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


def test_an_incomplete_upload_asks_for_one_missing_field_at_a_time():
    state, effects = run(SessionState(), text("/upload Honda Jazz merah"))
    assert state.stage == COLLECTING
    assert replies(effects) == [text_of("ask_year", car="Honda Jazz")]
    state, effects = run(state, text("2017"))
    assert replies(effects) == [text_of("ask_price_idr", car="Honda Jazz 2017")]
    state, effects = run(state, text("179"))  # a bare number, asked for the price: juta
    assert state.data.draft["price_idr"] == 179_000_000
    assert "Rp 179.000.000" in replies(effects)[0] and "1-10 foto" in replies(effects)[0]


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
    assert publish.original_text == UPLOAD.removeprefix("/upload ")  # the seller's words
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
        self.last_input_was_text = (
            isinstance(received, InboundEvent) and received.kind is EventKind.TEXT
        )
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
                # as sellers really write: answers, corrections, listings without /upload
                "2019",
                "165jt",
                "thn 17",
                "kmnya 55rb",
                "km 1.200.000",
                "harga 165000000jt",
                "jual avanza 2019 matic 165jt",
                "oke",
                "iya betul",
                "tidak jadi",
                "mau jual mobil",
                "fotonya bisa ditambah?",
                "/upload Honda Jazz merah",
            ]
        )
    )
    def seller_types(self, message: str) -> None:
        self.counter += 1
        self.feed(text(message, key=f"m{self.counter}"))

    @rule(
        caption=st.sampled_from(
            ["Jual Honda Jazz RS 2017 km 76rb 179jt", "/upload Avanza G 2019 AT 165jt", "mulus"]
        )
    )
    def seller_sends_a_captioned_photo(self, caption: str) -> None:
        self.counter += 1
        key = f"c{self.counter}"
        self.feed(
            InboundEvent(
                "demo", key, BUDI, ChatKind.DIRECT, EventKind.IMAGE, caption, MediaRef(key)
            )
        )

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
    def a_quarter_of_an_hour_passes(self) -> None:
        self.now += 16 * 60

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
            assert publish.draft["price_idr"] and publish.draft["model"] and publish.draft["year"]
            assert 5_000_000 <= publish.draft["price_idr"] <= 50_000_000_000

    @invariant()
    def added_photos_are_stored_ones(self) -> None:
        for effect in getattr(self, "last_effects", []):
            if isinstance(effect, AddPhotos):
                assert effect.photos and all(isinstance(p, StoredPhoto) for p in effect.photos)
                assert len(effect.photos) <= MAX_PHOTOS

    @invariant()
    def every_turn_of_the_seller_gets_an_answer(self) -> None:
        effects = getattr(self, "last_effects", [])
        seller_wrote = getattr(self, "last_input_was_text", False)
        if seller_wrote:
            answers = Reply | Publish | ListingCommand | AddPhotos | RemindLater  # (later)
            assert any(isinstance(e, answers) for e in effects)

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


# -- sellers as they really write (each test: one habit) ---------------------------------


def caption_photo(key: str, caption: str) -> InboundEvent:
    return InboundEvent(
        "demo",
        key,
        BUDI,
        ChatKind.DIRECT,
        EventKind.IMAGE,
        caption,
        MediaRef(f"/images/{key}.jpg"),
    )


@pytest.mark.parametrize(
    "caption",
    [
        "Jual Toyota Avanza G 2019 AT km 67rb harga 165jt nego",
        "/upload Toyota Avanza G 2019 AT km 67rb harga 165jt",
        "avanza G 2019 matic\nkm 67.000\nRp 165.000.000 😍",
    ],
)
def test_a_photo_whose_caption_is_the_listing_starts_the_upload_with_that_photo(caption):
    state, effects = run(SessionState(), caption_photo("p1", caption))
    assert state.stage == COLLECTING and state.data.draft["model"] == "Avanza"
    assert state.data.draft["price_idr"] == 165_000_000 and state.data.draft["year"] == 2019
    assert [e.key for e in effects if isinstance(e, Fetch)] == ["p1"]
    assert "Avanza" in replies(effects)[0]


def test_a_listing_typed_without_upload_starts_one():
    state, effects = run(SessionState(), text("jual avanza 2019 matic 165jt"))
    assert state.stage == COLLECTING and state.data.draft["transmission"] == "Matic"
    assert "1-10 foto" in replies(effects)[0]


def test_photos_sent_before_the_listing_are_kept_for_it_with_one_notice():
    state, effects = run(SessionState(), image("p1"), image("p2"), stored(1, "p1"))
    assert replies(effects) == [text_of("photos_first_kept")]
    assert [e.key for e in effects if isinstance(e, Fetch)] == ["p1", "p2"]
    state, effects = run(state, text("Honda Jazz RS 2017 km 76rb 179jt"), now=NOW + 600)
    assert state.data.upload == 1 and len(state.data.photos) == 2  # the same upload
    assert "2 foto sudah saya terima" in replies(effects)[0]
    state, effects = run(state, stored(1, "p2"), text("selesai"), now=NOW + 700)
    assert state.stage == PREVIEW and "Foto: 2" in replies(effects)[-1]


def test_photos_sent_long_before_the_listing_are_not_kept():
    state, _ = run(SessionState(), image("p1"), stored(1, "p1"))
    state, effects = run(state, text("Honda Jazz RS 2017 km 76rb 179jt"), now=NOW + 16 * 60)
    cancel = next(e for e in effects if isinstance(e, CancelUpload))
    assert cancel.upload == 1 and "p1-large.jpg" in cancel.files
    assert state.data.upload == 2 and state.data.photos == ()
    assert not any("kedaluwarsa" in r for r in replies(effects))  # no upload had started


@pytest.mark.parametrize(
    ("answer", "year"), [("2019", 2019), ("tahun 2019", 2019), ("thn 19", 2019), ("'19", 2019)]
)
def test_the_missing_year_is_completed_by_the_short_answer(answer, year):
    state, _ = run(SessionState(), text("/upload Toyota Avanza G AT km 67rb harga 165jt"))
    assert state.data.asking == "year"
    state, effects = run(state, text(answer))
    assert state.data.draft["year"] == year and state.data.asking is None
    assert "1-10 foto" in replies(effects)[0]


def test_an_answer_that_is_not_understood_asks_again_with_an_example():
    state, _ = run(SessionState(), text("/upload Toyota Avanza G AT harga 165jt"))
    _, effects = run(state, text("gimana caranya"))
    assert replies(effects)[0].startswith("Maaf, belum paham.")
    assert "tahun berapa" in replies(effects)[0]


@pytest.mark.parametrize(
    ("listing", "question"),
    [
        ("/upload Avanza 2019 harga 165000000jt", "Harga Rp 165.000.000.000.000?"),
        ("/upload Avanza 2019 harga 500rb", "Sepertinya kurang angka"),
        ("/upload Avanza 2019 harga 165jt km 12.000.000", "Jarak tempuh 12.000.000 km?"),
        ("/upload Avanza 2019 harga 165jt km 1.200.000", "betul? Balas *ya*"),
    ],
)
def test_an_absurd_value_is_questioned_before_it_is_accepted(listing, question):
    state, effects = run(SessionState(), text(listing))
    assert question in replies(effects)[0]
    assert state.stage == COLLECTING and state.data.asking is not None


def test_a_doubtful_mileage_confirmed_with_ya_is_kept_and_a_new_one_replaces_it():
    state, _ = run(SessionState(), text("/upload Avanza 2019 harga 165jt km 1.200.000"))
    confirmed, effects = run(state, text("iya betul"))
    assert confirmed.data.draft["mileage_km"] == 1_200_000 and confirmed.data.asking is None
    assert "1-10 foto" in replies(effects)[0]
    corrected, _ = run(state, text("km 120rb"))
    assert corrected.data.draft["mileage_km"] == 120_000 and corrected.data.asking is None


def test_selesai_before_the_listing_is_complete_asks_for_what_is_missing():
    state, _ = run(SessionState(), text("/upload Toyota Avanza G 2019 matic"), image("p1"))
    state, effects = run(state, stored(1, "p1"), text("selesai"))
    assert state.stage == COLLECTING and "harganya berapa" in replies(effects)[-1]
    state, effects = run(state, text("165jt"))  # complete now: straight to the preview
    assert state.stage == PREVIEW and "*Preview iklan*" in replies(effects)[-1]


def preview_of(listing: str = UPLOAD) -> SessionState:
    state, _ = run(SessionState(), text(listing), image("p1"), stored(1, "p1"), text("selesai"))
    assert state.stage == PREVIEW
    return state


@pytest.mark.parametrize(
    ("correction", "field", "value", "line"),
    [
        ("harga 140jt", "price_idr", 140_000_000, "Sudah diubah: harga Rp 140.000.000."),
        ("thn 17", "year", 2017, "Sudah diubah: tahun 2017."),
        ("kmnya 55rb", "mileage_km", 55_000, "Sudah diubah: jarak tempuh 55.000 km."),
        ("manual", "transmission", "Manual", "Sudah diubah: transmisi Manual."),
        ("harga 160,000,000", "price_idr", 160_000_000, "Sudah diubah: harga Rp 160.000.000."),
    ],
)
def test_a_correction_is_confirmed_in_one_line_with_the_changed_field(
    correction, field, value, line
):
    state, effects = run(preview_of(), text(correction))
    assert state.stage == PREVIEW and state.data.draft[field] == value
    [reply] = replies(effects)
    assert reply.startswith(line) and "*Preview iklan*" in reply


def test_the_sales_text_is_written_again_only_when_a_fact_in_it_changed():
    state = preview_of()
    described = state.data.description
    unchanged, _ = run(state, text("harga 140jt"))  # the template does not state the price
    assert unchanged.data.description == described
    changed, _ = run(state, text("km 120rb"))
    assert changed.data.description != described and "120.000 km" in changed.data.description


def test_a_written_sales_text_is_asked_for_again_only_when_a_fact_changed():
    context = Context(now=NOW, copywriter=True)
    before, _ = run(SessionState(), text(UPLOAD), image("p1"), stored(1, "p1"))
    _, effects = step(before, text("selesai"), context)
    [wanted] = [e for e in effects if isinstance(e, WriteCopy)]
    # the session runs the same turn again with the written text
    written = dataclasses.replace(context, descriptions={wanted.key: "Teks dari penulis."})
    state, _ = step(before, text("selesai"), written)
    assert state.data.description == "Teks dari penulis."
    state, effects = step(state, text("apa ini", key="q"), context)  # nothing changed
    assert not any(isinstance(e, WriteCopy) for e in effects)
    state, effects = step(state, text("harga 140jt", key="c"), context)
    assert any(isinstance(e, WriteCopy) for e in effects)


@pytest.mark.parametrize("message", ["fotonya bisa ditambah?", "apa ini", "hmm gimana ya kak"])
def test_what_the_preview_does_not_understand_gets_a_short_answer_not_the_preview(message):
    state, effects = run(preview_of(), text(message))
    assert state.stage == PREVIEW
    [reply] = replies(effects)
    assert "*Preview iklan*" not in reply
    assert ("kirim saja fotonya" in reply) == ("foto" in message)


@pytest.mark.parametrize("yes", ["ya", "Iya kak", "oke", "OK!", "boleh", "lanjut", "gas", "siap"])
def test_what_people_type_for_yes_publishes(yes):
    _, effects = run(preview_of(), text(yes))
    assert any(isinstance(e, Publish) for e in effects)


@pytest.mark.parametrize("no", ["tidak", "nggak", "gak", "jangan", "batal", "tidak jadi"])
def test_what_people_type_for_no_cancels(no):
    state, effects = run(preview_of(), text(no))
    assert state.stage == IDLE and any(isinstance(e, CancelUpload) for e in effects)


@pytest.mark.parametrize("answer", ["oke hapus aja", "ya hapus", "hapus"])
def test_a_yes_inside_a_short_sentence_confirms_a_deletion(answer):
    state, _ = run(SessionState(), text("/hapus #H07"))
    _, effects = run(state, text(answer))
    assert effects == [ListingCommand("delete", "H07", None)]


def test_a_repeated_photo_is_kept_once_told_once_and_does_not_use_a_place():
    photos = [image(f"p{n}") for n in range(12)]
    results = [stored(1, f"p{n}", content="same" if n < 3 else None) for n in range(12)]
    state, effects = run(SessionState(), text(UPLOAD), *photos[:10], *results[:10])
    assert sum("sekali saja" in r for r in replies(effects)) == 1
    state, effects = run(state, photos[10], photos[11])  # two places were freed by the copies
    assert [e.key for e in effects if isinstance(e, Fetch)] == ["p10", "p11"]


@pytest.mark.parametrize("greeting", ["halo", "p", "min", "Assalamualaikum", "apa kabar?"])
def test_greetings_get_a_short_next_step_and_the_full_help_at_most_once_an_hour(greeting):
    state, effects = run(SessionState(), text(greeting))
    assert "*/upload*" in replies(effects)[0]  # the first time: the full help
    state, effects = run(state, text(greeting, key="again"), now=NOW + 60)
    assert replies(effects) == [text_of("idle_hint")]
    _, effects = run(state, text(greeting, key="later"), now=NOW + 3700)
    assert "*/upload*" in replies(effects)[0]


def test_the_price_command_reads_commas_and_questions_an_absurd_price():
    _, effects = run(SessionState(), text("/harga #T03 160,000,000"))
    assert effects == [ListingCommand("price", "T03", 160_000_000)]
    _, effects = run(SessionState(), text("/harga #T03 165000000jt"))
    assert "Harga Rp 165.000.000.000.000? Sepertinya salah ketik" in replies(effects)[0]
    _, effects = run(SessionState(), text("/harga #T03 " + "9" * 400))  # no crash
    assert "Format: */harga" in replies(effects)[0]


# -- what a tester playing real sellers found (each: the seller's exact words) ------------


@pytest.mark.parametrize(
    ("message", "field", "value"),
    [
        ("tahun 2017 ya", "year", 2017),
        ("harga 140 ya kak", "price_idr", 140_000_000),
        ("ok tapi harga 150", "price_idr", 150_000_000),
        ("iya km nya 55rb", "mileage_km", 55_000),
        ("bukan 2012 tapi 2013", "year", 2013),
    ],
)
def test_a_correction_with_a_yes_in_it_corrects_and_does_not_publish(message, field, value):
    state, effects = run(preview_of(), text(message))
    assert not any(isinstance(e, Publish) for e in effects)
    assert state.stage == PREVIEW and state.data.draft[field] == value
    assert replies(effects)[0].startswith("Sudah diubah:")


@pytest.mark.parametrize("message", ["/upload", "/jual", "/upload mobil saya kak"])
def test_upload_without_details_asks_for_them(message):
    state, effects = run(SessionState(), text(message))
    assert replies(effects) == [text_of("ask_listing")]
    state, effects = run(state, text("Toyota Avanza G 2019 165jt"))
    assert state.data.draft["model"] == "Avanza" and "1-10 foto" in replies(effects)[0]


def test_a_photo_captioned_only_upload_is_kept_and_the_details_asked():
    _state, effects = run(SessionState(), caption_photo("p1", "/upload"))
    assert [e.key for e in effects if isinstance(e, Fetch)] == ["p1"]
    assert replies(effects) == [text_of("ask_listing")]


@pytest.mark.parametrize("answer", ["sudah 2017", "2017 udah", "udah 2017 kak"])
def test_an_answer_with_sudah_in_it_is_an_answer(answer):
    state, _ = run(SessionState(), text("/upload Honda Jazz RS matic 179jt"))
    state, effects = run(state, text(answer))
    assert state.data.draft["year"] == 2017 and state.stage == COLLECTING
    assert "1-10 foto" in replies(effects)[0]


@pytest.mark.parametrize(
    ("message", "field", "value"),
    [
        ("eh harganya 150 bukan 160", "price_idr", 150_000_000),
        ("harga 150jt", "price_idr", 150_000_000),
        ("km 95rb", "mileage_km", 95_000),
    ],
)
def test_a_correction_before_selesai_is_taken_and_said(message, field, value):
    state, _ = run(SessionState(), text("Avanza G 2019 matic km 100rb harga 160jt"))
    state, effects = run(state, text(message))
    assert state.data.draft[field] == value
    assert replies(effects)[0].startswith("Sudah diubah:")


def test_a_seller_who_wants_to_sell_is_asked_for_the_car_and_its_missing_fields():
    state, effects = run(SessionState(), text("mau jual mobil kak"))
    assert replies(effects) == [text_of("ask_listing")]
    state, effects = run(state, text("jual Ertiga GX manual silver"))
    assert "tahun berapa" in replies(effects)[0]
    state, effects = run(state, text("thn 19"))
    assert "harganya berapa" in replies(effects)[0]
    state, effects = run(state, text("150"))
    assert state.data.draft["price_idr"] == 150_000_000 and "1-10 foto" in replies(effects)[0]


@pytest.mark.parametrize(
    ("message", "line"),
    [
        ("harga nego jadi 140", "Sudah diubah: harga Rp 140.000.000"),
        ("warna silver", "Sudah diubah: warna Silver."),
        ("diesel", "Sudah diubah: bahan bakar Diesel."),
    ],
)
def test_the_changed_line_speaks_the_sellers_language(message, line):
    _, effects = run(preview_of(), text(message))
    assert replies(effects)[0].startswith(line)
    assert "negotiable" not in replies(effects)[0] and "color" not in replies(effects)[0]


def test_a_question_at_the_preview_changes_nothing():
    state = preview_of()
    after, effects = run(state, text("bisa nego ga nanti pembeli?"))
    assert after.data.draft == state.data.draft and "*Preview iklan*" not in replies(effects)[0]


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("thn 2030", "Tahun 2030? Sepertinya salah ketik"),
        ("km 12.000.000", "Jarak tempuh"),
        ("km 2jt", "Jarak tempuh 2.000.000 km"),
    ],
)
def test_an_impossible_correction_is_questioned_and_not_taken(message, question):
    state = preview_of()
    after, effects = run(state, text(message))
    assert question in replies(effects)[0] and after.data.draft == state.data.draft


def test_a_price_that_drops_to_a_quarter_is_asked_to_be_confirmed():
    state, effects = run(preview_of(), text("harga 14"))
    assert state.data.draft["price_idr"] == 14_000_000
    assert "Harga Rp 14.000.000, betul?" in replies(effects)[-1]


def test_a_photo_captioned_with_another_cars_listing_starts_that_car():
    state, _ = run(SessionState(), text(UPLOAD), image("p1"))
    state, effects = run(state, caption_photo("k1", "Karimun Wagon R GS 2016 km 80rb 75jt"))
    assert state.data.draft["model"] != "Freed" and [p.key for p in state.data.photos] == ["k1"]
    assert any(isinstance(e, CancelUpload) for e in effects)


def test_photos_kept_too_long_for_their_listing_are_not_used_and_the_seller_is_told():
    state, _ = run(SessionState(), image("p1"), stored(1, "p1"))
    _, effects = run(state, text("Honda Jazz RS 2017 km 76rb 179jt"), now=NOW + 20 * 60)
    assert replies(effects)[0] == text_of("photos_first_expired")


@pytest.mark.parametrize("message", ["nanti dulu ya", "bentar ya kak fotonya masih di hp satunya"])
def test_not_now_while_collecting_is_understood(message):
    _, effects = run(SessionState(), text(UPLOAD), text(message))
    assert replies(effects)[-1] == text_of("collecting_later")


def test_not_now_at_the_preview_is_understood():
    _, effects = run(preview_of(), text("nanti dulu"))
    assert replies(effects) == [text_of("preview_later")]


def test_a_delete_waits_through_chatter_and_takes_yakin():
    state, _ = run(SessionState(), text("/hapus #H01"))
    state, effects = run(state, text("bentar"))
    assert replies(effects) == [text_of("delete_pending", code="H01")]
    _, effects = run(state, text("yakin"))
    assert effects == [ListingCommand("delete", "H01", None)]


def test_mobil_is_a_sellers_own_list():
    _, effects = run(SessionState(), text("/mobil"))
    assert effects == [ListingCommand("list", None, None)]


def test_an_english_tenant_sees_the_values_in_english():
    _, effects = run(SessionState(), text(UPLOAD), language="en")
    assert "Transmission: Automatic" in replies(effects)[0]


def test_cancelling_before_any_photo_does_not_mention_photos():
    _, effects = run(SessionState(), text(UPLOAD), text("batal"))
    assert replies(effects)[-1] == text_of("cancelled_nothing_sent")


def test_a_car_the_vocabulary_does_not_know_is_taken_as_the_seller_names_it():
    state, effects = run(SessionState(), text("/upload tahun 1985 harga 45jt"))
    assert "Mobilnya apa?" in replies(effects)[0]
    state, effects = run(state, text("Nissan Cedric"))
    assert state.data.draft["model"] == "Cedric" and "1-10 foto" in replies(effects)[0]


@pytest.mark.parametrize(
    ("reason", "key"),
    [
        ("unusable: not a picture", "photo_failed"),
        ("too_large: 16383x2400 pixels", "photo_too_large"),
        ("server_fault: the disk is full", "photo_server_fault"),
    ],
)
def test_a_failed_photo_is_explained_by_what_failed(reason, key):
    _, effects = run(SessionState(), text(UPLOAD), image("p1"), PhotoFailed(1, "p1", reason))
    assert replies(effects)[-1] == text_of(key)


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
