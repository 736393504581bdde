"""Open and click tracking: what goes into an email, and how a request to /t/o/ or /t/c/ is judged (no writes here).

Tokens. Each `Delivery` and `RecordEmail` gets a random URL-safe token (`new_tracking_token`, 128 bits) when it
is written. A random token rather than a signed id: it says nothing about the row (no id to enumerate or count
emails by), it can't be replayed against another email, it stays valid if the site's secret key rotates, and
the lookup is one unique index.

Links. Each http(s) link of the HTML part becomes `/t/c/<token>?u=<signed>`, where `<signed>` is the original URL
signed with the site's secret (django.core.signing) *together with the email's token*. The redirect therefore only
ever goes to a URL that was in that very email: a forged or edited `u`, another email's `u`, or a URL that is not
plain http(s) (javascript:, //host, control characters) is a 404, never an open redirect. Signing instead of
storing the URL list keeps the sender free of an extra write per email. The unsubscribe link, mailto: and
in-page links are left alone. Plain-text parts are not rewritten (people copy those links; they stay readable).

Opens. A 1x1 transparent GIF `/t/o/<token>` at the end of the HTML part. An email without an HTML part gets one
made from its text (escaped, links made clickable), so every tracked email can count an open.

When. Only while FUNNEL_EMAIL_TRACKING is on and the recipient may be tracked (`tracking_allowed`: not
do-not-contact, not unsubscribed, address not bouncing). The same check runs again when a request arrives, so
a lead who opts out later is no longer recorded.

Bots. `bot_reason` flags HEAD requests, requests without a user agent, known scanners and prefetching proxies
(`BOT_AGENTS`, one list) and requests within FUNNEL_TRACKING_BOT_SECONDS of sending (security gateways open every
link on arrival; Apple Mail Privacy Protection fetches images ahead of the reader).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from html import unescape
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.utils.html import escape, linebreaks, urlize

from nurture.reachability import unreachable
from nurture.tokens import token_path, token_prefix

CLICK_SALT = "nurture.tracking.click"
MAX_URL_LENGTH = 2000
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
# <a … href="…"> (double, single or no quotes); group 1 is everything before the value.
_HREF = re.compile(r"""(<a\b[^>]*?\shref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")

# Substrings of user agents (lower-case) that are link scanners, preview fetchers or scripts, not a person
# reading. Image proxies that fetch when the reader opens the email (Gmail, Yahoo) are people and are not here.
BOT_AGENTS = (
    "bot",
    "crawler",
    "spider",
    "slurp",
    "preview",
    "scanner",
    "barracuda",
    "mimecast",
    "proofpoint",
    "symantec",
    "messagelabs",
    "trendmicro",
    "fortiguard",
    "sophos",
    "ironport",
    "forcepoint",
    "safelinks",
    "ms-office",
    "microsoft office existence discovery",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "curl/",
    "wget/",
    "go-http-client",
    "okhttp",
    "java/",
    "apache-httpclient",
    "headlesschrome",
    "phantomjs",
    "facebookexternalhit",
    "whatsapp",
    "skypeuripreview",
)
# Apple Mail Privacy Protection's image prefetcher sends exactly this, nothing more.
BOT_AGENTS_EXACT = ("mozilla/5.0",)


def new_tracking_token() -> str:
    """A fresh random token (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)


def tracking_allowed(record) -> bool:
    """Whether an email to `record` (a lead or a contact) may carry tracking, and its requests be recorded."""
    return bool(settings.FUNNEL_EMAIL_TRACKING) and record is not None and not unreachable(record)


def safe_target(url: str) -> str | None:
    """`url` when it is a plain absolute http(s) URL a click may redirect to, else None."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH or _UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def open_url(token: str) -> str:
    return _site(token_path("tracking:open", token))


def click_url(token: str, url: str) -> str:
    signed = signing.dumps([token, url], salt=CLICK_SALT, compress=True)
    return _site(token_path("tracking:click", token)) + "?" + urlencode({"u": signed})


def read_click(token: str, signed: str) -> str | None:
    """The URL a click link of the email with `token` leads to, or None when `signed` is not one of its links."""
    if not isinstance(signed, str) or not signed or len(signed) > 4 * MAX_URL_LENGTH:
        return None
    try:
        value = signing.loads(signed, salt=CLICK_SALT)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(value, list) or len(value) != 2 or value[0] != token:
        return None
    return safe_target(value[1])


def text_to_html(text: str) -> str:
    """An HTML part made from a plain-text body: escaped, paragraphs kept, URLs made links."""
    return linebreaks(urlize(text, nofollow=True, autoescape=True))


def _unsubscribe_prefix() -> str:
    return _site(token_prefix("nurture:unsubscribe"))


def add_tracking(html: str, token: str) -> str:
    """Rewrite the http(s) links of `html` to go through the click URL and add the open pixel.

    Unsubscribe links are left as they are: opting out must never depend on the tracker.
    """
    unsubscribe = _unsubscribe_prefix()

    def rewrite(match: re.Match) -> str:
        raw = next(group for group in match.groups()[1:] if group is not None)
        url = unescape(raw).strip()
        if safe_target(url) is None or url.startswith(unsubscribe):
            return match.group(0)
        return f'{match.group(1)}"{escape(click_url(token, url))}"'

    html = _HREF.sub(rewrite, html)
    pixel = (
        f'<img src="{escape(open_url(token))}" width="1" height="1" alt="" '
        'style="display:block;border:0;width:1px;height:1px">'
    )
    ends = list(_BODY_END.finditer(html))
    if ends:
        at = ends[-1].start()
        return html[:at] + pixel + html[at:]
    return f"{html}\n{pixel}"


def bot_reason(*, method: str, user_agent: str, sent_at: datetime | None, now: datetime) -> str:
    """Why a tracking request is not a person reading ("" when it counts)."""
    if method.upper() == "HEAD":
        return "HEAD request"
    agent = (user_agent or "").strip().lower()
    if not agent:
        return "no user agent"
    if agent in BOT_AGENTS_EXACT:
        return f"prefetch agent: {user_agent.strip()}"[:100]
    for name in BOT_AGENTS:
        if name in agent:
            return f"known agent: {name}"
    seconds = settings.FUNNEL_TRACKING_BOT_SECONDS
    if sent_at is not None and now - sent_at < timedelta(seconds=seconds):
        return f"within {seconds} s of sending"
    return ""
