"""Who may read and write what: bearer JWTs and five roles (least privilege).

* `employee` - their own record only (`employee` claim);
* `manager` - their own reports (the `sub` is their manager id), reasons
  shown only as their group;
* `hr` - everyone, full reasons;
* `payroll` - pay and leave only: never reasons, notes or meetings;
* `auditor` - read-only, everything, including `known_at` queries.

Tokens are HS256, signed with ATTENDANCE_JWT_KEY; `attendance token` issues
development tokens with the same key.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from functools import lru_cache
from typing import Any

import jwt

from service.settings import Settings

ALGORITHM = "HS256"
ISSUER = "attendance-ledger"


class Role(str, Enum):
    employee = "employee"
    manager = "manager"
    hr = "hr"
    payroll = "payroll"
    auditor = "auditor"


class Denied(Exception):
    """The caller may not do this (HTTP 403), or is not who they claim (401)."""

    def __init__(self, detail: str, status: int = 403) -> None:
        super().__init__(detail)
        self.detail, self.status = detail, status


@dataclass(frozen=True)
class Caller:
    subject: str
    role: Role
    employee_id: str | None = None  # the employee role's own record

    @property
    def actor(self) -> str:
        """Recorded as the `actor` of what this caller writes: the token's subject."""
        return self.subject

    @property
    def who(self) -> str:
        """How the access log names the caller."""
        return f"{self.role.value}:{self.subject}"


def signing_key(settings: Settings | None = None) -> str:
    """ATTENDANCE_JWT_KEY, or - in the embedded mode - a key kept beside the
    SQLite ledger, made on first use, so dev tokens survive restarts."""
    settings = settings or Settings.from_environment()
    if settings.jwt_key:
        return settings.jwt_key
    path = settings.jwt_key_file
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def issue(role: Role, subject: str, employee_id: str | None = None, hours: int = 12,
          settings: Settings | None = None) -> str:
    now = datetime.now(timezone.utc)
    claims = {"sub": subject, "role": role.value, "iss": ISSUER, "iat": now, "exp": now + timedelta(hours=hours)}
    if employee_id:
        claims["employee"] = employee_id
    return jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM)


@lru_cache(maxsize=4096)
def _verified(token: str, key: str) -> dict[str, Any]:
    """A token's claims, once its signature and claims are verified (a
    refusal is not kept): a client's next request with the same token costs
    no HMAC and no parsing. Only the expiry can change with time; the caller
    checks it on every use (a token once valid stays past its `nbf`/`iat`)."""
    return jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["sub", "role", "exp"]})


def caller(authorization: str | None, key: str) -> Caller:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Denied("a bearer token is required", 401)
    try:
        claims = _verified(authorization[7:].strip(), key)
        if claims["exp"] <= time.time():  # expired since it was first verified: as PyJWT says it
            raise jwt.ExpiredSignatureError("Signature has expired")
        role = Role(claims["role"])
    except (jwt.PyJWTError, ValueError) as error:
        raise Denied(f"invalid token: {error}", 401) from None
    if not str(claims["sub"]).strip():  # a nameless caller would match "no manager" filters
        raise Denied("invalid token: the subject is empty", 401)
    if role is Role.employee and not claims.get("employee"):
        raise Denied("an employee token must name the employee", 401)
    return Caller(str(claims["sub"]), role, claims.get("employee"))
