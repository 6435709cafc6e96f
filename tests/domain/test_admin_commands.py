"""Admin commands as typed, parsed."""

import pytest

from domain.admin_commands import AdminCommand, parse_admin


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("/seller", AdminCommand("seller", "list")),
        (
            "/seller tambah 0812-3456-7890 Budi Santoso",
            AdminCommand("seller", "add", phone="6281234567890", person_name="Budi Santoso"),
        ),
        ("/seller add +62 812 3456 7890", AdminCommand("seller", "add", phone="6281234567890")),
        ("/seller hapus 081234567890", AdminCommand("seller", "remove", phone="6281234567890")),
        ("/admin tambah 0813 1111 2222", AdminCommand("admin", "add", phone="6281311112222")),
        ("/admin", AdminCommand("admin", "help")),
        ("/mobil terjual", AdminCommand("cars", "list", status="sold")),
        ("/cars", AdminCommand("cars", "list")),
        ("/sembunyikan #h07", AdminCommand("hide", code="H07")),
        ("/show H07", AdminCommand("show", code="H07")),
        ("/stats", AdminCommand("stats")),
        ("/backup", AdminCommand("backup")),
    ],
)
def test_admin_commands(message, expected):
    assert parse_admin(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "/seller tambah",
        "/seller pecat 0812345678",
        "/admin tambah budi",
        "/sembunyikan mobil merah",
    ],
)
def test_bad_arguments_are_flagged(message):
    assert parse_admin(message).invalid


@pytest.mark.parametrize("message", ["halo", "/upload Jazz 2015 150jt", "/list", ""])
def test_other_messages_are_not_admin_commands(message):
    assert parse_admin(message) is None
