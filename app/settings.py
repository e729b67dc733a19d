"""Configuration from the environment, read once.

Every variable is prefixed `FOLLOWUP_` and listed in README.md. Nothing reads the
environment at import time: `get_settings()` builds the object on first use, so
tests can patch the environment before creating an app.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

#: (backend, driver) pairs of FOLLOWUP_DATABASE_URL's scheme; a bare `postgresql://` gets psycopg (app.db.engine).
SUPPORTED_DATABASES = {("sqlite", ""), ("sqlite", "pysqlite"), ("postgresql", ""), ("postgresql", "psycopg")}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FOLLOWUP_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./followup.db",
        description="SQLAlchemy URL; an embedded SQLite file by default, "
        "`postgresql+psycopg://user@host/db` in production.",
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=5, ge=0, le=200)
    db_pool_timeout: float = Field(default=5.0, gt=0, le=120)
    db_connect_timeout: int = Field(default=3, ge=1, le=60)
    db_network_timeout: int = Field(default=30, ge=5, le=600)
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=100, le=120_000)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    auth_cache_seconds: float = Field(default=2.0, ge=0, le=300)
    message_id_domain: str = Field(default="followup.invalid")
    replan_batch_size: int = Field(default=500, ge=1, le=100_000)
    job_poll_seconds: float = Field(default=2.0, gt=0, le=3600)
    run_jobs: bool = Field(default=True, description="Run the background job loop in this process.")
    fast_lane: bool = Field(
        default=True, description="Answer the plain case of the hottest reads and of event writes below FastAPI (app.api.fastlane)."
    )
    retry_after_seconds: int = Field(default=2, ge=1, le=3600)

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        """Only the two databases this service runs on, through the drivers it ships with:
        `mysql://` or the often-copied `postgresql+psycopg2://` failed later, on importing a
        driver that is not installed, with a traceback."""
        scheme, separator, _ = value.partition("://")
        backend, _, driver = scheme.lower().partition("+")
        # Only the scheme is repeated: the rest may hold a password.
        if not separator:
            what = "not a URL"
        elif (backend, driver) not in SUPPORTED_DATABASES:
            what = f"{scheme!r} is not a database this service runs on"
        else:
            try:
                make_url(value)  # a port that is not a number failed later, in create_engine
                return value
            except (ArgumentError, ValueError):
                what = "not a URL it can read (is the port a number?)"
        raise ValueError(f"{what}: use sqlite:///PATH or postgresql+psycopg://user:pass@host/db")

    @field_validator("message_id_domain")
    @classmethod
    def _message_id_domain(cls, value: str) -> str:
        """Checked at start-up: a bad one made every `.eml` a 422, a client error for the
        operator's typo, while the service looked healthy."""
        from app.messages.eml import valid_message_id_domain

        if not valid_message_id_domain(value):
            raise ValueError("not a domain name (letters, digits, hyphens and dots, e.g. mail.example.com)")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Comma-separated origins, written as a browser sends them in `Origin` (no
        trailing slash, scheme and host in lower case), which CORS compares exactly:
        `https://Careers.example.com/` would otherwise never match."""
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            return [_as_origin(str(origin)) for origin in value if str(origin).strip()]
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _as_origin(value: str) -> str:
    origin = value.strip().rstrip("/")
    if origin == "*" or "://" not in origin:
        return origin
    scheme, _, host = origin.partition("://")
    return f"{scheme.lower()}://{host.lower()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
