"""Settings, read from the environment by the entry points only.

Everything below the command line receives a :class:`Settings` value; nothing in ``bot/`` reads
``os.environ`` itself, so tests pass settings explicitly.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from bot.errors import ConfigError

__all__ = ("DEFAULT_DIALOGS_DIR", "Settings", "check_storage")

DEFAULT_DIALOGS_DIR = Path(__file__).resolve().parent.parent / "dialogs"
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    dialogs_dir: Path = DEFAULT_DIALOGS_DIR
    log_level: str = "WARNING"
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str | None = None
    discord_bot_token: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from environment variables (see ``.env.example``)."""
        data_dir = Path(environ.get("COACH_DATA_DIR") or _default_data_dir()).expanduser()
        dialogs_dir = Path(environ.get("COACH_DIALOGS_DIR") or DEFAULT_DIALOGS_DIR).expanduser()
        if not ((dialogs_dir / "flows").is_dir() or (dialogs_dir / "templates").is_dir()):
            raise ConfigError(
                f"COACH_DIALOGS_DIR={dialogs_dir} has neither flows/ nor templates/; point it at "
                "a folder with either (see .env.example), or unset it to use the shipped one"
            )
        level = (environ.get("LOG_LEVEL") or "WARNING").upper()  # empty means unset
        if level not in _LEVELS:
            raise ConfigError(f"LOG_LEVEL={level!r} is not one of {', '.join(_LEVELS)}")
        url = environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'coach.db'}"
        return cls(
            data_dir=data_dir,
            database_url=url,
            dialogs_dir=dialogs_dir,
            log_level=level,
            slack_bot_token=environ.get("SLACK_BOT_TOKEN") or None,
            slack_signing_secret=environ.get("SLACK_SIGNING_SECRET") or None,
            slack_app_token=environ.get("SLACK_APP_TOKEN") or None,
            slack_client_id=environ.get("SLACK_CLIENT_ID") or None,
            slack_client_secret=environ.get("SLACK_CLIENT_SECRET") or None,
            slack_api_url=environ.get("SLACK_API_URL") or None,
            discord_bot_token=environ.get("DISCORD_BOT_TOKEN") or None,
        )

    @property
    def python_log_level(self) -> int:
        return int(getattr(logging, self.log_level))

    @property
    def sql_url(self) -> str:
        """DATABASE_URL as the project spells it (``postgresql+asyncpg://``, ...), for other
        SQLAlchemy users of the same database (Slack's installation store).

        Raises:
            ValueError: the URL names a database or driver the coach does not support.
        """
        from bot.store.factory import normalize_database_url

        return normalize_database_url(self.database_url)

    def with_data_dir(self, data_dir: Path) -> Settings:
        """The settings with another data folder; the default SQLite database moves with it,
        an explicit DATABASE_URL stays."""
        from bot.store.factory import default_database_url

        data_dir = data_dir.expanduser()
        url = self.database_url
        if url == default_database_url(self.data_dir):
            url = default_database_url(data_dir)
        return replace(self, data_dir=data_dir, database_url=url)


def _default_data_dir() -> str:
    import platformdirs

    return platformdirs.user_data_dir("recruiter-coach", appauthor=False)


def check_storage(settings: Settings) -> None:
    """Fail early, with the setting to change, instead of with a traceback from the store.

    Raises:
        ConfigError: DATABASE_URL names an unsupported database, or the data folder for the
            default SQLite file cannot be created.
    """
    from bot.store.factory import default_database_url, normalize_database_url

    try:
        normalize_database_url(settings.database_url)
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL: {exc}") from exc
    if settings.database_url != default_database_url(settings.data_dir):
        return
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the data folder {settings.data_dir} ({exc.strerror}); "
            "set COACH_DATA_DIR (or pass --data-dir to the console)"
        ) from exc
