"""Join codes: random, unambiguous, forgiving when typed."""

from __future__ import annotations

from simulator.workshop import codes


def test_the_alphabet_has_no_look_alikes():
    for confusable in "0OQ1IL5S2Z8BUVG":
        assert confusable not in codes.ALPHABET
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET)


def test_codes_are_random_and_use_only_the_alphabet():
    drawn = {codes.new_code() for _ in range(2000)}
    assert len(drawn) == 2000
    assert all(len(c) == codes.CODE_LENGTH and set(c) <= set(codes.ALPHABET) for c in drawn)
    # every symbol shows up in every position: no fixed pattern
    for position in range(codes.CODE_LENGTH):
        assert {c[position] for c in drawn} == set(codes.ALPHABET)


def test_codes_come_from_the_secrets_module(monkeypatch):
    monkeypatch.setattr(codes.secrets, "choice", lambda alphabet: alphabet[-1])
    assert codes.new_code() == codes.ALPHABET[-1] * codes.CODE_LENGTH


def test_typed_codes_are_normalized():
    assert codes.format_code("HX4KPR7T") == "HX4K-PR7T"
    assert codes.normalize_code(" hx4k-pr7t ") == "HX4KPR7T"
    assert codes.normalize_code("hx4k pr7t") == "HX4KPR7T"
    for bad in [
        "",
        "HX4K-PR7",
        "HX4K-PR7TT",
        "HX4K-PR#T",
        "ÄX4K-PR7T",
        "'; DROP",
        None,
        12345678,
        "x" * 100,
    ]:
        assert codes.normalize_code(bad) is None
