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

__all__ = ("DEFAULT_DIALOGS_DIR", "Settings", "Shards", "check_storage", "parse_shards")

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
    # Sharding across processes: how many shards in all, and the ones this process runs
    # (DISCORD_SHARD_COUNT, DISCORD_SHARD_IDS; ``recruiter-coach discord --shards/--shard-ids``).
    discord_shards: Shards | None = None

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
            discord_shards=parse_shards(
                environ.get("DISCORD_SHARD_COUNT") or None,
                environ.get("DISCORD_SHARD_IDS") or None,
                names=("DISCORD_SHARD_COUNT", "DISCORD_SHARD_IDS"),
            ),
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


@dataclass(frozen=True, slots=True)
class Shards:
    """Discord shards: ``count`` in all, of which this process runs ``ids`` (None: all)."""

    count: int
    ids: tuple[int, ...] | None = None

    @property
    def runs_shard_zero(self) -> bool:
        """Whether this process runs shard 0, where Discord sends every DM."""
        return self.ids is None or 0 in self.ids


def parse_shards(
    count: str | None, ids: str | None, *, names: tuple[str, str] = ("--shards", "--shard-ids")
) -> Shards | None:
    """``count`` ("4") and ``ids`` ("0,1") as :class:`Shards`; None when neither is given.

    Raises:
        ConfigError: not whole numbers, ids without a count, an id outside ``0..count-1`` or
            given twice; the message names the option or variable (``names``).
    """
    count_name, ids_name = names
    if count is None:
        if ids is not None:
            raise ConfigError(f"{ids_name} needs {count_name} (the number of shards in all)")
        return None
    if not count.strip().isdigit() or int(count) < 1:
        raise ConfigError(f"{count_name} must be a whole number of at least 1 (got {count!r})")
    total = int(count)
    if ids is None:
        return Shards(total)
    parts = [part.strip() for part in ids.split(",") if part.strip()]
    if not parts or not all(part.isdigit() for part in parts):
        raise ConfigError(f"{ids_name} must be shard numbers separated by commas (got {ids!r})")
    numbers = tuple(int(part) for part in parts)
    if len(set(numbers)) != len(numbers) or max(numbers) >= total:
        raise ConfigError(
            f"{ids_name} must name different shards from 0 to {total - 1} (got {ids!r})"
        )
    return Shards(total, tuple(sorted(numbers)))


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
