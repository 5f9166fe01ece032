"""Load and validate the project's ``dualrun.toml``.

The file is parsed with ``tomllib`` and validated by pydantic models (frozen values);
validation failures become one ``ConfigError`` that lists every problem with its
dotted location and a "did you mean" suggestion. Paths inside the file are relative to
the file itself. This module reads only the config file, never the sources.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dualrun.errors import ConfigError
from dualrun.issues.settings import IssuesConfig, PersonConfig, check_people_and_routing
from dualrun.nightly.settings import NightlyConfig
from dualrun.readiness.settings import ReadinessConfig, check_readiness

CONFIG_ENV = "DUALRUN_CONFIG"
DB_URL_ENV = "DUALRUN_DB_URL"
DEFAULT_CONFIG_NAME = "dualrun.toml"
DEFAULT_DB_NAME = "dualrun.db"

FIELD_KINDS = (
    "text",
    "phone",
    "email",
    "date",
    "datetime",
    "amount",
    "number",
    "id",
    "sfid",
    "enum",
)
TEXT_STEPS = ("casefold", "simplified", "company_suffix", "no_halfwidth", "no_collapse")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceConfig(_Model):
    """One file or glob on one side of an entity."""

    path: str | list[str]
    pick: Literal["all", "newest"] = "all"
    sheets: list[str] = Field(default_factory=list)
    header_row: int | None = Field(default=None, ge=1)
    skip_rows: list[str] | None = None
    encoding: str | None = None
    delimiter: str | None = None
    formula_without_value: Literal["error", "empty"] = "error"

    @property
    def patterns(self) -> list[str]:
        return [self.path] if isinstance(self.path, str) else list(self.path)


class LookupConfig(_Model):
    """Resolve a CRM value (e.g. Contact.AccountId) to another entity's field."""

    entity: str
    by: str  # canonical field of the other entity holding the value seen here (e.g. crm_id)
    to: str  # canonical field of the other entity to compare with (e.g. name)


class FieldConfig(_Model):
    """One canonical field: where it lives on each side and how to compare it."""

    manual: str | list[str] | None = None
    crm: str | list[str] | None = None
    type: str = "text"
    normalise: list[str] = Field(default_factory=list)
    manual_unit: str | None = None
    crm_unit: str | None = None
    map: dict[str, str] = Field(default_factory=dict)
    tolerance_abs: float = Field(default=0.0, ge=0)
    tolerance_rel: float = Field(default=0.0, ge=0)
    tolerance_days: int = Field(default=0, ge=0)
    critical: bool = False
    compare: bool = True
    pii: bool = False
    lookup: LookupConfig | None = None

    @field_validator("type")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in FIELD_KINDS:
            raise ValueError(f"unknown type {value!r}{_suggest(value, FIELD_KINDS)}")
        return value

    @field_validator("normalise")
    @classmethod
    def _known_steps(cls, value: list[str]) -> list[str]:
        for step in value:
            if step not in TEXT_STEPS:
                raise ValueError(f"unknown normalise step {step!r}{_suggest(step, TEXT_STEPS)}")
        return value

    def headers(self, side: str) -> list[str]:
        names = self.manual if side == "manual" else self.crm
        if names is None:
            return []
        return [names] if isinstance(names, str) else list(names)


class FuzzyConfig(_Model):
    field: str
    block: list[str] = Field(default_factory=list)
    threshold: float = Field(default=90.0, ge=0, le=100)
    margin: float = Field(default=3.0, ge=0, le=100)


class MatchConfig(_Model):
    key: list[str]
    fallback: list[list[str]] = Field(default_factory=list)
    fuzzy: FuzzyConfig | None = None


class EntityConfig(_Model):
    module: str = "default"
    label: str | None = None
    manual: list[SourceConfig]
    crm: list[SourceConfig]
    fields: dict[str, FieldConfig]
    match: MatchConfig
    owner: str | None = None
    record_id: str | None = None


class ProjectConfig(_Model):
    name: str = "dualrun project"
    lang: Literal["zh", "en"] = "zh"
    timezone: str = "Asia/Shanghai"
    default_country: str = "86"
    null_tokens: list[str] | None = None


class StoreConfig(_Model):
    url: str | None = None


