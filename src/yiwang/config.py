"""Settings: one object, read from YIWANG_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - refused in production


class Settings(BaseSettings):
    """Everything yiwang can be told from outside; nothing else reads the environment."""

    model_config = SettingsConfigDict(env_prefix="YIWANG_", extra="ignore")

    env: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = f"sqlite:///{ROOT / 'var' / 'yiwang.db'}"
    definitions_dir: Path = ROOT / "definitions"
    secret_key: str = Field(default=DEV_SECRET, min_length=16)
    # The audit chain's HMAC key; defaults to the secret key. Keep it off the database server.
    audit_key: str = ""
    base_url: str = ""

    # The demo region's department systems (a separate HTTP service in development).
    demo_systems_host: str = "127.0.0.1"
    demo_systems_port: int = 8100
    population_registry_url: str = ""
    connector_timeout_seconds: float = 3.0
    # The exchange: where the data sources of definitions/data-sources.yaml answer. Relative
    # endpoints hang off exchange_base_url (the demo systems by default); source_endpoints
    # (JSON, e.g. {"population_registry": "https://…"}) points single sources elsewhere.
    exchange_base_url: str = ""
    source_endpoints: dict[str, str] = {}
    # Prefill's time budget: a source slower than this is left out and its fields typed by hand.
    prefill_budget_seconds: float = 1.5
    source_failure_threshold: int = 5
    source_recovery_seconds: int = 30

    # Electronic licences: the departments' signing keys live here, outside the database (one
    # PEM file per key; rotate with `yiwang certificates rotate-key`). pdf_font: a CJK TrueType
    # font to embed in licence PDFs (WenQuanYi Micro Hei is found by itself where installed).
    keys_dir: Path = ROOT / "var" / "keys"
    pdf_font: str = ""

    # Sign-in.
    session_hours: int = 8
    token_minutes: int = 60
    login_window_minutes: int = 15
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    # Passwords one process checks at once (argon2id: ~90 ms of CPU and 64 MiB each), and
    # sign-ins it holds waiting for a check; past both, 503 sign_in_busy with Retry-After.
    password_hashers: int = Field(default=1, ge=1)
    sign_ins_waiting: int = Field(default=2, ge=0)

    # Requests.
    max_body_bytes: int = 4_194_304  # room for a 12345 ticket's three photos
    # Admission control: requests one process works on at once; past it, 503 + Retry-After.
    max_in_flight: int = Field(default=64, ge=1)
    # Once reached, and while each half-second refuses a tenth or more of its arrivals: what
    # the process finishes in this many seconds at its best pace of the last five (at least a
    # quarter of max_in_flight; 0: max_in_flight always). See api/admission.py.
    admission_wait_seconds: float = Field(default=0.08, ge=0, allow_inf_nan=False)
    # …and none while the event loop runs timers this late, twice running (seconds; 0: off).
    # Off by default: a busy but healthy loop (a test run on a loaded machine) crossed 50 ms
    # twice and turned a request away; a deployment behind a proxy may turn it on.
    max_loop_lag_seconds: float = 0.0
    retry_after_seconds: int = 1
    # How long a claimed job is its runner's before another runner may take it (crash recovery).
    job_lease_seconds: float = 300
    log_level: str = "INFO"
    # The demo's SMS / e-mail channel: messages are appended here as JSON lines.
    notification_log: Path = ROOT / "var" / "notifications.log"
    log_json: bool = True
    # Proxies whose X-Forwarded-For is believed (comma-separated addresses, or "*"). Empty: none,
    # so a client cannot pick its own address to dodge the per-address sign-in throttle.
    forwarded_allow_ips: str = ""
    strict_audit: bool = True
    cookie_secure: bool = False

    def check_for_production(self) -> None:
        """Refuse settings that are only safe on a developer's machine."""
        if self.env == "production":
            if self.secret_key == DEV_SECRET:
                raise ValueError("YIWANG_SECRET_KEY must be set in production")
            if not self.cookie_secure:
                raise ValueError("YIWANG_COOKIE_SECURE must be true in production (HTTPS only)")

    @property
    def async_database_url(self) -> str:
        """The database URL mapped onto the drivers yiwang uses."""
        return to_async_url(self.database_url)

    @property
    def audit_hmac_key(self) -> bytes:
        """The key that seals the audit chain."""
        return (self.audit_key or self.secret_key).encode()

    @property
    def is_sqlite(self) -> bool:
        """Whether the system of record is the embedded SQLite default."""
        return self.database_url.startswith("sqlite")

    @property
    def population_registry(self) -> str:
        """Base URL of the population registry (公安人口库) connector."""
        return self.population_registry_url or (
            f"http://{self.demo_systems_host}:{self.demo_systems_port}/population"
        )

    @property
    def public_url(self) -> str:
        """Where people reach this server: base_url, or its host and port."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def exchange_base(self) -> str:
        """Base URL the data sources' relative endpoints hang off."""
        return self.exchange_base_url or (
            f"http://{self.demo_systems_host}:{self.demo_systems_port}"
        )


def to_async_url(url: str) -> str:
    """Map a plain sqlite:/// or postgresql:// URL to its asyncio driver."""
    for plain, driver in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
