"""Template rendering: lookup per platform, variations, escaping, sandbox, expressions."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError

from bot.render.formats import format_phone, format_when
from bot.render.markup import Bold, Link, Text, parse
from bot.render.templates import InlineTemplate, TemplateRenderer, TrustedText

HOSTILE = [
    "<!channel>",
    "@everyone",
    "**x**",
    "[a](http://evil)",
    "back\\slash \\*",
    "_x_ - (y)",
]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def renderer_for(tmp_path: Path, files: dict[str, str], **kwargs: object) -> TemplateRenderer:
    return TemplateRenderer(template_dirs=[write(tmp_path, files)], **kwargs)  # type: ignore[arg-type]


def inline(
    renderer: TemplateRenderer, source: str | list[str], seed: int = 0, **ctx: object
) -> str:
    return renderer.render(
        platform="slack", context=ctx, seed=seed, inline=renderer.compile_inline(source)
    )


# Escaping -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_user_values_are_escaped_and_parse_back_as_text(tmp_path, value):
    renderer = renderer_for(tmp_path, {"common/hi.j2": "Hi **{{ name }}**!\n"})
    for platform in ("slack", "discord", "console"):
        text = renderer.render(platform=platform, context={"name": value}, seed=0, template="hi")
        assert parse(text) == (Text("Hi "), Bold((Text(value),)), Text("!"))


@pytest.mark.parametrize("value", HOSTILE)
def test_user_value_in_a_link_label_stays_text(tmp_path, value):
    text = inline(TemplateRenderer(template_dirs=[]), "[{{ v }}](https://ok.example)", v=value)
    assert parse(text) == (Link((Text(value),), "https://ok.example"),)


def test_markup_filter_passes_authored_markup_through():
    renderer = TemplateRenderer(template_dirs=[])
    text = inline(renderer, "See {{ link | markup }}", link="[the guide](https://a.example)")
    assert parse(text) == (Text("See "), Link((Text("the guide"),), "https://a.example"))


def test_only_the_marked_value_is_trusted():
    renderer = TemplateRenderer(template_dirs=[])
    text = inline(renderer, "{{ (a | markup) ~ b }}", a="**a**", b="**b**")
    assert parse(text) == (Text("**a****b**"),)


def test_trusted_text_is_a_str():
    assert isinstance(TrustedText("x"), str)
    assert TrustedText("x") == "x"


def test_non_string_values_are_escaped_too():
    renderer = TemplateRenderer(template_dirs=[])
    text = inline(
        renderer, "{{ items }} {{ n }} {{ nothing }}", items=["**a**"], n=3, nothing=None
    )
    assert parse(text) == (Text("['**a**'] 3 None"),)


def test_string_literals_in_expressions_are_escaped_like_values():
    renderer = TemplateRenderer(template_dirs=[])
    assert parse(inline(renderer, '{{ "**x**" }} **y**')) == (
        Text("**x** "),
        Bold((Text("y"),)),
    )


def test_template_text_itself_is_markup():
    renderer = TemplateRenderer(template_dirs=[])
    assert parse(inline(renderer, "**{{ a }}** [x](https://x.org)", a="b")) == (
        Bold((Text("b"),)),
        Text(" "),
        Link((Text("x"),), "https://x.org"),
    )


def test_platform_escaper_override(tmp_path):
    renderer = renderer_for(
        tmp_path, {"common/hi.j2": "Hi {{ name }}"}, escapers={"console": lambda s: s.upper()}
    )
    context = {"name": "**jo**"}
    console = renderer.render(platform="console", context=context, seed=0, template="hi")
    slack = renderer.render(platform="slack", context=context, seed=0, template="hi")
    assert console == "Hi **JO**"
    assert slack == "Hi \\*\\*jo\\*\\*"


def test_escaper_override_applies_to_inline_templates():
    renderer = TemplateRenderer(template_dirs=[], escapers={"console": str})
    compiled = renderer.compile_inline("{{ v }}")
    assert renderer.render(platform="console", context={"v": "_x_"}, seed=0, inline=compiled) == (
        "_x_"
    )
    assert renderer.render(platform="slack", context={"v": "_x_"}, seed=0, inline=compiled) == (
        "\\_x\\_"
    )


# Lookup ---------------------------------------------------------------------------------------


def test_platform_override_beats_common(tmp_path):
    renderer = renderer_for(
        tmp_path, {"common/greet.j2": "common {{ x }}", "slack/greet.j2": "slack {{ x }}"}
    )
    context = {"x": 1}
    assert renderer.render(platform="slack", context=context, seed=0, template="greet") == (
        "slack 1"
    )
    assert renderer.render(platform="discord", context=context, seed=0, template="greet") == (
        "common 1"
    )


def test_lookup_tries_the_platform_in_every_dir_before_common(tmp_path):
    first = write(tmp_path / "first", {"common/a.j2": "first common", "slack/b.j2": "first slack"})
    second = write(
        tmp_path / "second",
        {"slack/a.j2": "second slack", "slack/b.j2": "second slack", "common/c.j2": "second c"},
    )
    renderer = TemplateRenderer(template_dirs=[first, second])

    def render(platform: str, name: str) -> str:
        return renderer.render(platform=platform, context={}, seed=0, template=name)

    assert render("slack", "a") == "second slack"  # a platform file anywhere beats common
    assert render("console", "a") == "first common"
    assert render("slack", "b") == "first slack"  # the first dir wins among equals
    assert render("console", "c") == "second c"


def test_missing_template_raises_template_not_found_naming_what_was_tried(tmp_path):
    renderer = renderer_for(tmp_path, {"common/other.j2": "x"})
    with pytest.raises(TemplateNotFound) as caught:
        renderer.render(platform="slack", context={}, seed=0, template="nope")
    assert "slack/nope.j2" in str(caught.value)
    assert "common/nope.j2" in str(caught.value)
    assert str(tmp_path) in str(caught.value)


def test_platform_only_template_is_missing_on_other_platforms(tmp_path):
    renderer = renderer_for(tmp_path, {"slack/only.j2": "x"})
    assert renderer.render(platform="slack", context={}, seed=0, template="only") == "x"
    with pytest.raises(TemplateNotFound):
        renderer.render(platform="console", context={}, seed=0, template="only")


def test_template_exists(tmp_path):
    renderer = renderer_for(
        tmp_path, {"common/a.j2": "", "discord/b.j2": "", "common/cards/c.j2": ""}
    )
    assert renderer.template_exists("a")
    assert renderer.template_exists("b")
    assert renderer.template_exists("cards/c")
    assert not renderer.template_exists("missing")
    assert not renderer.template_exists("../common/a")


def test_compiled_templates_are_cached(tmp_path):
    renderer = renderer_for(tmp_path, {"common/a.j2": "cached {{ x }}"})
    assert renderer.render(platform="slack", context={"x": 1}, seed=0, template="a") == "cached 1"
    (tmp_path / "common" / "a.j2").unlink()
    # No file lookup on later renders: the compiled template is reused.
    assert renderer.render(platform="slack", context={"x": 2}, seed=0, template="a") == "cached 2"


# Load-time checks -------------------------------------------------------------------------------


def test_check_template_validates_every_platform_variant(tmp_path):
    renderer = renderer_for(
        tmp_path, {"common/a.j2": "fine {{ x }}", "discord/a.j2": "line one\n{{ x | }}\n"}
    )
    with pytest.raises(TemplateSyntaxError) as caught:
        renderer.check_template("a")
    assert caught.value.lineno == 2
    assert caught.value.filename == str(tmp_path / "discord" / "a.j2")
    assert f"({tmp_path / 'discord' / 'a.j2'}, line 2)" in str(caught.value)


def test_check_template_reports_the_file_line_inside_a_later_variation(tmp_path):
    source = "one\n{# --- #}\ntwo\nthree\n{# --- #}\nfour\n{% if x %}\n"
    renderer = renderer_for(tmp_path, {"common/v.j2": source})
    with pytest.raises(TemplateSyntaxError) as caught:
        renderer.check_template("v")
    assert caught.value.lineno == 7
    assert caught.value.name == "common/v.j2"


def test_check_template_passes_for_good_templates_and_fails_for_missing(tmp_path):
    renderer = renderer_for(tmp_path, {"common/a.j2": "{{ x }}", "slack/a.j2": "{{ y }}"})
    renderer.check_template("a")  # no exception: both variants compile
    assert renderer.template_exists("a")
    with pytest.raises(TemplateNotFound):
        renderer.check_template("b")


def test_syntax_error_at_render_names_file_and_line(tmp_path):
    renderer = renderer_for(tmp_path, {"common/bad.j2": "ok\n\n{% for %}\n"})
    with pytest.raises(TemplateSyntaxError) as caught:
        renderer.render(platform="console", context={}, seed=0, template="bad")
    assert caught.value.lineno == 3
    assert caught.value.filename == str(tmp_path / "common" / "bad.j2")


def test_inline_syntax_error_raises_with_its_name():
    renderer = TemplateRenderer(template_dirs=[])
    with pytest.raises(TemplateSyntaxError) as caught:
        renderer.compile_inline(["fine", "broken {{ x "], name="flows/a.yaml: step b")
    assert str(caught.value).endswith("(flows/a.yaml: step b, line 1)")
    assert caught.value.lineno == 1


def test_inline_needs_at_least_one_text():
    with pytest.raises(ValueError):
        TemplateRenderer(template_dirs=[]).compile_inline([])


# Variations -------------------------------------------------------------------------------------


VARIANTS = "A {{ n }}\n{# --- #}\nB {{ n }}\n  {#   ---   #}  \nC {{ n }}\n"


def test_variations_are_deterministic_by_seed_and_each_is_reachable(tmp_path):
    renderer = renderer_for(tmp_path, {"common/v.j2": VARIANTS})

    def render(seed: int) -> str:
        return renderer.render(platform="slack", context={"n": 1}, seed=seed, template="v")

    seen = {render(seed) for seed in range(60)}
    assert seen == {"A 1", "B 1", "C 1"}
    assert all(render(seed) == render(seed) for seed in range(20))


def test_empty_variations_are_dropped(tmp_path):
    renderer = renderer_for(tmp_path, {"common/v.j2": "\n{# --- #}\nonly\n{# --- #}\n\n"})
    outputs = {
        renderer.render(platform="slack", context={}, seed=seed, template="v")
        for seed in range(20)
    }
    assert outputs == {"only"}


def test_separator_must_be_alone_on_its_line(tmp_path):
    renderer = renderer_for(tmp_path, {"common/v.j2": "one {# --- #} two"})
    assert renderer.render(platform="slack", context={}, seed=3, template="v") == "one  two"


def test_inline_list_variations_are_deterministic_and_reachable():
    renderer = TemplateRenderer(template_dirs=[])
    compiled = renderer.compile_inline(["Hi {{ n }}", "Hello {{ n }}"])
    assert isinstance(compiled, InlineTemplate)
    assert compiled.sources == ("Hi {{ n }}", "Hello {{ n }}")

    def render(seed: int) -> str:
        return renderer.render(platform="discord", context={"n": 2}, seed=seed, inline=compiled)

    assert {render(seed) for seed in range(40)} == {"Hi 2", "Hello 2"}
    assert [render(seed) for seed in range(10)] == [render(seed) for seed in range(10)]


# Rendering rules --------------------------------------------------------------------------------


def test_output_is_stripped_and_blocks_are_trimmed():
    renderer = TemplateRenderer(template_dirs=[])
    source = "\n  {% if on %}\n    Yes\n  {% endif %}\n  Done\n\n"
    assert inline(renderer, source, on=True) == "Yes\n  Done"


def test_undefined_variable_raises():
    renderer = TemplateRenderer(template_dirs=[])
    with pytest.raises(UndefinedError):
        inline(renderer, "Hi {{ nmae }}", name="x")


def test_undefined_attribute_raises_in_a_file_template(tmp_path):
    renderer = renderer_for(tmp_path, {"common/a.j2": "{{ user.nmae }}"})
    with pytest.raises(UndefinedError):
        renderer.render(platform="slack", context={"user": {"name": "x"}}, seed=0, template="a")


def test_render_needs_exactly_one_source():
    renderer = TemplateRenderer(template_dirs=[])
    with pytest.raises(ValueError):
        renderer.render(platform="slack", context={}, seed=0)
    with pytest.raises(ValueError):
        renderer.render(
            platform="slack", context={}, seed=0, template="a", inline=renderer.compile_inline("")
        )


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ x.__class__.__init__.__globals__ }}",
        "{{ x.__class__.__subclasses__() }}",
        "{{ items.append(1) }}",
    ],
)
def test_sandbox_blocks_unsafe_access(source):
    renderer = TemplateRenderer(template_dirs=[])
    items: list[int] = []
    with pytest.raises(SecurityError):
        inline(renderer, source, x="a", items=items)
    assert items == []


# Filters ----------------------------------------------------------------------------------------


def test_filters_argument_adds_and_overrides_filters():
    renderer = TemplateRenderer(
        template_dirs=[],
        filters={"when": lambda iso, tz=None: f"at {iso} in {tz}", "shout": str.upper},
    )
    text = inline(renderer, "{{ t | when('Europe/Berlin') }}, {{ s | shout }}", t="T", s="**hi**")
    assert text == "at T in Europe/Berlin, \\*\\*HI\\*\\*"


def test_builtin_when_formats_with_bot_values():
    renderer = TemplateRenderer(template_dirs=[])
    iso = "2030-05-01T18:30:00+02:00"
    text = inline(renderer, "{{ t | when }} / {{ t | when('America/New_York') }}", t=iso)
    expected = f"{format_when(iso)} / {format_when(iso, 'America/New_York')}"
    assert to_text(text) == expected
    assert "18:30" in to_text(text)


def test_builtin_phone_formats_with_bot_values():
    renderer = TemplateRenderer(template_dirs=[])
    text = inline(renderer, "Call {{ p | phone }}", p="+14155550100")
    assert to_text(text) == f"Call {format_phone('+14155550100')}"


def to_text(markup: str) -> str:
    nodes = parse(markup)
    assert all(isinstance(node, Text) for node in nodes)
    return "".join(node.text for node in nodes if isinstance(node, Text))


# Expressions ------------------------------------------------------------------------------------


def test_compile_expression_evaluates_conditions():
    condition = TemplateRenderer(template_dirs=[]).compile_expression('a == "x" and b > 2')
    assert condition({"a": "x", "b": 3}) is True
    assert condition({"a": "x", "b": 2}) is False
    assert condition({"a": "y", "b": 9}) is False


def test_compile_expression_supports_filters_and_defaults():
    renderer = TemplateRenderer(template_dirs=[])
    assert renderer.compile_expression('name | default("friend")')({}) == "friend"
    assert renderer.compile_expression("items | length")({"items": [1, 2]}) == 2


def test_compile_expression_raises_on_bad_syntax():
    with pytest.raises(TemplateSyntaxError):
        TemplateRenderer(template_dirs=[]).compile_expression("a ==")


def test_compile_expression_raises_on_undefined_name():
    condition = TemplateRenderer(template_dirs=[]).compile_expression('a == "x"')
    with pytest.raises(UndefinedError):
        condition({})


def test_compile_expression_is_sandboxed():
    expression = TemplateRenderer(template_dirs=[]).compile_expression("x.__class__.__mro__")
    with pytest.raises(SecurityError):
        expression({"x": ""})
