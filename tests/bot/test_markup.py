"""Neutral markup: the tree for each construct, escaping of hostile values, plain text."""

from __future__ import annotations

import random
import time

import pytest

from bot.render.markup import (
    Bold,
    Italic,
    LineBreak,
    Link,
    ListItem,
    Node,
    Text,
    escape,
    parse,
    to_plain,
)

HOSTILE = [
    "<!channel>",
    "<!here> <@U123> <#C42|general>",
    "@everyone @here",
    "**x**",
    "*bold* ~strike~ `code` ||spoiler|| # heading",
    "[a](http://evil)",
    "[click](https://evil.example/login?next=_x_)",
    "_italic_",
    "snake_case_name",
    "back\\slash \\* \\_ \\[ \\\\",
    "\\",
    "trailing backslash \\",
    "- not a list",
    "-",
    "(415) 555-0100 [ext]",
    "**unclosed [bracket _mixed",
]


def test_plain_text_is_one_text_node():
    assert parse("Hello there, how are you?") == (Text("Hello there, how are you?"),)


def test_empty_text_has_no_nodes():
    assert parse("") == ()


def test_bold_and_italic():
    assert parse("a **b** _c_ d") == (
        Text("a "),
        Bold((Text("b"),)),
        Text(" "),
        Italic((Text("c"),)),
        Text(" d"),
    )


def test_bold_and_italic_nest():
    assert parse("**a _b_ c**") == (Bold((Text("a "), Italic((Text("b"),)), Text(" c"))),)
    assert parse("_**x**_") == (Italic((Bold((Text("x"),)),)),)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a_b_c?x=1&y=*",
        "http://example.com",
        "HTTPS://EXAMPLE.COM",
        "mailto:jane@example.com",
        "tel:+14155550100",
        "https://en.wikipedia.org/wiki/Recruitment_(disambiguation)",
    ],
)
def test_link_with_allowed_scheme(url):
    assert parse(f"see [the page]({url}) now") == (
        Text("see "),
        Link((Text("the page"),), url),
        Text(" now"),
    )


def test_link_label_holds_markup():
    assert parse("[**big** _news_](https://x.org)") == (
        Link((Bold((Text("big"),)), Text(" "), Italic((Text("news"),))), "https://x.org"),
    )


def test_escapes_inside_a_link_target_are_resolved():
    assert parse(r"[x](https://x.org/a\_b\(1\))") == (Link((Text("x"),), "https://x.org/a_b(1)"),)


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](ftp://files.example.com)",
        "[x](/relative/path)",
        "[x](data:text/html,hi)",
        "[x](https://a.com/<!channel>)",
        "[x](https://a.com|evil)",
        "[x](https://a.com/with space)",
        "[x](https://)",
        "[x](https://a.com/back\\\\slash)",
    ],
)
def test_link_with_other_target_stays_text(source):
    nodes = parse(source)
    assert not any(isinstance(node, Link) for node in nodes)
    assert to_plain(source) == source.replace("\\\\", "\\")


def test_empty_link_label_stays_text():
    assert parse("[](https://x.org)") == (Text("[](https://x.org)"),)


def test_links_do_not_nest():
    assert parse("[a [b](http://u) c](http://v)") == (
        Text("[a "),
        Link((Text("b"),), "http://u"),
        Text(" c](http://v)"),
    )


def test_list_items_and_line_breaks():
    assert parse("Next:\n- call **back**\n- check\n\nDone") == (
        Text("Next:"),
        LineBreak(),
        ListItem((Text("call "), Bold((Text("back"),)))),
        LineBreak(),
        ListItem((Text("check"),)),
        LineBreak(),
        LineBreak(),
        Text("Done"),
    )


def test_dash_without_space_or_not_at_line_start_is_text():
    assert parse("-5 degrees") == (Text("-5 degrees"),)
    assert parse("a - b") == (Text("a - b"),)


def test_windows_line_ends_are_line_breaks():
    assert parse("a\r\nb") == (Text("a"), LineBreak(), Text("b"))


@pytest.mark.parametrize(
    "source",
    [
        "**open",
        "close**",
        "_open",
        "a_b_c",
        "2 ** 3 ** 4",
        "a _ b _ c",
        "****",
        "__",
        "[label",
        "label]",
        "[a](",
        "[a]",
        "[a] (https://x.org)",
        "a * b * c",
    ],
)
def test_unbalanced_or_unflanked_markers_are_plain_text(source):
    assert parse(source) == (Text(source),)


