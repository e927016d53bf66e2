"""The catalogue file format: HSDS 3.0 nouns plus ``life_events`` and structured ``eligibility`` rules (pydantic v1).

One YAML file per source or jurisdiction::

    source: {id, name, url, licence, attribution, retrieved}
    organizations: [{id, name, description, url, email, phones}]
    services: [{id, organization, name, description, url, service_areas, life_events, eligibility, how_to_apply,
                required_documents, phones, languages, locations, schedules, notify_on, notify_action, audience, kind,
                reach, source}]
    navigators: [{id, name, description, email, phone, url, languages, service_areas, services, source}]

Texts are ``{en: ..., fr: ..., es: ...}`` (English required) or a plain string (English).

``audience`` says who a service is for: citizens' lists show ``individuals`` and ``families`` only (an access-to-
information office or an employers' service is ``internal`` / ``organisations``). ``kind: router`` marks a national or
provincial page whose job is to send the citizen on to the right local office (a state's unemployment insurance
through the federal finder). ``reach``: how many applications and calls a year the source reports, when it does.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Extra, Field, conlist, constr, root_validator, validator

if TYPE_CHECKING:  # the type checker sees the plain types; pydantic (below) checks the constraints at run time
    ID = str
    LANG_CODE = str
    NonEmpty = str
    PhoneNumber = str
    Areas = list[str]
    RulePath = list["Rule"]
else:
    ID = constr(regex=r"^[a-z0-9][a-z0-9_.:/-]*$", min_length=2, max_length=200)
    LANG_CODE = constr(regex=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
    NonEmpty = constr(min_length=1)
    PhoneNumber = constr(min_length=3)
    Areas = conlist(str, min_items=1)


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


class Text(Strict):
    """A text in English (required) and optionally French and Spanish."""

    en: NonEmpty
    fr: str | None = None
    es: str | None = None

    @classmethod
    def __get_validators__(cls) -> Generator[Callable[..., Any], None, None]:
        yield cls._coerce
        yield from super().__get_validators__()

    @classmethod
    def _coerce(cls, value: Any) -> Any:
        return {"en": value} if isinstance(value, str) else value


class Rule(Strict):
    criterion: str | None = None
    op: Literal["in", "not_in", "eq", "ne", "lt", "le", "gt", "ge", "between", "date"] = "in"
    values: list[Any] = Field(default_factory=list)
    label: Text | None = None
    any_of: list[RulePath] | None = None

    @root_validator(skip_on_failure=True)
    def _shape(cls, v: dict[str, Any]) -> dict[str, Any]:
        if v.get("any_of") is not None:
            if v.get("criterion") is not None or v.get("values"):
                raise ValueError("a rule has either `any_of` paths or `criterion`/`values`, not both")
            return v
        if not v.get("criterion"):
            raise ValueError("a rule needs `criterion` (or `any_of`)")
        if not v.get("values"):
            raise ValueError("a rule needs at least one value in `values`")
        return v


if not TYPE_CHECKING:
    RulePath = conlist(Rule, min_items=1)  # an ``any_of`` path has at least one rule
Rule.update_forward_refs()


class HowToApply(Strict):
    url: str | None = None
    phone: str | None = None
    in_person: Text | None = None
    description: Text | None = None


class Phone(Strict):
    number: PhoneNumber
    description: Text | None = None
    languages: list[LANG_CODE] = Field(default_factory=list)


class Location(Strict):
    name: Text
    address: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    jurisdiction: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class Schedule(Strict):
    description: Text | None = None
    byday: str | None = None
    opens_at: str | None = None
    closes_at: str | None = None


class RequiredDocument(Strict):
    document: Text
    url: str | None = None


class SourceRef(Strict):
    id: NonEmpty
    url: str | None = None
    last_reviewed: date


class Service(Strict):
    id: ID
    organization: str | None = None
    name: Text
    description: Text | None = None
    url: Text | None = None
    service_areas: Areas
    life_events: list[str] = Field(default_factory=list)
    eligibility: list[Rule] = Field(default_factory=list)
    eligibility_description: Text | None = None
    minimum_age: int | None = None
    maximum_age: int | None = None
    how_to_apply: HowToApply | None = None
    required_documents: list[RequiredDocument] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)
    languages: list[LANG_CODE] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)
    schedules: list[Schedule] = Field(default_factory=list)
    notify_on: list[str] = Field(default_factory=list)
    notify_action: Text | None = None
    status: Literal["active", "inactive", "defunct"] = "active"
    audience: Literal["individuals", "families", "organisations", "internal"] = "individuals"
    kind: Literal["service", "router"] = "service"
    reach: int | None = None
    source: SourceRef

    @validator("url")
    def _url(cls, v: Text | None) -> Text | None:
        for lang, u in (v.dict(exclude_none=True).items() if v else ()):
            if not str(u).startswith(("https://", "http://")):
                raise ValueError(f"url ({lang}) must start with https:// or http://, got {u!r}")
        return v


class Organization(Strict):
    id: ID
    name: Text
    description: Text | None = None
    url: str | None = None
    email: str | None = None
    phones: list[Phone] = Field(default_factory=list)


class Navigator(Strict):
    id: ID
    name: NonEmpty
    description: Text | None = None
    organization: str | None = None
    email: str | None = None
    phone: str | None = None
    url: str | None = None
    languages: list[LANG_CODE] = Field(default_factory=list)
    service_areas: Areas
    services: list[str] = Field(default_factory=list)
    source: SourceRef


class SourceInfo(Strict):
    id: ID
    name: NonEmpty
    url: str | None = None
    licence: NonEmpty
    attribution: str | None = None
    retrieved: str | None = None
    notes: str | None = None


class CatalogueFile(Strict):
    source: SourceInfo
    organizations: list[Organization] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    navigators: list[Navigator] = Field(default_factory=list)
