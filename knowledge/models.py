"""Catalogue tables (created by migration ``0002_catalogue``), on their own declarative base so that ``knowledge/``
needs nothing from ``bot/``; ``bot.models.METADATA`` lists this metadata beside the app's for Alembic and the tests.

HSDS 3.0 nouns — organization, service, service_area, location, phone, service_language, required_document,
schedule — plus the extensions: service_life_event, eligibility_rule, navigator (+ areas, services), the jurisdiction
tree, the sources with their licences, and ``catalogue_version`` (one row per load, so running processes notice a
reload). ``service.doc`` keeps the whole validated record as JSON for the match engine; ``service_match_index``
(jurisdiction, life event, service) is what a match reads first, so it never scans the catalogue.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import declarative_base

CatalogueBase: Any = declarative_base()  # SQLAlchemy 1.4 has no types: the base (and so every table class) is Any

CODE = 100  # jurisdiction code length
SID = 200  # service / navigator / organization id length

ALL_EVENTS = "*"  # life_event value in service_match_index meaning "any life event"


class CatalogueVersion(CatalogueBase):
    __tablename__ = "catalogue_version"

    id = Column(Integer, primary_key=True)
    version = Column(Integer, nullable=False, unique=True)
    checksum = Column(String(64), nullable=False)
    loaded_at = Column(DateTime(timezone=True), nullable=False)
    services = Column(Integer, nullable=False)
    navigators = Column(Integer, nullable=False)
    sources = Column(JSON, nullable=False)


class CatalogueSource(CatalogueBase):
    __tablename__ = "catalogue_source"

    id = Column(String(SID), primary_key=True)
    name = Column(Text, nullable=False)
    url = Column(Text)
    licence = Column(Text, nullable=False)
    attribution = Column(Text)
    retrieved = Column(String(64))
    file = Column(Text)


class Jurisdiction(CatalogueBase):
    __tablename__ = "jurisdiction"
    __table_args__ = (Index("ix_jurisdiction_parent", "parent_code"),)

    code = Column(String(CODE), primary_key=True)
    parent_code = Column(String(CODE))
    kind = Column(String(32), nullable=False)
    name = Column(Text, nullable=False)
    names = Column(JSON, nullable=False)


class Organization(CatalogueBase):
    __tablename__ = "organization"

    id = Column(String(SID), primary_key=True)
    source_id = Column(String(SID), ForeignKey("catalogue_source.id"), nullable=False)
    name = Column(Text, nullable=False)
    names = Column(JSON, nullable=False)
    url = Column(Text)
    email = Column(Text)


class Service(CatalogueBase):
    __tablename__ = "service"
    __table_args__ = (Index("ix_service_source", "source_id"),)

    id = Column(String(SID), primary_key=True)
    source_id = Column(String(SID), ForeignKey("catalogue_source.id"), nullable=False)
    organization_id = Column(String(SID), ForeignKey("organization.id"))
    name = Column(Text, nullable=False)
    url = Column(Text)
    status = Column(String(16), nullable=False)
    last_reviewed = Column(Date, nullable=False)
    source_url = Column(Text)
    source_record_id = Column(Text, nullable=False)
    doc = Column(JSON, nullable=False)


class ServiceArea(CatalogueBase):
    __tablename__ = "service_area"
    __table_args__ = (
        Index("ix_service_area_jurisdiction", "jurisdiction_code"),
        Index("ix_service_area_service", "service_id"),
    )

    id = Column(Integer, primary_key=True)
    service_id = Column(String(SID), ForeignKey("service.id"), nullable=False)
    jurisdiction_code = Column(String(CODE), nullable=False)


class ServiceLifeEvent(CatalogueBase):
    __tablename__ = "service_life_event"
    __table_args__ = (Index("ix_service_life_event_event", "life_event"),)

    service_id = Column(String(SID), ForeignKey("service.id"), primary_key=True)
    life_event = Column(String(64), primary_key=True)


class ServiceMatchIndex(CatalogueBase):
    """One row per (area, life event or ``*``, service): the access path of every match."""

    __tablename__ = "service_match_index"

    jurisdiction_code = Column(String(CODE), primary_key=True)
    life_event = Column(String(64), primary_key=True)
    service_id = Column(String(SID), ForeignKey("service.id"), primary_key=True)


class EligibilityRule(CatalogueBase):
    __tablename__ = "eligibility_rule"
    __table_args__ = (
        Index("ix_eligibility_rule_service", "service_id"),
        Index("ix_eligibility_rule_criterion", "criterion"),
    )

    id = Column(Integer, primary_key=True)
    service_id = Column(String(SID), ForeignKey("service.id"), nullable=False)
    position = Column(Integer, nullable=False)
    criterion = Column(String(100))  # null for an any_of group
    op = Column(String(16), nullable=False)
    values = Column(JSON, nullable=False)
    label = Column(JSON)
    any_of = Column(JSON)


class RequiredDocument(CatalogueBase):
    __tablename__ = "required_document"
    __table_args__ = (Index("ix_required_document_service", "service_id"),)

    id = Column(Integer, primary_key=True)
    service_id = Column(String(SID), ForeignKey("service.id"), nullable=False)
    position = Column(Integer, nullable=False)
    document = Column(Text, nullable=False)
    documents = Column(JSON, nullable=False)
    url = Column(Text)


class Phone(CatalogueBase):
    __tablename__ = "phone"
    __table_args__ = (Index("ix_phone_service", "service_id"),)

    id = Column(Integer, primary_key=True)
    service_id = Column(String(SID), ForeignKey("service.id"))
    organization_id = Column(String(SID), ForeignKey("organization.id"))
    number = Column(String(64), nullable=False)
    description = Column(JSON)
    languages = Column(JSON, nullable=False)


class ServiceLanguage(CatalogueBase):
    __tablename__ = "service_language"

    service_id = Column(String(SID), ForeignKey("service.id"), primary_key=True)
    language = Column(String(16), primary_key=True)


class Location(CatalogueBase):
    __tablename__ = "location"
    __table_args__ = (Index("ix_location_service", "service_id"), Index("ix_location_jurisdiction", "jurisdiction_code"))

    id = Column(Integer, primary_key=True)
    service_id = Column(String(SID), ForeignKey("service.id"), nullable=False)
    name = Column(Text, nullable=False)
    address = Column(Text)
    city = Column(Text)
    region = Column(Text)
    postal_code = Column(String(16))
    country = Column(String(64))
    jurisdiction_code = Column(String(CODE))
    latitude = Column(Float)
    longitude = Column(Float)


class Schedule(CatalogueBase):
    __tablename__ = "schedule"
    __table_args__ = (Index("ix_schedule_service", "service_id"),)

    id = Column(Integer, primary_key=True)
    service_id = Column(String(SID), ForeignKey("service.id"), nullable=False)
    description = Column(JSON)
    byday = Column(String(64))
    opens_at = Column(String(16))
    closes_at = Column(String(16))


class Navigator(CatalogueBase):
    """A human intermediary (navigator, caseworker organisation) the handoff feature can offer."""

    __tablename__ = "navigator"

    id = Column(String(SID), primary_key=True)
    source_id = Column(String(SID), ForeignKey("catalogue_source.id"), nullable=False)
    name = Column(Text, nullable=False)
    email = Column(Text)
    phone = Column(String(64))
    url = Column(Text)
    languages = Column(JSON, nullable=False)
    doc = Column(JSON, nullable=False)


class NavigatorArea(CatalogueBase):
    __tablename__ = "navigator_area"
    __table_args__ = (Index("ix_navigator_area_jurisdiction", "jurisdiction_code"),)

    navigator_id = Column(String(SID), ForeignKey("navigator.id"), primary_key=True)
    jurisdiction_code = Column(String(CODE), primary_key=True)


class NavigatorService(CatalogueBase):
    __tablename__ = "navigator_service"
    __table_args__ = (Index("ix_navigator_service_service", "service_id"),)

    navigator_id = Column(String(SID), ForeignKey("navigator.id"), primary_key=True)
    service_id = Column(String(SID), ForeignKey("service.id"), primary_key=True)


# Delete children before parents, insert parents before children.
TABLES_IN_LOAD_ORDER = [
    CatalogueSource.__table__, Jurisdiction.__table__, Organization.__table__, Service.__table__,
    ServiceArea.__table__, ServiceLifeEvent.__table__, ServiceMatchIndex.__table__, EligibilityRule.__table__,
    RequiredDocument.__table__, Phone.__table__, ServiceLanguage.__table__, Location.__table__, Schedule.__table__,
    Navigator.__table__, NavigatorArea.__table__, NavigatorService.__table__,
]
