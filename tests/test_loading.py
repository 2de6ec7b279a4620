"""Loading and validating the knowledge folder."""

from __future__ import annotations

import pytest

from faqbot.engine.knowledge import Replies
from faqbot.engine.loading import KnowledgeError, load_knowledge


def _edit(path, old, new):
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_tiny_knowledge_loads(tiny_dir):
    """A valid folder loads every entry, passage and rule."""
    kb = load_knowledge(tiny_dir)
    assert [e.id for e in kb.entries] == ["watering", "sunlight", "yellow-leaves", "feeding", "seedlings"]
    assert kb.passage("gg-sun").section == "Light"
    assert [p.id for p in kb.cited_passages(kb.entry("watering"))] == ["gg-water"]
    assert [e.id for e in kb.entries_citing("gg-feed")] == ["yellow-leaves", "feeding"]
    assert kb.synonyms["love apple"] == "tomato"


BROKEN = [
    # (file, text to replace, replacement, expected message fragment)
    ("faq/plants.toml", 'id = "sunlight"', 'id = "watering"', "[watering]: duplicate entry id"),
    (
        "faq/plants.toml",
        'passages = ["gg-water"]',
        'passages = ["gg-rain"]',
        "[watering]: cites unknown passage 'gg-rain'",
    ),
    (
        "faq/plants.toml",
        'question = "How often should I water tomato plants?"',
        'question = ""',
        "[watering]: 'question' is missing or empty",
    ),
    (
        "faq/plants.toml",
        'answer = "Feed them with compost once the first flowers appear."',
        "",
        "[feeding]: 'answer' is missing or empty",
    ),
    (
        "faq/plants.toml",
        '"tomatoes in a shady garden"',
        '"Watering schedule for tomatoes!"',
        "[sunlight]: phrasing 'Watering schedule for tomatoes!' is the same as a phrasing of 'watering'",
    ),
    (
        "faq/plants.toml",
        '"water tomatoes how often"]',
        '"Tomato watering frequency?"]',
        "[watering]: phrasing 'Tomato watering frequency?' repeats 'tomato watering frequency' of the same entry",
    ),
    (
        "faq/plants.toml",
        'related = ["sunlight"]',
        'related = ["pruning"]',
        "[watering]: related entry 'pruning' does not exist",
    ),
    ("faq/plants.toml", 'related = ["sunlight"]', 'relatd = ["sunlight"]', "[watering]: unknown field 'relatd'"),
    ("faq/plants.toml", '"water tomatoes how often"]', "]", "[watering]: has 7 alternates; write at least 8"),
    (
        "faq/plants.toml",
        "every two days in summer.",
        "every three days in summer.",
        "[watering]: answer says '3', which none of its cited passages says",
    ),
    ("faq/plants.toml", 'id = "feeding"', 'id = "Feeding Time"', "entry id 'Feeding Time' must be lower-case"),
    ("faq/plants.toml", '[[entry]]\nid = "watering"', '[[entry]\nid = "watering"', "faq/plants.toml: cannot be parsed"),
    ("sources/garden.toml", 'id = "gg-sun"', 'id = "gg-water"', "[gg-water]: duplicate passage id"),
    ("sources/garden.toml", 'title = "A Short Guide to Tomatoes"', "", "'title' is missing or empty"),
    (
        "synonyms.toml",
        'compost = ["fertiliser"',
        'compost = ["irrigate", "fertiliser"',
        "[terms.compost]: 'irrigate' is listed for both 'water' and 'compost'",
    ),
    ("urgent.toml", 'groups = [["fever*"]]', "groups = []", "[fever]: 'groups' must be a list"),
    (
        "urgent.toml",
        'groups = [["fever*"]]',
        'groups = [["fever*"]]\nalone_with = "please"',
        "[fever]: 'alone_with' must be a list of texts",
    ),
    ("smalltalk.toml", 'reply = "You\'re welcome."', 'reply = ""', "[thanks]: 'reply' is missing or empty"),
    (
        "smalltalk.toml",
        'suggestions = ["watering",',
        'suggestions = ["pruning",',
        "welcome suggestion 'pruning' is not an entry id",
    ),
    ("triage.toml", 'label = "personal"', 'label = "later"', "[cap-off]: label 'later' must be one of: urgent"),
    (
        "triage.toml",
        'label = "personal"',
        'label = "personal"\nnot_about_health = "yes"',
        "[cap-off]: 'not_about_health' must be true or false",
    ),
    (
        "triage.toml",
        'label = "personal"',
        'label = "personal"\nnot_about_health = true',
        "[cap-off]: 'not_about_health' belongs to a group with label 'question'",
    ),
    (
        "triage.toml",
        'examples = ["my healing cap came off this morning",',
        'examples = ["i have a fever and chills after my implant",',
        "example 'i have a fever and chills after my implant' is also in group 'fever'",
    ),
    ("replies.toml", 'clarify = "', 'clarification = "', "unknown reply 'clarification'"),
    ("replies.toml", 'clarify = "', 'clarify = ""\nunused = "', "[clarify]: 'clarify' is missing or empty"),
    (
        "replies.toml",
        "please contact {clinic_name}.",
        "please call {clinic_phone} or {emergency_number}.",
        "reply 'answer_problem_now' may name {clinic_name} only, not {clinic_phone}",
    ),
    (
        "replies.toml",
        'clarify = "',
        'answer_part_not_covered = "For {about}, call {clinic_phone}."\nclarify = "',
        "reply 'answer_part_not_covered' may name {clinic_name} and {about} only, not {clinic_phone}",
    ),
]


