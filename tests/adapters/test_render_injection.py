"""No user value, rendered for Slack or Discord, can become a live mention, masked link or
channel link, however it is built; and the escaped text still reads as what the user typed.

A template line holds the value twice (the case that left Discord's second link live); the
values mix masked links, nested brackets, ``<url>`` forms, channel, user and role mentions and
broadcasts with any other text hypothesis finds.
"""

from __future__ import annotations

import re
import warnings

from hypothesis import given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    # discord.py imports audioop (for voice, unused); Python 3.11 warns it goes away in 3.13.
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    from adapters.discord.render import card_embed, to_markdown
from adapters.slack.render import to_fallback, to_message, to_mrkdwn
from bot.boundary import Card, Reply
from bot.render.markup import escape

PIECES = [
    "[a](https://evil.example)",
    "[b](<https://evil.example>)",
    "[[nested](https://evil.example)](https://evil.example)",
    "](https://evil.example)",
    "<https://evil.example>",
    "<https://evil.example|innocent>",
    "<#123456789012345678>",
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<@&234567890123456789>",
    "<!channel>",
    "<!here>",
    "<#C123|general>",
    "@everyone",
    "@here",
    "@channel",
    "https://example.com/a_(b)",
    "\\",
    "\n",
    "\n- ",
    "\n# ",
    "\n1. ",
    "> ",
    "**",
    "_",
    "`",
    "||",
    "~~",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
]
VALUES = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), min_size=1, max_size=8
).map("".join)
ZERO_WIDTH = "\u200b"
WORD_JOINER = "\u2060"


def template_line(value: str) -> str:
    """What a template makes of one value used twice on one line."""
    return f"Name: {escape(value)} and again {escape(value)}."


def typed(value: str) -> str:
    text = f"Name: {value} and again {value}."
    return text.replace("\r\n", "\n")


# -- Discord ------------------------------------------------------------------------------------

_DISCORD_ESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")


def discord_shown(markdown: str) -> str:
    """The text a Discord client shows for escaped text: escapes resolved, no zero-width space."""
    return _DISCORD_ESCAPE.sub(r"\1", markdown).replace("@" + ZERO_WIDTH, "@")


def discord_live(markdown: str) -> list[str]:
    """Every character left unescaped that could open a masked link, a mention or a broadcast."""
    bare = _DISCORD_ESCAPE.sub("", markdown)
    found = [char for char in "[]<" if char in bare]
    # "\](" counts too: Discord reads a link label without honouring escapes
    found += ["](" for _ in re.finditer(r"\]\(", markdown)]
    found += re.findall(r"@(?:everyone|here)", bare)
    return found


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_discord_never_shows_a_live_link_or_mention(value: str) -> None:
    if ZERO_WIDTH in value:
        value = value.replace(ZERO_WIDTH, "")
    shown = to_markdown(template_line(value))
    assert discord_live(shown) == [], shown
    assert discord_shown(shown) == typed(value)
    card = card_embed(Card(template_line(value), ((template_line(value), template_line(value)),)))
    for part in (card.title or "", card.description or "", card.fields[0].name or ""):
        assert discord_live(part) == [], part


def test_discord_two_masked_links_on_one_line_are_both_dead() -> None:
    value = "[a](https://evil.example) and [b](https://evil.example)"
    shown = to_markdown(template_line(value))
    assert discord_live(shown) == []
    assert "[b](https://evil.example)" not in shown
    assert shown.count("\\[") == 4


def test_discord_channel_and_role_mentions_are_dead() -> None:
    shown = to_markdown(escape("<#123456789012345678> <@&234567890123456789> <@1234>"))
    assert discord_live(shown) == []
    assert discord_shown(shown) == "<#123456789012345678> <@&234567890123456789> <@1234>"


# -- Slack --------------------------------------------------------------------------------------


def slack_shown(mrkdwn: str) -> str:
    """The text Slack shows for escaped mrkdwn."""
    text = mrkdwn.replace("@" + WORD_JOINER, "@")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def slack_live(mrkdwn: str) -> list[str]:
    found = ["<"] if "<" in mrkdwn else []
    return found + re.findall(r"@(?:everyone|here|channel)", mrkdwn, re.IGNORECASE)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_slack_never_shows_a_live_link_or_mention(value: str) -> None:
    value = value.replace(WORD_JOINER, "")
    shown = to_mrkdwn(template_line(value))
    assert slack_live(shown) == [], shown
    assert slack_shown(shown) == typed(value)
    fallback = to_fallback(template_line(value))
    assert slack_live(fallback) == [], fallback
    card = Card(template_line(value), ((template_line(value), template_line(value)),))
    message = to_message(Reply(template_line(value), card=card))
    texts = mrkdwn_texts(message["blocks"])  # plain_text is never parsed by Slack
    assert len(texts) >= 2  # the message and the card's field
    for text in texts:
        assert slack_live(text) == [], text


def mrkdwn_texts(node: object) -> list[str]:
    if isinstance(node, list):
        return [text for item in node for text in mrkdwn_texts(item)]
    if not isinstance(node, dict):
        return []
    own = [node["text"]] if node.get("type") == "mrkdwn" else []
    return own + [text for value in node.values() for text in mrkdwn_texts(value)]
