"""Signed links: an HMAC-SHA256 over a page's path and an expiry time, with a secret from the environment.

A link is `PATH?exp=UNIX_SECONDS&sig=HEX`. The query string beyond `exp` and `sig` is not signed, so a
signed `/search` link allows any search; every other page is fully named by its path.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

MIN_SECRET_CHARS = 16
# Expiries are rounded up to the hour, so the links given out in one hour share one expiry and the
# pages they open (whose links carry it) are rendered once and cached.
EXPIRY_STEP_S = 3600
# A link is never trusted for longer than this, whatever its exp says (a far-future exp is tampering).
MAX_LIFETIME_S = 366 * 24 * 3600


@dataclass(frozen=True)
class Denied:
    """Why a request gets 403: one short sentence for the reader."""

    reason: str
    message: str


MISSING = Denied("missing", "This page needs a signed link. Open it from the bot in chat (for example "
                 "the “Open in browser” button under a brief).")
MALFORMED = Denied("malformed", "This link is incomplete or malformed. Open the page again from the bot in chat.")
TAMPERED = Denied("tampered", "This link’s signature does not match its address: it was changed or cut. "
                  "Open the page again from the bot in chat.")
EXPIRED = Denied("expired", "This link has expired. Ask the bot again in chat for a fresh one.")
NO_SECRET = Denied("not-configured", "Signed links are not set up on this bot (WEB_SIGNING_SECRET is unset), "
                   "so its pages are closed. Ask its operator.")


class Signer:
    """Makes and checks signed links; `clock` returns Unix seconds (tests move it)."""

    def __init__(self, secret: str, lifetime_s: int, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"the signing secret must be at least {MIN_SECRET_CHARS} characters long")
        self._key = secret.encode()
        self.lifetime_s = lifetime_s
        self.clock = clock

    def expiry(self) -> int:
        """The expiry of a link made now: its lifetime from now, rounded up to the hour."""
        return -(-(int(self.clock()) + self.lifetime_s) // EXPIRY_STEP_S) * EXPIRY_STEP_S

    def signature(self, path: str, exp: int) -> str:
        return hmac.new(self._key, f"{path}\n{exp}".encode(), hashlib.sha256).hexdigest()

    def sign(self, path: str, exp: int | None = None, extra: Mapping[str, str] | None = None) -> str:
        """`path` with its expiry and signature (and unsigned `extra` query parameters after them)."""
        exp = self.expiry() if exp is None else exp
        query = {"exp": str(exp), "sig": self.signature(path, exp), **(extra or {})}
        return f"{path}?{urlencode(query)}"

    def check(self, path: str, query: Mapping[str, str]) -> tuple[int | None, Denied | None]:
        """(the link's expiry, None) when `path` with `query` is a valid unexpired link, else (None, why not)."""
        exp_text, sig = query.get("exp"), query.get("sig")
        if exp_text is None and sig is None:
            return None, MISSING
        if not exp_text or not sig or not exp_text.isdigit() or len(exp_text) > 12:
            return None, MALFORMED
        exp = int(exp_text)
        if not hmac.compare_digest(self.signature(path, exp), sig):
            return None, TAMPERED
        now = self.clock()
        if exp <= now:
            return None, EXPIRED
        if exp > now + MAX_LIFETIME_S + EXPIRY_STEP_S:
            return None, TAMPERED
        return exp, None