@pytest.mark.parametrize("file, old, new, expected", BROKEN, ids=[b[3][:40] for b in BROKEN])
def test_each_problem_is_reported_with_file_and_item(tiny_dir, file, old, new, expected):
    """Every kind of mistake is reported naming the file, the entry or item, and the problem."""
    _edit(tiny_dir / file, old, new)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tiny_dir)
    messages = [str(p) for p in caught.value.problems]
    assert any(expected in m for m in messages), messages
    assert any(m.startswith(f"knowledge/{file}") for m in messages), messages


def test_unparsable_file_names_its_line(tiny_dir):
    """A TOML syntax error says which line to look at."""
    path = tiny_dir / "faq/plants.toml"
    _edit(path, 'id = "sunlight"', 'id = "sunlight"\nthis is not toml')
    line = path.read_text().splitlines().index("this is not toml") + 1
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tiny_dir)
    assert f"(at line {line}," in str(caught.value)


def test_every_problem_is_listed_not_just_the_first(tiny_dir):
    """Three separate mistakes in two files give three problems in one run."""
    _edit(tiny_dir / "faq/plants.toml", 'passages = ["gg-water"]', 'passages = ["gg-rain"]')
    _edit(tiny_dir / "faq/plants.toml", 'related = ["yellow-leaves"]', 'related = ["nope"]')
    _edit(tiny_dir / "sources/garden.toml", 'title = "A Short Guide to Tomatoes"', 'title = " "')
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tiny_dir)
    assert len(caught.value.problems) == 3
    assert "3 problem(s)" in str(caught.value)


@pytest.mark.parametrize("missing", ["urgent.toml", "smalltalk.toml", "synonyms.toml", "triage.toml", "replies.toml"])
def test_required_files_must_exist(tiny_dir, missing):
    """The safety rules, small talk and synonyms are required: a missing file is a problem, not a silent gap."""
    (tiny_dir / missing).unlink()
    with pytest.raises(KnowledgeError, match=f"{missing}: file is missing"):
        load_knowledge(tiny_dir)


def test_missing_folder_is_a_clear_error(tmp_path):
    """Pointing at a folder that does not exist says so."""
    with pytest.raises(KnowledgeError, match="knowledge folder not found"):
        load_knowledge(tmp_path / "nowhere")


def test_a_replies_file_written_before_a_reply_was_added_still_loads(tiny_dir):
    """Clinics' own replies.toml (and published versions in the database) predate the not-covered-part
    ending: without it the folder loads, with the default wording."""
    assert "answer_part_not_covered" not in (tiny_dir / "replies.toml").read_text()
    replies = load_knowledge(tiny_dir).replies
    assert replies.answer_part_not_covered == Replies().answer_part_not_covered
