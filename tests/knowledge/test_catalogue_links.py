"""Every service the bot can present carries a link a citizen can follow."""

from __future__ import annotations

from knowledge.catalogue import read_catalogue
from knowledge.match import service_url


def test_every_catalogue_service_has_an_http_link():
    catalogue = read_catalogue()
    assert catalogue.ok, catalogue.errors[:5]
    org_urls = {o["id"]: o.get("url") for f in catalogue.files for o in f.organizations}
    missing = []
    for service in catalogue.services:
        doc = dict(service, _organization_url=org_urls.get(service.get("organization")))
        url = service_url(doc, "en")
        if not (url or "").startswith(("http://", "https://")):
            missing.append(service["id"])
    assert not missing, f"{len(missing)} services without a link, e.g. {missing[:10]}"


def test_link_falls_back_from_page_to_how_to_apply_to_organization():
    assert service_url({"url": {"en": "https://a"}, "how_to_apply": {"url": "https://b"}}, "en") == "https://a"
    assert service_url({"how_to_apply": {"url": "https://b"}, "_organization_url": "https://c"}, "en") == "https://b"
    assert service_url({"_organization_url": "https://c", "source": {"url": "https://d"}}, "en") == "https://c"
    assert service_url({"source": {"url": "https://d"}}, "en") == "https://d"
    assert service_url({}, "en") is None