class ConfigFile(_Model):
    project: ProjectConfig = Field(default_factory=ProjectConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    entities: dict[str, EntityConfig]
    people: dict[str, PersonConfig] = Field(default_factory=dict)
    issues: IssuesConfig = Field(default_factory=IssuesConfig)
    nightly: NightlyConfig = Field(default_factory=NightlyConfig)
    readiness: ReadinessConfig = Field(default_factory=ReadinessConfig)


@dataclass(frozen=True)
class Config:
    """A validated config plus where it came from."""

    path: Path
    digest: str  # sha256 of the file's bytes: recorded with every run
    data: ConfigFile

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    @property
    def project(self) -> ProjectConfig:
        return self.data.project

    @property
    def entities(self) -> Mapping[str, EntityConfig]:
        return self.data.entities

    def resolve(self, relative: str) -> Path:
        """A path from the file, relative to the file's own folder."""
        candidate = Path(os.path.expanduser(relative))
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    def store_url(self, override: str | None = None) -> str:
        """The SQLAlchemy URL: --db, else DUALRUN_DB_URL, else the file's, else SQLite beside it."""
        url = override or os.environ.get(DB_URL_ENV) or self.data.store.url
        if not url:
            return f"sqlite:///{(self.base_dir / DEFAULT_DB_NAME).resolve()}"
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
            return prefix + str(self.resolve(url[len(prefix) :]).resolve())
        return url


def find_config_path(given: str | Path | None) -> Path:
    """-c, else DUALRUN_CONFIG, else ./dualrun.toml."""
    raw = given or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_NAME
    path = Path(raw)
    if not path.exists():
        raise ConfigError(
            f"config file not found: {path}",
            hint="pass -c PATH, set DUALRUN_CONFIG, or create one with `dualrun init`",
        )
    if path.is_dir():
        path = path / DEFAULT_CONFIG_NAME
        if not path.exists():
            raise ConfigError(f"no {DEFAULT_CONFIG_NAME} in folder {path.parent}")
    return path


def load_config(given: str | Path | None = None) -> Config:
    """Read, parse and validate the config file; raise ConfigError listing every problem."""
    path = find_config_path(given)
    try:
        raw_bytes = path.read_bytes()
        parsed = tomllib.loads(raw_bytes.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text", hint="save the file as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        data = ConfigFile.model_validate(parsed)
    except ValidationError as exc:
        raise ConfigError(f"{path}: invalid config:\n" + "\n".join(_describe_errors(exc))) from exc
    modules: dict[str, list[str]] = {}
    for name, entity in data.entities.items():
        modules.setdefault(entity.module, []).append(name)
    problems = (
        list(_cross_check(data))
        + check_people_and_routing(data.people, data.issues)
        + check_readiness(data.readiness, modules)
    )
    if problems:
        raise ConfigError(f"{path}: invalid config:\n" + "\n".join(problems))
    return Config(path=path.resolve(), digest=hashlib.sha256(raw_bytes).hexdigest(), data=data)


def _cross_check(data: ConfigFile) -> list[str]:
    """Rules pydantic cannot see: references between fields, entities and keys."""
    problems: list[str] = []
    if not data.entities:
        problems.append("  entities: none declared; add an [entities.NAME] table")
    for name, entity in data.entities.items():
        where = f"  entities.{name}"
        fields = list(entity.fields)
        refs: list[tuple[str, str]] = [("match.key", f) for f in entity.match.key]
        refs += [("match.fallback", f) for group in entity.match.fallback for f in group]
        if entity.match.fuzzy:
            refs.append(("match.fuzzy.field", entity.match.fuzzy.field))
            refs += [("match.fuzzy.block", f) for f in entity.match.fuzzy.block]
        if entity.owner:
            refs.append(("owner", entity.owner))
        if entity.record_id:
            refs.append(("record_id", entity.record_id))
        for place, field in refs:
            if field not in entity.fields:
                problems.append(
                    f"{where}.{place}: unknown field {field!r}{_suggest(field, fields)}"
                )
                continue
            spec = entity.fields[field]
            both_sides = place.startswith("match")
            if both_sides and (not spec.headers("manual") or not spec.headers("crm")):
                problems.append(
                    f"{where}.{place}: field {field!r} must name a column on both sides "
                    "(manual = ..., crm = ...)"
                )
        if not entity.match.key:
            problems.append(f"{where}.match.key: name at least one field")
        for fname, spec in entity.fields.items():
            if not spec.headers("manual") and not spec.headers("crm"):
                problems.append(f"{where}.fields.{fname}: name a manual or crm column")
            if spec.lookup and spec.lookup.entity not in data.entities:
                problems.append(
                    f"{where}.fields.{fname}.lookup.entity: unknown entity "
                    f"{spec.lookup.entity!r}{_suggest(spec.lookup.entity, list(data.entities))}"
                )
            elif spec.lookup:
                target = data.entities[spec.lookup.entity].fields
                for part in ("by", "to"):
                    ref = getattr(spec.lookup, part)
                    if ref not in target or not target[ref].headers("crm"):
                        problems.append(
                            f"{where}.fields.{fname}.lookup.{part}: {spec.lookup.entity} has no "
                            f"CRM field {ref!r}{_suggest(ref, list(target))}"
                        )
        if not entity.manual:
            problems.append(f"{where}.manual: list at least one source")
        if not entity.crm:
            problems.append(f"{where}.crm: list at least one source")
    return problems


def _describe_errors(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        dotted = ".".join(loc)
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            allowed = _allowed_keys(error["loc"][:-1])
            message = f"unknown key{_suggest(loc[-1], allowed)}"
        elif error["type"] == "missing":
            message = "required key is missing"
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        lines.append(f"  {dotted}: {message}")
    return lines


def _allowed_keys(loc: Sequence[int | str]) -> list[str]:
    """The keys accepted at `loc`, found by walking the model annotations along it."""
    annotation: Any = ConfigFile
    for part in loc:
        model = _inner_model(annotation)
        if model is not None and isinstance(part, str) and part in model.model_fields:
            annotation = model.model_fields[part].annotation
        else:  # a dict key or list index: step into the container's value type
            args = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
            annotation = args[-1] if args else None
    model = _inner_model(annotation)
    return list(model.model_fields) if model is not None else []


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """Dig the pydantic model out of X, list[X], dict[str, X] or X | None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if getattr(annotation, "__origin__", None) in (list, dict):
        return None
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    if choices:
        return f"; expected one of: {', '.join(choices)}"
    return ""
