"""Signed POSTs with timeouts and retries, on the standard library's urllib.

urllib is enough for one POST at a time and keeps the runtime free of another HTTP stack;
redirects are not followed, so a signed body is never replayed to an address nobody declared.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import http.client
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from .partners import Retry

USER_AGENT = "portal-syndication/1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # urllib then raises HTTPError with the 3xx code: recorded as rejected


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class Outcome:
    """delivered (2xx), rejected (4xx other than 429, 3xx) or pending (gave up for now)."""

    status: str
    code: int | None
    detail: str
    attempts: int


def signature(secret: bytes, body: bytes) -> str:
    """``X-Hub-Signature-256`` value: HMAC-SHA256 of the exact body, hex."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff(policy: Retry, attempt: int) -> float:
    """Exponential backoff with jitter: between half and all of backoff × 2^attempt."""
    delay = policy.backoff * 2 ** attempt
    return min(policy.max_delay, random.uniform(delay / 2, delay))


def post(url: str, body: bytes, headers: dict[str, str], timeout: float, policy: Retry,
         sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """POST until a final answer, retrying connection errors, timeouts, 429 and 5xx."""
    detail = ""
    code: int | None = None
    for attempt in range(policy.attempts):
        wait: float | None = None
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"User-Agent": USER_AGENT, **headers})
        try:
            with _opener.open(request, timeout=timeout) as response:
                response.read(65536)
                return Outcome("delivered", response.status, "", attempt + 1)
        except urllib.error.HTTPError as exc:
            code, detail = exc.code, f"HTTP {exc.code} {exc.reason}"
            answer = exc.read(300).decode("utf-8", "replace").strip()
            if answer:
                detail += f": {answer}"
            if code != 429 and code < 500:
                return Outcome("rejected", code, detail, attempt + 1)
            wait = retry_after(exc.headers.get("Retry-After"))
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            code = None
            reason = getattr(exc, "reason", exc)
            detail = f"no answer ({type(reason).__name__}: {reason})"
        if attempt + 1 == policy.attempts:
            break
        delay = backoff(policy, attempt) if wait is None else wait
        if delay > policy.max_delay:
            detail += f"; asked to wait {delay:.0f} s, left for the next run"
            break
        sleep(delay)
    return Outcome("pending", code, detail, attempt + 1)
