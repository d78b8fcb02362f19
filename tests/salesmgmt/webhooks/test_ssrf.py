"""Receivers must be public http(s) addresses unless the operator allows private networks;
checked when an endpoint is saved and at every delivery, and the vetted address is the one
connected to."""

import ipaddress
from unittest import mock

import pytest

from salesmgmt.webhooks import delivery as wire
from salesmgmt.webhooks.delivery import UnsafeURL, is_internal, resolve_target


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "fec0::1",  # site-local (deprecated; Python 3.11 calls it global)
    ],
)
def test_internal_addresses_are_refused(fake_dns, address):
    fake_dns({"hooks.example.com": [address]})
    assert is_internal(ipaddress.ip_address(address))
    with pytest.raises(UnsafeURL, match="private, loopback or link-local"):
        resolve_target("https://hooks.example.com/in")


@pytest.mark.parametrize("address", ["203.0.114.5", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed_and_are_what_is_connected_to(fake_dns, address):
    fake_dns({"hooks.example.com": [address]})
    target = resolve_target("https://hooks.example.com:8443/in?x=1")
    assert target.address == address
    assert (target.host, target.port, target.path) == ("hooks.example.com", 8443, "/in?x=1")
    assert target.host_header == "hooks.example.com:8443"


def test_a_name_with_one_private_address_among_public_ones_is_refused(fake_dns):
    fake_dns({"hooks.example.com": ["8.8.8.8", "10.0.0.7"]})
    with pytest.raises(UnsafeURL):
        resolve_target("https://hooks.example.com/")


def test_the_operator_setting_allows_private_networks(fake_dns, settings):
    fake_dns({"erp.internal": ["10.0.0.7"]})
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    assert resolve_target("http://erp.internal/hook").address == "10.0.0.7"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("gopher://127.0.0.1:6379/", "Only http and https"),
        ("https:///nohost", "names no host"),
        ("https://nowhere.example.com/", "could not be found"),
        ("http://hooks.example.com:99999/", "port"),
        ("https://user:secret@hooks.example.com/", "user name and password"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(fake_dns, url, message):
    fake_dns({"hooks.example.com": ["8.8.8.8"]})
    with pytest.raises(UnsafeURL, match=message):
        resolve_target(url)


def test_dns_rebinding_cannot_reach_an_internal_address(fake_dns):
    """The connection goes to the address that was checked, not to the name (which a
    second lookup could answer with 127.0.0.1); the Host header, SNI and certificate check
    use the hostname."""

    fake_dns({"hooks.example.com": ["8.8.8.8"]})
    with mock.patch("urllib3.HTTPSConnectionPool") as pool_class:
        pool_class.return_value.urlopen.return_value = mock.Mock(
            status=200, read=mock.Mock(return_value=b"ok")
        )
        outcome = wire.post("https://hooks.example.com/in", b"{}", {"X-Test": "1"})
    assert outcome.ok
    args, kwargs = pool_class.call_args
    assert args == ("8.8.8.8",)
    assert kwargs["server_hostname"] == kwargs["assert_hostname"] == "hooks.example.com"
    assert kwargs["cert_reqs"] == "CERT_REQUIRED"
    sent = pool_class.return_value.urlopen.call_args.kwargs
    assert sent["redirect"] is False
    assert sent["headers"]["Host"] == "hooks.example.com"
