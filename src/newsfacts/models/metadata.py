"""The package's descriptive metadata: metadata.toml's [package] table, which `build` writes into
datapackage.json, and the same keys of a release's descriptor, which has no metadata.toml.

Each key holds what the Data Package 2.0 profile allows it to, and no client refuses: the tests
hold this model to the official profile (tests/test_clients.py), which the toolkit never reads.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

# A path or URL as the profile allows it: relative and inside the package, or http(s)/ftp(s).
PROFILE_PATH = r"^((?=[^./~])(?!file:)((?!\/\.\.\/)(?!\\)(?!:\/\/).)*|(http|ftp)s?:\/\/.*)$"
LICENSE_NAME = r"^([-a-zA-Z0-9._])+$"


class _Described(BaseModel):
    # Strict: 5 is no text. Keys the profile leaves open (Data Package v1's `role`) are kept as they are.
    # The profile's path pattern looks ahead, which only Python's engine reads.
    model_config = ConfigDict(strict=True, extra="allow", regex_engine="python-re")

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # A key the profile types may be left out, never null: clients read null as a value of the wrong type.
        if value is None:
            raise ValueError("null is not allowed: leave the key out")
        return value


class License(_Described):
    name: str | None = Field(None, description="An Open Definition licence id, e.g. `CC-BY-4.0`.", pattern=LICENSE_NAME)
    path: str | None = Field(None, description="Where the licence's text is.", pattern=PROFILE_PATH)
    title: str | None = Field(None, description="The licence's name for people.")

    @model_validator(mode="after")
    def _named(self) -> License:
        if self.name is None and self.path is None:
            raise ValueError("a licence needs a name or a path")
        return self


class Contributor(_Described):
    title: str | None = Field(None, description="The contributor's name.")
    path: str | None = Field(None, description="A page about the contributor.", pattern=PROFILE_PATH)
    email: str | None = Field(None, description="An email address.")
    givenName: str | None = Field(None, description="A person's given name.")
    familyName: str | None = Field(None, description="A person's family name.")
    organization: str | None = Field(None, description="The organisation the contributor belongs to.")
    roles: list[str] | None = Field(None, description="What the contributor did, e.g. `creator`.", min_length=1)


class Source(_Described):
    title: str | None = Field(None, description="The source's name for people.")
    path: str | None = Field(None, description="The source's file in the package, or its URL.", pattern=PROFILE_PATH)
    email: str | None = Field(None, description="An email address.")
    version: str | None = Field(None, description="The source's version.")


class PackageMetadata(_Described):
    """What describes the package, and only that: a key that changes how clients read it is no metadata."""

    model_config = ConfigDict(strict=True, extra="forbid", regex_engine="python-re")

    name: str | None = Field(None, description="The package's name, lowercase with dashes.")
    id: str | None = Field(None, description="A globally unique identifier, e.g. a UUID URN.")
    title: str | None = Field(None, description="The package's title.")
    description: str | None = Field(None, description="What the package holds.")
    version: str | None = Field(None, description="The data's version (Data Package versioning recipe).")
    created: str | None = Field(None, description="When the package was first created, ISO 8601.")
    keywords: list[str] | None = Field(None, description="Keywords for search.", min_length=1)
    licenses: list[License] | None = Field(None, description="The licences of the data.", min_length=1)
    contributors: list[Contributor] | None = Field(None, description="Who made the data.", min_length=1)
    homepage: str | None = Field(None, description="The project's web page.", pattern=r"^[A-Za-z][A-Za-z0-9+.-]*:")
    image: str | None = Field(None, description="An image for the package.")
    sources: list[Source] | None = Field(None, description="The raw sources of the data.")


# The keys PackageMetadata describes: a release's descriptor may hold them as its toolkit wrote them.
DESCRIPTIVE_KEYS = frozenset(PackageMetadata.model_fields)


def metadata_errors(values: dict[str, Any]) -> list[tuple[str, str]]:
    """Where VALUES (metadata.toml's [package], or a descriptor's descriptive keys) break the model, and why,
    as (`contributors[0].title`, message); none when they describe a package as the profile allows."""
    try:
        PackageMetadata.model_validate(values)
    except ValidationError as error:
        return [(_where(item["loc"]), item["msg"]) for item in error.errors()]
    return []


def _where(location: tuple[Any, ...]) -> str:
    where = ""
    for part in location:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return where
