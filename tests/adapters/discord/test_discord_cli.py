"""``recruiter-coach discord``: the invite URL, the token checks, a refused token."""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from adapters.discord import cli
from adapters.discord.client import ShardedCoachClient, build_discord_client
from bot.app import open_coach
from bot.config import Settings, Shards, parse_shards
from bot.errors import ConfigError
from tests.adapters.discord.fake_discord import FakeDiscord

ROOT = Path(__file__).resolve().parents[3]
APP_ID = 1100000000000000001
TOKEN = base64.b64encode(str(APP_ID).encode()).decode().rstrip("=") + ".GhIjKl.secret-part"


def run(
    tmp_path: Path, *args: str, module: str = "bot.cli.main", **env: str
) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ)  # the autouse clean_env fixture removed DISCORD_* and friends
    environ.update(PYTHONPATH=str(ROOT), COACH_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=environ,
        cwd=tmp_path,
    )


def test_invite_url_has_exactly_the_scopes_and_permissions_the_bot_needs(tmp_path: Path) -> None:
    result = run(tmp_path, "discord", "--invite-url", DISCORD_BOT_TOKEN=TOKEN)
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("https://discord.com/oauth2/authorize?")
    assert query["client_id"] == [str(APP_ID)]
    assert query["scope"] == ["bot applications.commands"]
    needed = discord.Permissions(
        view_channel=True, send_messages=True, embed_links=True, read_message_history=True
    )
    assert query["permissions"] == [str(needed.value)] == ["84992"]
    assert url == discord.utils.oauth_url(
        APP_ID, permissions=needed, scopes=("bot", "applications.commands")
    )


def test_invite_url_takes_an_application_id_without_any_token(tmp_path: Path) -> None:
    result = run(tmp_path, "--invite-url", "--application-id", "123", module="adapters.discord")
    assert result.returncode == 0, result.stderr
    assert "client_id=123&" in result.stdout


@pytest.mark.parametrize("args", [(), ("--invite-url",), ("--sync",)])
def test_a_missing_token_is_a_configuration_error_naming_it(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = run(tmp_path, "discord", *args)
    assert result.returncode == 2
    assert "DISCORD_BOT_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_token_of_the_wrong_shape_asks_for_the_application_id() -> None:
    with pytest.raises(ConfigError, match="--application-id"):
        cli.application_id_from_token("not a token!")
    assert cli.application_id_from_token(TOKEN) == APP_ID
    with pytest.raises(ConfigError, match="must be a number"):
        cli._application_id("12ab", Settings(data_dir=Path("."), database_url="memory://"))


def test_the_command_is_listed_in_the_help(tmp_path: Path) -> None:
    result = run(tmp_path, "--help")
    assert "discord" in result.stdout and "invite" in result.stdout


async def test_a_refused_token_is_a_configuration_error(
    fake_discord: FakeDiscord, tmp_path: Path, sqlite_url: str
) -> None:
    fake_discord.unauthorized = True
    settings = Settings(data_dir=tmp_path, database_url=sqlite_url, discord_bot_token="x.y.z")
    with pytest.raises(ConfigError, match="refused DISCORD_BOT_TOKEN"):
        await cli._run(settings, cli.require_token(settings), force_sync=False)
    assert fake_discord.requests[0].path == "/users/@me"


async def test_the_bot_runs_until_stopped_and_syncs_on_first_start(
    fake_discord: FakeDiscord, tmp_path: Path, sqlite_url: str
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=sqlite_url, discord_bot_token=TOKEN)
    running = asyncio.create_task(cli._run(settings, TOKEN, force_sync=False))
    await fake_discord.wait_identified(1)
    assert any(r.method == "PUT" for r in fake_discord.requests)  # the first start syncs
    running.cancel()  # what Ctrl-C does to asyncio.run
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(running, 15)


def test_without_network_the_bot_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import argparse
    import socket

    with socket.socket() as probe:  # a port nobody listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    settings = Settings(data_dir=tmp_path, database_url=sqlite_url, discord_bot_token=TOKEN)
    args = argparse.Namespace(settings=settings, invite_url=False, application_id=None, sync=False)
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "cannot reach Discord" in err


# -- sharding ------------------------------------------------------------------------------------


def test_shard_options_are_read_and_checked() -> None:
    assert parse_shards(None, None) is None
    assert parse_shards("4", None) == Shards(4)
    assert parse_shards("4", "3, 1") == Shards(4, (1, 3))
    assert parse_shards("2", "1").runs_shard_zero is False  # type: ignore[union-attr]
    for count, ids, says in [
        (None, "0", "needs --shards"),
        ("0", None, "at least 1"),
        ("two", None, "whole number"),
        ("2", "2", "from 0 to 1"),
        ("2", "0,0", "different shards"),
        ("2", "a", "separated by commas"),
    ]:
        with pytest.raises(ConfigError, match=says):
            parse_shards(count, ids)


def test_shard_options_win_over_the_environment(tmp_path: Path) -> None:
    environ = {
        "COACH_DATA_DIR": str(tmp_path),
        "DISCORD_SHARD_COUNT": "4",
        "DISCORD_SHARD_IDS": "2,3",
    }
    settings = Settings.from_env(environ)
    assert settings.discord_shards == Shards(4, (2, 3))
    args = argparse.Namespace(shards=None, shard_ids=None)
    assert cli.shards_from(args, settings) == Shards(4, (2, 3))
    args = argparse.Namespace(shards=None, shard_ids="0")  # the count still from the environment
    assert cli.shards_from(args, settings) == Shards(4, (0,))
    args = argparse.Namespace(shards="2", shard_ids="1")
    assert cli.shards_from(args, settings) == Shards(2, (1,))
    with pytest.raises(ConfigError, match="DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"):
        Settings.from_env({"COACH_DATA_DIR": str(tmp_path), "DISCORD_SHARD_IDS": "1"})


def test_the_shard_options_are_in_the_help(tmp_path: Path) -> None:
    result = run(tmp_path, "discord", "--help")
    assert result.returncode == 0
    assert "--shards N" in result.stdout and "--shard-ids A,B" in result.stdout


async def test_sharded_settings_build_an_auto_sharded_client(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url="memory://", discord_shards=Shards(2, (1,))
    )
    coach = await open_coach(settings)
    try:
        client = build_discord_client(coach, settings)
        assert isinstance(client, ShardedCoachClient)
        assert isinstance(client, discord.AutoShardedClient)
        assert (client.shard_count, client.shard_ids) == (2, [1])
        assert client.syncs_commands is False  # shard 0's process syncs the commands
        plain = build_discord_client(coach, Settings(data_dir=tmp_path, database_url="memory://"))
        assert not isinstance(plain, discord.AutoShardedClient) and plain.syncs_commands
    finally:
        await coach.close()
