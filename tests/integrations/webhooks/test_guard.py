"""The SSRF guard refuses internal addresses at registration and again at delivery."""

from __future__ import annotations

import pytest

from integrations.webhooks import guard
from integrations.webhooks.delivery import dispatch_due_deliveries
from integrations.webhooks.guard import UnsafeWebhookURL, check_url
from integrations.webhooks.models import Delivery
from integrations.webhooks.services import create_endpoint
from leads.services.capture import create_lead


@pytest.fixture
def no_allow_list(monkeypatch):
    monkeypatch.delenv(guard.ALLOWED_HOSTS_VARIABLE, raising=False)


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("http://127.0.0.1/hook", "loopback"),
        ("http://127.1.2.3:8080/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.5/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[fd00:ec2::254]/", "metadata"),
        ("http://[::1]/hook", "loopback"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://[::ffff:10.0.0.1]/hook", "private"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://100.64.0.1/hook", "not publicly routable"),
        ("http://2130706433/hook", "loopback"),  # 127.0.0.1 written as one number
    ],
)
def test_internal_addresses_are_refused(no_allow_list, url, named):
    with pytest.raises(UnsafeWebhookURL) as refused:
        check_url(url)

    assert named in refused.value.detail
    assert refused.value.field == "url"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/", "http or https"),
        ("file:///etc/passwd", "http or https"),
        ("http:///nohost", "no host"),
        ("https://user:pw@hooks.example.com/", "user name and password"),
        ("http://hooks.example.com:99999/", "valid URL"),
    ],
)
def test_urls_that_are_not_plain_http_are_refused(public_dns, url, message):
    with pytest.raises(UnsafeWebhookURL, match=message):
        check_url(url)


def test_a_hostname_resolving_to_a_private_address_is_refused(no_allow_list, public_dns):
    public_dns["intranet.example.com"] = ["93.184.215.14", "10.0.0.7"]

    with pytest.raises(UnsafeWebhookURL, match=r"intranet.example.com resolves to 10.0.0.7, a private address"):
        check_url("https://intranet.example.com/hook")


def test_a_public_hostname_passes_and_keeps_the_checked_address(no_allow_list, public_dns):
    target = check_url("https://hooks.example.com/in?x=1")

    assert (target.scheme, target.host, target.port, target.path) == ("https", "hooks.example.com", 443, "/in?x=1")
    assert target.addresses == ("93.184.215.14",)


def test_a_host_that_does_not_resolve_is_refused(no_allow_list, public_dns):
    public_dns["nowhere.example.com"] = []

    with pytest.raises(UnsafeWebhookURL, match="does not resolve"):
        check_url("https://nowhere.example.com/")


def test_the_allow_list_lets_listed_hosts_and_networks_through(monkeypatch, public_dns):
    public_dns["crm-sink.internal"] = ["10.20.0.5"]
    monkeypatch.setenv(guard.ALLOWED_HOSTS_VARIABLE, "crm-sink.internal, 192.168.50.0/24 ,127.0.0.1")

    assert check_url("http://crm-sink.internal/hook").addresses == ("10.20.0.5",)
    assert check_url("http://192.168.50.9/hook").addresses == ("192.168.50.9",)
    assert check_url("http://127.0.0.1:9000/hook").addresses == ("127.0.0.1",)
    assert check_url("http://[::ffff:127.0.0.1]:9000/hook")
    with pytest.raises(UnsafeWebhookURL):
        check_url("http://192.168.51.9/hook")
    with pytest.raises(UnsafeWebhookURL):
        check_url("http://[::1]/hook")


@pytest.mark.django_db
def test_registration_refuses_an_internal_url(no_allow_list, admin):
    with pytest.raises(UnsafeWebhookURL, match="loopback"):
        create_endpoint(by=admin, url="http://localhost:8000/hook", events=["lead.created"])


@pytest.mark.django_db
def test_delivery_checks_the_address_again_when_dns_changed(no_allow_list, admin, public_dns, receiver):
    public_dns["hooks.example.com"] = ["93.184.215.14"]
    endpoint, _ = create_endpoint(
        by=admin, url=f"http://hooks.example.com:{receiver.port}/hook", events=["lead.created"]
    )
    public_dns["hooks.example.com"] = ["127.0.0.1"]  # rebinding to the receiver on loopback, not on the allow-list

    create_lead(by=admin, first_name="Ada", last_name="Lovelace")
    dispatch_due_deliveries()

    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == "failed"
    assert "127.0.0.1, a loopback address" in delivery.error
    assert receiver.requests == []


@pytest.mark.django_db
def test_delivery_connects_to_the_checked_address_not_a_second_lookup(admin, public_dns, receiver, monkeypatch):
    public_dns["hooks.example.com"] = ["127.0.0.1"]
    monkeypatch.setenv(guard.ALLOWED_HOSTS_VARIABLE, "hooks.example.com")
    create_endpoint(by=admin, url=f"http://hooks.example.com:{receiver.port}/hook", events=["lead.created"])

    create_lead(by=admin, first_name="Ada", last_name="Lovelace")
    dispatch_due_deliveries()

    # hooks.example.com does not exist in real DNS: the request reached the receiver through the checked address,
    # with the URL's host in the Host header.
    [got] = receiver.requests
    assert got.headers["Host"] == f"hooks.example.com:{receiver.port}"
