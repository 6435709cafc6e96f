"""The message catalog: both languages say the same things."""

import string

from domain.texts import FIELD_NAMES, TEXTS, text


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_texts_and_placeholders():
    assert TEXTS["id"].keys() == TEXTS["en"].keys()
    for key in TEXTS["id"]:
        assert fields(TEXTS["id"][key]) == fields(TEXTS["en"][key]), key
    assert FIELD_NAMES["id"].keys() == FIELD_NAMES["en"].keys()


def test_an_unknown_language_falls_back_to_indonesian():
    assert text("fr", "cancelled") == text("id", "cancelled")


def test_the_website_words_exist_in_both_languages():
    from domain.texts import WEB_TEXTS

    assert WEB_TEXTS["id"].keys() == WEB_TEXTS["en"].keys()
    for key in WEB_TEXTS["id"]:
        assert fields(WEB_TEXTS["id"][key]) == fields(WEB_TEXTS["en"][key]), key
