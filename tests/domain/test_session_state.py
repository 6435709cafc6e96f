"""The typed session state and its stored form."""

import json

import pytest

from domain.events import MediaRef
from domain.photos import PhotoFiles, StoredPhoto
from domain.session_state import PhotoSlot, PhotoStatus, SessionData, SessionState, Stage

# A row as sessions were stored before the state was typed: it must resume as it is.
STORED_BEFORE = json.dumps(
    {
        "upload": 3,
        "draft": {"make": "Honda", "model": "Freed", "year": 2012, "price_idr": 145000000},
        "photos": [
            {
                "key": "p1",
                "status": "stored",
                "content_hash": "abc",
                "files": {"large": "a-l.jpg", "medium": "a-m.jpg", "thumb": "a-t.jpg"},
                "width": 1600,
                "height": 1200,
                "bytes": 1000,
            },
            {
                "key": "p2",
                "status": "pending",
                "media": {
                    "locator": "/images/p2.jpg",
                    "mimetype": "",
                    "expected_bytes": None,
                    "width": None,
                    "height": None,
                    "inline_b64": None,
                    "failed": None,
                },
            },
            {"key": "p3", "status": "failed"},
        ],
        "refused_extra": False,
        "original_text": "/upload Honda Freed 2012 145jt",
        "acknowledged": True,
        "expires_at": 1800000000.0,
    }
)


def test_a_session_stored_before_the_typing_resumes_as_it_was():
    state = SessionState.from_row("collecting", STORED_BEFORE)
    assert state.stage is Stage.COLLECTING
    assert state.data.upload == 3 and state.data.draft["model"] == "Freed"
    assert [p.status for p in state.data.photos] == [
        PhotoStatus.STORED,
        PhotoStatus.PENDING,
        PhotoStatus.FAILED,
    ]
    assert state.data.photos[1].media == MediaRef("/images/p2.jpg")
    assert state.data.files() == ("a-l.jpg", "a-m.jpg", "a-t.jpg")
    assert state.waiting_on_photos
    # and it is written back with the same keys and values (a false flag is left out)
    stage, data = state.to_row()
    assert stage == "collecting"
    before = {k: v for k, v in json.loads(STORED_BEFORE).items() if v is not False}
    assert json.loads(data) == before


def test_round_trip_of_every_field():
    photo = StoredPhoto("h", PhotoFiles("l.jpg", "m.jpg", "t.jpg"), 800, 600, 5)
    data = SessionData(
        upload=2,
        draft={"model": "Jazz"},
        photos=(
            PhotoSlot("a", PhotoStatus.STORED, stored=photo),
            PhotoSlot("b", PhotoStatus.PENDING, media=MediaRef("x", expected_bytes=9)),
            PhotoSlot("c", PhotoStatus.DUPLICATE),
        ),
        original_text="teks",
        description="desc",
        adding_to="H07",
        finishing=True,
        acknowledged=True,
        refused_extra=True,
        expires_at=5.0,
        confirm_delete="H01",
        told_at=7.0,
    )
    for stage in Stage:
        state = SessionState(stage, data)
        assert SessionState.from_row(*state.to_row()) == state


@pytest.mark.parametrize(
    ("stage", "data"),
    [("collecting", "not json"), ("nowhere", "{}"), ("idle", "[]"), ("idle", '{"photos": [1]}')],
)
def test_an_unreadable_row_is_a_value_error(stage, data):
    with pytest.raises(ValueError):
        SessionState.from_row(stage, data)


def test_a_slot_is_replaced_in_place_or_added_at_the_end():
    data = SessionData(photos=(PhotoSlot("a", PhotoStatus.PENDING),))
    data = data.with_slot(PhotoSlot("b", PhotoStatus.PENDING))
    data = data.with_slot(PhotoSlot("a", PhotoStatus.FAILED))
    assert [(p.key, p.status) for p in data.photos] == [
        ("a", PhotoStatus.FAILED),
        ("b", PhotoStatus.PENDING),
    ]
