"""The kind of a photo failure travels in its reason and picks what the seller is told."""

from domain.photo_failures import PhotoProblem, failure_reason, problem_of, text_key
from domain.texts import text


def test_each_kind_round_trips_and_has_its_text():
    for problem in PhotoProblem:
        reason = failure_reason(problem, "details: with a colon")
        assert problem_of(reason) is problem
        assert text("id", text_key(reason)) and text("en", text_key(reason))


def test_a_reason_without_a_kind_is_unusable():
    assert problem_of("the photo was not there after 45 s") is PhotoProblem.UNUSABLE
    assert text_key("") == "photo_failed"


def test_the_server_fault_text_says_it_is_our_side():
    assert text("id", "photo_server_fault").startswith("Maaf, sedang ada gangguan")
    assert "terlalu besar" in text("id", "photo_too_large")
