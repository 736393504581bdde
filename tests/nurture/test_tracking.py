"""The tracking helpers: which links are rewritten and how, which targets a click may reach, what is a bot."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing

from nurture.tracking import (
    CLICK_SALT,
    add_tracking,
    bot_reason,
    click_url,
    new_tracking_token,
    read_click,
    safe_target,
    text_to_html,
)

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
TOKEN = "A" * 22


def test_tokens_are_random_and_url_safe():
    tokens = {new_tracking_token() for _ in range(100)}

    assert len(tokens) == 100
    assert all(len(t) == 22 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a?b=1#c", True),
        ("HTTP://Example.org", True),
        ("javascript:alert(1)", False),
        ("//evil.example/", False),
        ("/relative", False),
        ("https:///nohost", False),
        ("https:\\\\evil.example", False),
        ("https://ok.example/\r\nX: y", False),
        ("https://ok.example/ space", False),
        ("data:text/html,hi", False),
        ("ftp://files.example/x", False),
        ("https://[::1", False),
        ("https://example.org/" + "a" * 2000, False),
        ("", False),
    ],
)
def test_only_absolute_http_urls_are_safe_targets(url, safe):
    assert (safe_target(url) == url) is safe


def test_a_click_link_reads_back_only_under_its_own_token():
    url = click_url(TOKEN, "https://example.org/x")
    signed = parse_qs(urlsplit(url).query)["u"][0]

    assert read_click(TOKEN, signed) == "https://example.org/x"
    assert read_click("B" * 22, signed) is None
    assert read_click(TOKEN, signing.dumps([TOKEN, "https://x.example"], salt="other")) is None
    assert read_click(TOKEN, signing.dumps([TOKEN, 5], salt=CLICK_SALT)) is None
    assert read_click(TOKEN, signing.dumps("https://x.example", salt=CLICK_SALT)) is None
    assert read_click(TOKEN, "x" * 9000) is None


def test_links_are_rewritten_but_not_unsubscribe_mailto_anchors_or_images(settings):
    html = (
        '<a class="b" href="https://example.org/?a=1&amp;b=2">x</a> <a href=#top>top</a> '
        f'<a href="{settings.SITE_URL}/unsubscribe/abc/">u</a> <a href="mailto:a@b.example">m</a> '
        '<img src="https://cdn.example/logo.png"><A HREF=https://example.org/bare>bare</A>'
        "</body></html>"
    )

    out = add_tracking(html, TOKEN)

    assert out.count(f"/t/c/{TOKEN}?u=") == 2
    assert "href=#top" in out and "/unsubscribe/abc/" in out and "mailto:a@b.example" in out
    assert '<img src="https://cdn.example/logo.png">' in out
    assert out.endswith(
        f'/t/o/{TOKEN}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px"></body></html>'
    )


def test_text_becomes_escaped_html_with_links():
    html = text_to_html("Hi <b>Ada</b>,\n\nsee https://example.org/x?a=1&b=2")

    assert "&lt;b&gt;Ada&lt;/b&gt;" in html
    assert 'href="https://example.org/x?a=1&amp;b=2"' in html


@pytest.mark.parametrize(
    ("method", "agent", "sent", "reason"),
    [
        ("GET", "Mozilla/5.0 (Windows NT 10.0) Chrome/126.0", NOW - timedelta(minutes=5), ""),
        ("GET", "Mozilla/5.0 (Windows NT 10.0) Chrome/126.0", None, ""),
        ("GET", "Mozilla/5.0 (Windows NT 10.0) Chrome/126.0", NOW - timedelta(seconds=4), "within 5 s of sending"),
        ("HEAD", "Mozilla/5.0 (Windows NT 10.0) Chrome/126.0", NOW - timedelta(hours=1), "HEAD request"),
        ("GET", "Mozilla/5.0 (compatible; Googlebot/2.1)", NOW - timedelta(hours=1), "known agent: bot"),
        ("GET", "python-requests/2.32", NOW - timedelta(hours=1), "known agent: python-requests"),
        ("GET", "  ", NOW - timedelta(hours=1), "no user agent"),
        ("GET", "Mozilla/5.0", NOW - timedelta(hours=1), "prefetch agent: Mozilla/5.0"),
    ],
)
def test_bot_reasons(settings, method, agent, sent, reason):
    settings.FUNNEL_TRACKING_BOT_SECONDS = 5

    assert bot_reason(method=method, user_agent=agent, sent_at=sent, now=NOW) == reason
