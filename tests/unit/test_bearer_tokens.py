"""A bearer token is verified once and its claims kept for the next
requests: a token that expires after that is refused as PyJWT refuses it."""

from __future__ import annotations

import time

import pytest

from api import auth
from api.auth import Denied, Role, caller, issue

KEY = "test-signing-key-of-a-decent-length-0123456789"


def test_a_kept_token_that_has_since_expired_is_refused_like_an_expired_one(monkeypatch):
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", KEY)
    token = f"Bearer {issue(Role.hr, 'hr1', hours=1)}"
    assert caller(token, KEY).role is Role.hr
    assert caller(token, KEY).role is Role.hr  # kept: the same caller
    later = time.time() + 3601
    monkeypatch.setattr(auth, "time", type("Clock", (), {"time": staticmethod(lambda: later)}))
    with pytest.raises(Denied) as refused:
        caller(token, KEY)
    assert refused.value.status == 401 and refused.value.detail == "invalid token: Signature has expired"


def test_a_token_signed_with_another_key_is_refused_even_when_kept_for_the_right_one(monkeypatch):
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", KEY)
    token = f"Bearer {issue(Role.hr, 'hr1')}"
    assert caller(token, KEY).subject == "hr1"
    with pytest.raises(Denied) as refused:
        caller(token, KEY + "-other")
    assert refused.value.status == 401


def test_a_token_with_an_empty_subject_is_refused(monkeypatch):
    """A nameless manager would otherwise match filters meaning "every manager"."""
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", KEY)
    with pytest.raises(Denied) as refused:
        caller(f"Bearer {issue(Role.manager, ' ')}", KEY)
    assert refused.value.status == 401 and refused.value.detail == "invalid token: the subject is empty"