def test_markers_that_cross_leave_the_inner_one_as_text():
    assert parse("**a _b** c_") == (Bold((Text("a _b"),)), Text(" c_"))


@pytest.mark.parametrize("char", list("*_[]()\\<>@`#~|-"))
def test_every_escape_makes_its_character_literal(char):
    assert parse(f"a\\{char}b") == (Text(f"a{char}b"),)


def test_backslash_before_another_character_is_literal():
    assert parse(r"C:\Users\new") == (Text(r"C:\Users\new"),)


def test_escaped_markers_do_not_pair():
    assert parse(r"\*\*not bold\*\* \_no\_ \[no\](https://x.org)") == (
        Text("**not bold** _no_ [no](https://x.org)"),
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_escaped_hostile_value_parses_back_as_its_own_text(value):
    assert parse(escape(value)) == (Text(value),)


@pytest.mark.parametrize("value", HOSTILE)
def test_escaped_value_stays_literal_inside_template_markup(value):
    # Bold around the value keeps working, and nothing in the value becomes markup of its own.
    assert parse(f"Hi **{escape(value)}**!") == (Text("Hi "), Bold((Text(value),)), Text("!"))
    assert parse(f"[{escape(value)}](https://ok.example)") == (
        Link((Text(value),), "https://ok.example"),
    )


def test_escaped_multiline_value_keeps_line_breaks_but_starts_no_list():
    assert parse(escape("first\n- second\n**third**")) == (
        Text("first"),
        LineBreak(),
        Text("- second"),
        LineBreak(),
        Text("**third**"),
    )


def test_escape_leaves_ordinary_text_alone():
    assert escape("Jane Doe, +1 415-555-0100, jane@example.com") == (
        "Jane Doe, +1 415-555-0100, jane@example.com"
    )


def test_escaped_url_value_works_as_a_link_target():
    url = "https://example.com/jobs/senior_dev_(remote)"
    assert parse(f"[the job]({escape(url)})") == (Link((Text("the job"),), url),)


def test_round_trip_of_random_strings_of_special_characters():
    rng = random.Random(20240501)
    alphabet = "ab *_[]()\\<>@-:/.ht"
    for _ in range(500):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 25)))
        assert parse(escape(value)) == (Text(value),), value


def test_parse_never_fails_on_random_markup():
    rng = random.Random(7)
    alphabet = ["**", "_", "[", "](https://x.org)", "](", ")", "\\", "a", " ", "\n", "- "]
    for _ in range(500):
        source = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        nodes = parse(source)
        assert nodes == parse(source)  # deterministic, and no exception
        assert all(isinstance(node, Node) for node in nodes)


def _depth(node: Node) -> int:
    children: tuple[Node, ...] = ()
    if isinstance(node, Bold | Italic | ListItem):
        children = node.children
    elif isinstance(node, Link):
        children = node.label_children
    return 1 + max((_depth(child) for child in children), default=0)


def test_hostile_input_is_fast_and_nesting_is_bounded():
    nested = "**a _b [c " * 2000 + " d](https://x.org)" + " e_ f**" * 2000
    brackets = "[" * 5000 + "**x**" * 5000
    # CPU time of this process, so other processes on a busy machine do not count.
    started = time.process_time()
    trees = [parse(nested), parse(brackets), parse("**_[" * 5000)]
    elapsed = time.process_time() - started
    # Linear work: well under a second even on a slow CI machine (quadratic would take minutes).
    assert elapsed < 2.0
    assert max(_depth(node) for tree in trees for node in tree) <= 9


def test_to_plain_drops_markers_and_spells_out_links():
    source = "**Call back** _today_:\n- [LinkedIn](https://linkedin.com)\n- [https://a.io](https://a.io)"
    assert (
        to_plain(source) == "Call back today:\n• LinkedIn (https://linkedin.com)\n• https://a.io"
    )


def test_to_plain_shows_escaped_characters_literally():
    assert to_plain(escape("**x** [a](http://evil) <!channel>")) == (
        "**x** [a](http://evil) <!channel>"
    )


def test_nodes_are_frozen_values():
    node = Bold((Text("x"),))
    assert node == Bold((Text("x"),))
    assert hash(node) == hash(Bold((Text("x"),)))
    with pytest.raises(AttributeError):
        node.children = ()  # type: ignore[misc]
