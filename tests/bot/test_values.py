"""Reading typed answers: every ask kind with valid, unreadable and rule-breaking answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.answers import datetimes
from bot.answers.choices import match_choice
from bot.answers.parse import Invalid, Parsed, ParseOutcome, Unparsed, parse_answer
from bot.answers.zones import parse_time_zone
from bot.flow.model import ASK_KINDS, ChoiceOption, Rule
from bot.render.formats import format_phone, format_when

NEW_YORK = "America/New_York"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo(NEW_YORK))  # Monday 10:00
RULE = Rule()
CHOICES = (
    ChoiceOption("at_work", "I'm at work", match=("busy", "office")),
    ChoiceOption("free", "I can talk"),
    ChoiceOption("later", "Call me later"),
)


def parse(
    kind: str, text: str, rule: Rule = RULE, choices: Sequence[ChoiceOption] = ()
) -> ParseOutcome:
    return parse_answer(kind, text, rule=rule, now=NOW, choices=choices)


def when(
    text: str, *, now: datetime = NOW, zone: str | None = NEW_YORK, rule: Rule = RULE
) -> ParseOutcome:
    return parse_answer("datetime", text, rule=rule, now=now, time_zone=zone)


def iso_of(text: str, now: datetime) -> object:
    result = when(text, now=now)
    assert isinstance(result, Parsed), result
    return result.value


def test_every_ask_kind_has_a_parser() -> None:
    for kind in ASK_KINDS:
        assert isinstance(parse(kind, "", choices=CHOICES), Unparsed), kind


def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown ask kind 'colour'"):
        parse("colour", "red")


# --- text -----------------------------------------------------------------------------------


def test_text_is_stripped() -> None:
    assert parse("text", "  Acme Corp \n") == Parsed("Acme Corp", "Acme Corp")


def test_empty_text_is_unparsed() -> None:
    assert parse("text", "   ") == Unparsed("Please type an answer.")


def test_text_lengths_name_the_limit() -> None:
    assert parse("text", "hi", Rule(min_length=3)) == Invalid(
        "Please write at least 3 characters (that was 2)."
    )
    assert parse("text", "abcdef", Rule(max_length=5)) == Invalid(
        "Please keep it to 5 characters (that was 6)."
    )
    assert parse("text", "x" * 500) == Parsed("x" * 500, "x" * 500)
    assert parse("text", "x" * 501) == Invalid("Please keep it to 500 characters (that was 501).")


# --- choice ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", "free"),
        ("#3", "later"),
        ("option 1", "at_work"),
        ("at_work", "at_work"),
        ("AT WORK", "at_work"),
        ("I'm at work", "at_work"),
        ("i'm at work!", "at_work"),
        ("  im   AT work.  ", "at_work"),
        ("i\u2019m at work", "at_work"),
        ("busy", "at_work"),
        ("Office", "at_work"),
        ("call me later", "later"),
    ],
)
def test_a_choice_is_matched_by_number_id_label_or_match_word(text: str, expected: str) -> None:
    option = match_choice(text, CHOICES)
    assert option is not None
    assert option.id == expected


def test_a_choice_answer_holds_the_id_and_shows_the_label() -> None:
    assert parse("choice", "2", choices=CHOICES) == Parsed("free", "I can talk")


def test_a_label_wins_over_an_option_number() -> None:
    options = (ChoiceOption("none", "0"), ChoiceOption("one", "1"), ChoiceOption("more", "2+"))
    picked = match_choice("1", options)
    assert picked is not None
    assert picked.id == "one"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("can talk", "free"), ("work", "at_work"), ("i can talk", "free"), ("call me", "later")],
)
def test_words_of_one_label_name_that_option(text: str, expected: str) -> None:
    """Typed words found, in order, in exactly one label name it (issue 9: "can talk")."""
    option = match_choice(text, CHOICES)
    assert option is not None and option.id == expected


def test_words_in_several_labels_name_none() -> None:
    options = (ChoiceOption("yes", "I'm interested"), ChoiceOption("no", "Not interested"))
    assert match_choice("interested", options) is None
    assert match_choice("not", options) == options[1]


@pytest.mark.parametrize("text", ["4", "0", "tuesday", "maybe", "", "!!!", "i", "talk you"])
def test_an_unknown_choice_is_unparsed_with_the_labels(text: str) -> None:
    assert match_choice(text, CHOICES) is None
    assert parse("choice", text, choices=CHOICES) == Unparsed(
        "Please pick one of: I'm at work, I can talk or Call me later (or type its number)."
    )


# --- yes / no -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["yes", "Y", "yeah", "yep", "yup", "sure", "OK", "okay", "of course", "Definitely!",
     "please do", "yes please", "Yes, call me tomorrow", "no problem", "\N{THUMBS UP SIGN}"],
)  # fmt: skip
def test_yes(text: str) -> None:
    assert parse("yesno", text) == Parsed(True, "Yes")


@pytest.mark.parametrize(
    "text",
    ["no", "N", "nope", "nah", "not really", "No thanks.", "no thank you", "No, I'm busy",
     "never", "\N{THUMBS DOWN SIGN}"],
)  # fmt: skip
def test_no(text: str) -> None:
    assert parse("yesno", text) == Parsed(False, "No")


@pytest.mark.parametrize("text", ["maybe", "yes and no", "no, yes", "tomorrow", "", "?"])
def test_neither_yes_nor_no_is_unparsed(text: str) -> None:
    assert parse("yesno", text) == Unparsed("Please answer yes or no.")


# --- number ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("42", 42), ("3.5", 3.5), ("1,200", 1200), ("-3", -3), ("+7", 7), ("3.0", 3), (".5", 0.5),
     ("-1,234,567.25", -1234567.25)],
)  # fmt: skip
def test_numbers(text: str, value: float) -> None:
    result = parse("number", text)
    assert result == Parsed(value, str(value))
    assert isinstance(result, Parsed)
    assert type(result.value) is type(value)


@pytest.mark.parametrize("text", ["abc", "1e5", "1,5", "12,34", "nan", "inf", "9" * 20, "", "--3"])
def test_what_is_not_a_number_is_unparsed(text: str) -> None:
    assert parse("number", text) == Unparsed("Please type a number, like 42 or 3.5.")


def test_number_rules_name_the_bound() -> None:
    assert parse("number", "11", Rule(min=1, max=10)) == Invalid(
        "Please pick a number from 1 to 10."
    )
    assert parse("number", "-1", Rule(min=0)) == Invalid("Please pick a number of at least 0.")
    assert parse("number", "100", Rule(max=99.5)) == Invalid(
        "Please pick a number of at most 99.5."
    )
    assert parse("number", "10", Rule(min=1, max=10)) == Parsed(10, "10")


def test_integer_rule_refuses_fractions() -> None:
    assert parse("number", "2.5", Rule(integer=True)) == Invalid("Please type a whole number.")
    assert parse("number", "2.0", Rule(integer=True)) == Parsed(2, "2")


# --- scale ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["4", "4/5", "4 / 5", "4 out of 5", "four", "Four!", "4.0"])
def test_scale_answers(text: str) -> None:
    assert parse("scale", text) == Parsed(4, "4 out of 5")


@pytest.mark.parametrize("text", ["0", "6", "3.5", "ten"])
def test_scale_out_of_range_is_invalid(text: str) -> None:
    assert parse("scale", text) == Invalid("Please pick a whole number from 1 to 5.")


def test_scale_with_another_denominator_is_invalid() -> None:
    assert parse("scale", "8/10") == Invalid(
        "This scale goes from 1 to 5. Please pick a whole number from 1 to 5."
    )


@pytest.mark.parametrize("text", ["great", "", "4 stars please"])
def test_scale_unreadable(text: str) -> None:
    assert parse("scale", text) == Unparsed("Please pick a whole number from 1 to 5.")


def test_scale_bounds_come_from_the_rule() -> None:
    assert parse("scale", "0", Rule(min=0, max=10)) == Parsed(0, "0 out of 10")
    assert parse("scale", "ten", Rule(min=0, max=10)) == Parsed(10, "10 out of 10")
    assert isinstance(parse("scale", "11", Rule(min=0, max=10)), Invalid)


# --- phone ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "region", "e164", "display"),
    [
        ("+1 415 555 0100", None, "+14155550100", "+1 415-555-0100"),
        ("+1 (415) 555-0100", None, "+14155550100", "+1 415-555-0100"),
        ("(415) 555-0100", "US", "+14155550100", "+1 415-555-0100"),
        ("415.555.0100", "us", "+14155550100", "+1 415-555-0100"),
        ("+44 20 7946 0958", "US", "+442079460958", "+44 20 7946 0958"),
        ("0044 20 7946 0958", None, "+442079460958", "+44 20 7946 0958"),
        ("020 7946 0958", "GB", "+442079460958", "+44 20 7946 0958"),
        ("tel:+49 30 901820", None, "+4930901820", "+49 30 901820"),
    ],
)
def test_phone_numbers(text: str, region: str | None, e164: str, display: str) -> None:
    assert parse("phone", text, Rule(region=region)) == Parsed(e164, display)


@pytest.mark.parametrize("text", ["123", "call me", "+1 415 CALL NOW", "", "555-01"])
def test_what_is_not_a_phone_number_is_unparsed(text: str) -> None:
    assert parse("phone", text) == Unparsed(
        "That doesn't look like a phone number. Please type it like +1 415 555 0100."
    )


def test_a_number_without_country_code_needs_one_when_there_is_no_region() -> None:
    result = parse("phone", "(415) 555-0100")
    assert isinstance(result, Unparsed)
    assert "country code" in result.reason
    assert "+44" in result.reason


@pytest.mark.parametrize(
    "text", ["+1 123 456 7890", "+999 12345678", "+44 20 7946", "+1 415 555 01000"]
)
def test_an_impossible_phone_number_is_invalid(text: str) -> None:
    assert parse("phone", text) == Invalid(
        "That doesn't look like a valid phone number. Please check the digits and the country "
        "code."
    )


def test_format_phone() -> None:
    assert format_phone("+14155550100") == "+1 415-555-0100"
    assert format_phone("+442079460958") == "+44 20 7946 0958"
    assert format_phone("not a number") == "not a number"


# --- e-mail ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("jane@example.com", "jane@example.com"),
        ("Jane.Doe@Example.COM", "Jane.Doe@example.com"),
        ("<jane@example.org>", "jane@example.org"),
        ("mailto:jane@example.org", "jane@example.org"),
    ],
)
def test_email_addresses_are_normalised(text: str, address: str) -> None:
    assert parse("email", text) == Parsed(address, address)


def test_text_without_at_is_not_an_email() -> None:
    assert parse("email", "jane at example dot com") == Unparsed(
        "That doesn't look like an e-mail address. Please type it like name@example.com."
    )


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("jane@localhost", "The part after the @ is not valid. It should have a period."),
        ("jane@exa mple.com", "The part after the @ contains invalid characters: SPACE."),
        ("ja ne@example.com", "The address contains invalid characters before the @: SPACE."),
    ],
)
def test_bad_email_syntax_is_invalid_with_a_friendly_reason(text: str, detail: str) -> None:
    assert parse("email", text) == Invalid(f"That e-mail address doesn't look right. {detail}")


# --- url ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("example.com", "https://example.com"),
        ("www.example.com/jobs/123", "https://www.example.com/jobs/123"),
        ("http://example.com", "http://example.com"),
        ("HTTPS://jobs.example.co.uk/a?b=c#d", "HTTPS://jobs.example.co.uk/a?b=c#d"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("<https://example.com/x>.", "https://example.com/x"),
    ],
)
def test_links(text: str, url: str) -> None:
    assert parse("url", text) == Parsed(url, url)


@pytest.mark.parametrize(
    "text", ["", "not a link", "example .com", "localhost", "https://", "http://x:port/"]
)
def test_what_is_not_a_link_is_unparsed(text: str) -> None:
    assert isinstance(parse("url", text), Unparsed)


@pytest.mark.parametrize("text", ["ftp://example.com", "mailto:jane@example.com", "javascript:x"])
def test_only_web_links_are_accepted(text: str) -> None:
    assert parse("url", text) == Invalid("Only web links (http:// or https://) work here.")


# --- date-times -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("tomorrow 6pm", "2026-11-24T18:00:00-05:00"),
        ("tomorrow 18:30", "2026-11-24T18:30:00-05:00"),
        ("Tue 18:30", "2026-11-24T18:30:00-05:00"),
        ("tuesday at 6:30pm", "2026-11-24T18:30:00-05:00"),
        ("in 2 hours", "2026-11-23T12:00:00-05:00"),
        ("in 30 minutes", "2026-11-23T10:30:00-05:00"),
        ("tonight", "2026-11-23T20:00:00-05:00"),
        ("today 5pm", "2026-11-23T17:00:00-05:00"),
        ("6pm", "2026-11-23T18:00:00-05:00"),
        ("18:30", "2026-11-23T18:30:00-05:00"),
        ("next monday 9am", "2026-11-30T09:00:00-05:00"),
        ("friday at 5", "2026-11-27T17:00:00-05:00"),
        ("at 7", "2026-11-23T19:00:00-05:00"),
        ("24 Nov 18:30", "2026-11-24T18:30:00-05:00"),
        ("2026-11-24 18:30", "2026-11-24T18:30:00-05:00"),
        # and the forms around them
        ("2026-11-24T18:30", "2026-11-24T18:30:00-05:00"),
        ("Tue, 24 Nov, 18:30", "2026-11-24T18:30:00-05:00"),
        ("November 24th at 6:30 p.m.", "2026-11-24T18:30:00-05:00"),
        ("6pm tomorrow", "2026-11-24T18:00:00-05:00"),
        ("18:30 on Friday", "2026-11-27T18:30:00-05:00"),
        ("tomorrow at 9", "2026-11-24T09:00:00-05:00"),
        ("tomorrow 6:30", "2026-11-24T18:30:00-05:00"),
        ("tomorrow 07:30", "2026-11-24T07:30:00-05:00"),
        ("at 9", "2026-11-23T21:00:00-05:00"),
        ("at 11", "2026-11-23T11:00:00-05:00"),
        ("9am", "2026-11-24T09:00:00-05:00"),
        ("10h", "2026-11-24T10:00:00-05:00"),
        ("18h30", "2026-11-23T18:30:00-05:00"),
        ("noon", "2026-11-23T12:00:00-05:00"),
        ("midnight", "2026-11-24T00:00:00-05:00"),
        ("tuesday midnight", "2026-11-25T00:00:00-05:00"),
        ("tonight at 9", "2026-11-23T21:00:00-05:00"),
        ("tomorrow morning", "2026-11-24T09:00:00-05:00"),
        ("tomorrow afternoon", "2026-11-24T15:00:00-05:00"),
        ("this evening", "2026-11-23T18:00:00-05:00"),
        ("day after tomorrow 3pm", "2026-11-25T15:00:00-05:00"),
        ("monday 5pm", "2026-11-23T17:00:00-05:00"),
        ("monday 9am", "2026-11-30T09:00:00-05:00"),
        ("this friday 4pm", "2026-11-27T16:00:00-05:00"),
        ("in an hour", "2026-11-23T11:00:00-05:00"),
        ("in half an hour", "2026-11-23T10:30:00-05:00"),
        ("in two hours", "2026-11-23T12:00:00-05:00"),
        ("3 hours from now", "2026-11-23T13:00:00-05:00"),
        ("in 3 days", "2026-11-26T10:00:00-05:00"),
        ("in 1 week", "2026-11-30T10:00:00-05:00"),
    ],
)
def test_datetime_phrases(text: str, iso: str) -> None:
    result = when(text)
    assert isinstance(result, Parsed), result
    assert result.value == iso
    assert result.display == format_when(iso, NEW_YORK)


def test_datetime_display() -> None:
    # said as people in New York say it, without naming their own zone
    assert when("tomorrow 18:30") == Parsed(
        "2026-11-24T18:30:00-05:00", "Tuesday 24 November, 6:30 pm"
    )
    assert when("tomorrow 18:30", zone="Europe/Berlin") == Parsed(
        "2026-11-24T18:30:00+01:00", "Tuesday 24 November, 18:30"
    )


def test_the_common_forms_never_reach_dateparser(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dateparser(text: str, now: datetime) -> None:
        raise AssertionError(f"{text!r} went to dateparser")

    monkeypatch.setattr(datetimes, "_slow_datetime", no_dateparser)
    fast = ["tomorrow 6pm", "Tue 18:30", "in 2 hours", "friday at 5", "at 7", "24 Nov 18:30",
            "2026-11-24 18:30", "next monday 9am", "tonight", "whenever", "idk", ""]  # fmt: skip
    for text in fast:
        assert isinstance(when(text), Parsed | Unparsed), text


def test_phrases_outside_the_grammar_fall_back_to_dateparser() -> None:
    # An explicit zone in the answer is converted to the user's.
    result = when("tomorrow 6pm PST")
    assert isinstance(result, Parsed)
    assert result.value == "2026-11-24T21:00:00-05:00"


@pytest.mark.parametrize(
    "text", ["whenever", "idk", "", "   ", "asap", "whenever you want", "?", "tomorrow 25:00"]
)
def test_what_is_not_a_time_is_unparsed(text: str) -> None:
    result = when(text)
    assert isinstance(result, Unparsed)
    assert result.reason.startswith("I couldn't read that as a date and time.")


def test_a_day_without_a_time_asks_for_the_time() -> None:
    assert when("tomorrow") == Unparsed(
        'What time on Tuesday 24 November? For example "tomorrow 18:30".'
    )
    assert when("Dec 1") == Unparsed(
        'What time on Tuesday 1 December? For example "tomorrow 18:30".'
    )


def test_past_times_are_refused() -> None:
    assert when("today 9am") == Invalid(
        "That time has already passed (it was Monday 23 November, 9 am). Pick a time from now on."
    )
    assert when("2026-11-20 18:30") == Invalid(
        "That time has already passed (it was Friday 20 November, 6:30 pm). "
        "Pick a time from now on."
    )
    assert isinstance(when("in 0 minutes"), Invalid)
    assert isinstance(when("yesterday 5pm"), Invalid)  # through dateparser


def test_past_times_are_allowed_when_the_rule_says_so() -> None:
    result = when("today 9am", rule=Rule(future=False))
    assert result == Parsed("2026-11-23T09:00:00-05:00", "Monday 23 November, 9 am")


def test_impossible_dates_are_invalid() -> None:
    assert when("31 Feb 10am") == Invalid("There is no 31 February. Which day did you mean?")
    assert when("Tue 25 Nov 18:00") == Invalid("25 November 2026 is a Wednesday, not a Tuesday.")


def test_a_date_that_has_passed_this_year_means_next_year() -> None:
    december = datetime(2026, 12, 10, 9, 0, tzinfo=ZoneInfo(NEW_YORK))
    assert when("24 Nov 18:30", now=december) == Parsed(
        "2027-11-24T18:30:00-05:00",
        "Wednesday 24 November 2027, 6:30 pm",
        confirm=True,  # almost a year ahead: more often a slip than a plan, so it is confirmed
    )


def test_a_time_that_has_passed_today_means_tomorrow() -> None:
    evening = datetime(2026, 11, 23, 20, 0, tzinfo=ZoneInfo(NEW_YORK))
    result = when("18:30", now=evening)
    assert isinstance(result, Parsed)
    assert result.value == "2026-11-24T18:30:00-05:00"


def test_now_in_another_zone_is_converted_to_the_users() -> None:
    now_utc = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 10:00 in New York
    result = when("today 5pm", now=now_utc)
    assert isinstance(result, Parsed)
    assert result.value == "2026-11-23T17:00:00-05:00"


def test_without_a_time_zone_times_are_utc() -> None:
    result = when("tomorrow 18:30", zone=None)
    assert result == Parsed("2026-11-24T18:30:00+00:00", "Tuesday 24 November, 18:30")


def test_offsets_follow_daylight_saving_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    summer = when(
        "24 Jun 18:30", now=datetime(2026, 6, 1, 9, 0, tzinfo=berlin), zone="Europe/Berlin"
    )
    assert isinstance(summer, Parsed)
    assert summer.value == "2026-06-24T18:30:00+02:00"
    # EU clocks go back on Sunday 25 October 2026.
    saturday = datetime(2026, 10, 24, 10, 0, tzinfo=berlin)
    result = when("tomorrow 10:00", now=saturday, zone="Europe/Berlin")
    assert isinstance(result, Parsed)
    assert result.value == "2026-10-25T10:00:00+01:00"


def test_spring_forward_in_new_york() -> None:
    # US clocks go forward at 02:00 on Sunday 14 March 2027.
    saturday = datetime(2027, 3, 13, 12, 0, tzinfo=ZoneInfo(NEW_YORK))
    assert iso_of("tomorrow 10am", saturday) == "2027-03-14T10:00:00-04:00"
    # 02:30 does not exist that night: it moves forward by the gap.
    assert iso_of("tomorrow 2:30am", saturday) == "2027-03-14T03:30:00-04:00"
    # "in N days" keeps the wall time; "in N hours" is real time.
    assert iso_of("in 1 day", saturday) == "2027-03-14T12:00:00-04:00"
    one_am = datetime(2027, 3, 14, 1, 0, tzinfo=ZoneInfo(NEW_YORK))
    assert iso_of("in 2 hours", one_am) == "2027-03-14T04:00:00-04:00"


def test_an_unknown_time_zone_name_is_read_as_free_text() -> None:
    result = when("tomorrow 18:30", zone="new york")
    assert result == Parsed("2026-11-24T18:30:00-05:00", "Tuesday 24 November, 6:30 pm")


# --- format_when ----------------------------------------------------------------------------


def test_format_when() -> None:
    iso = "2026-11-24T18:30:00-05:00"
    assert format_when(iso, NEW_YORK) == "Tuesday 24 November, 6:30 pm"
    assert format_when(iso, NEW_YORK, named=True) == "Tuesday 24 November, 6:30 pm, New York time"
    assert format_when(iso, "Europe/Berlin") == "Wednesday 25 November, 00:30"
    assert format_when(iso, "Etc/UTC", named=True) == "Tuesday 24 November, 23:30, UTC"
    assert format_when("2026-11-24T12:00:00-05:00", NEW_YORK) == "Tuesday 24 November, 12 pm"
    assert format_when("2026-11-24T00:05:00-05:00", NEW_YORK) == "Tuesday 24 November, 12:05 am"
    assert format_when(iso) == "Tuesday 24 November, 18:30 (UTC-05:00)"
    assert format_when("2026-11-24T18:30:00+00:00") == "Tuesday 24 November, 18:30 (UTC)"
    assert format_when("2026-11-24T18:30:00+05:30") == "Tuesday 24 November, 18:30 (UTC+05:30)"
    assert format_when("2026-11-24T18:30:00") == "Tuesday 24 November, 18:30"
    assert (
        format_when("2026-11-24T18:30:00", "Asia/Tokyo", named=True)
        == "Tuesday 24 November, 18:30, Tokyo time"
    )


def test_format_when_shows_the_year_only_when_it_is_not_nows() -> None:
    iso = "2027-01-04T18:30:00+01:00"
    assert format_when(iso, "Europe/Berlin", now=NOW) == "Monday 4 January 2027, 18:30"
    assert format_when(iso, "Europe/Berlin") == "Monday 4 January, 18:30"


def test_format_when_leaves_other_text_alone() -> None:
    assert format_when("soon", NEW_YORK) == "soon"


@pytest.mark.parametrize(
    "text",
    ["EST", "pst", "CET", "new york", "nyc", "bay area", "bangalore", "UTC+5:30", "UTC-3",
     "gmt+14", "lisbon", "Berlin, Germany", "pacific time", "Asia/Kathmandu", "utc"],
)  # fmt: skip
def test_every_zone_the_coach_stores_is_one_format_when_shows(text: str) -> None:
    # format_when (bot.render) reads IANA names only; what a person types goes through
    # parse_time_zone first, so the time shows in their zone, named as their zone.
    zone = parse_time_zone(text)
    assert zone is not None
    shown = format_when("2026-11-24T18:30:00+00:00", zone, named=True)
    assert shown.endswith(", UTC" if zone in ("UTC", "Etc/GMT") else " time"), shown
    assert format_when("2026-11-24T18:30:00+00:00", "not a zone", named=True).endswith(", UTC")


# --- time zones -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("America/New_York", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("GMT+2", "Etc/GMT-2"),
        ("UTC-5", "Etc/GMT+5"),
        ("utc +10", "Etc/GMT-10"),
        ("+03:00", "Etc/GMT-3"),
        ("UTC+0", "UTC"),
        ("UTC+5:30", "Asia/Kolkata"),
        ("EST", "America/New_York"),
        ("EDT", "America/New_York"),
        ("cst", "America/Chicago"),
        ("MST", "America/Denver"),
        ("PST", "America/Los_Angeles"),
        ("PDT", "America/Los_Angeles"),
        ("CET", "Europe/Berlin"),
        ("CEST", "Europe/Berlin"),
        ("GMT", "Europe/London"),
        ("BST", "Europe/London"),
        ("IST", "Asia/Kolkata"),
        ("JST", "Asia/Tokyo"),
        ("AEST", "Australia/Sydney"),
        ("new york", "America/New_York"),
        ("New York City", "America/New_York"),
        ("London", "Europe/London"),
        ("berlin", "Europe/Berlin"),
        ("San Francisco", "America/Los_Angeles"),
        ("paris", "Europe/Paris"),
        ("tokyo", "Asia/Tokyo"),
        ("sydney", "Australia/Sydney"),
        ("bangalore", "Asia/Kolkata"),
        ("toronto", "America/Toronto"),
        ("chicago", "America/Chicago"),
        ("los angeles", "America/Los_Angeles"),
        ("seattle", "America/Los_Angeles"),
        ("denver", "America/Denver"),
        ("amsterdam", "Europe/Amsterdam"),
        ("dublin", "Europe/Dublin"),
        ("singapore", "Asia/Singapore"),
        ("lisbon", "Europe/Lisbon"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("Berlin, Germany", "Europe/Berlin"),
        ("eastern time", "America/New_York"),
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("in London", "Europe/London"),
        # typed by people and refused (or read as Perth) before
        ("São Paulo", "America/Sao_Paulo"),
        ("Zürich", "Europe/Zurich"),
        ("Bogotá", "America/Bogota"),
        ("München", "Europe/Berlin"),
        ("Kraków", "Europe/Warsaw"),
        ("UTC\u22125", "Etc/GMT+5"),
        ("Indian Standard Time", "Asia/Kolkata"),
        ("British Summer Time", "Europe/London"),
        ("east coast", "America/New_York"),
        ("west coast", "America/Los_Angeles"),
        ("new jersey", "America/New_York"),
        ("Philippines", "Asia/Manila"),
    ],
)
def test_parse_time_zone(text: str, zone: str) -> None:
    assert parse_time_zone(text) == zone
    assert ZoneInfo(zone)  # a real IANA zone


@pytest.mark.parametrize(
    "text",
    ["", "atlantis", "whenever", "UTC+15", "GMT-13", "UTC+5:17",
     "west", "east", "north", "south", "jersey"],  # legacy Australia/West, Brazil/East...
)  # fmt: skip
def test_unknown_time_zones(text: str) -> None:
    assert parse_time_zone(text) is None
