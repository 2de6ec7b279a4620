"""Triage on the real knowledge base: symptoms reach the clinic, general questions reach the FAQ.

These messages are written for this file (not taken from the labelled sets the models are fitted on).
"""

from __future__ import annotations

import re

import pytest

URGENT = [
    "my mouth keeps filling up with blood since the op this morning",
    "the whole side of my face swelled up and now my eye wont open",
    "burning up and shivering, implant was put in on monday",
    "pain is way worse on day 4 than day 1, is that normal??",
    "still cant feel my bottom lip 3 days after the implant",
    "theres yellow stuff coming out next to my implant and it tastes foul",
    "got hives all over after taking the antibiotics the surgeon gave me",
    "my lips are puffing up since i took the new painkillers",
    "i have chest pain since the dental surgery",
    "i fainted in the car park after my implant appointment",
    "fell off my bike and hit my jaw, the implant area is bleeding",
    "i think i swallowed the healing cap",
    "my stitches came open and i can see the bone",
    "my dad cant breathe properly and his neck is swelling after his implant",
    "implnt is loose and wobbles when i touch it",
    "my implant site won't stop bleeding",
    "the swelling is getting worse and worse since yesterday",
    "I have a fever and chills after my implant",
    "severe pain in my jaw after the implant",
    "my lip is still numb two days after surgery",
    "tingling in my chin since the operation",
    "I'm having trouble breathing",
    "it hurts to swallow and it's hard to swallow",
    "there is pus coming from the implant",
    "What is a healing abutment? also my gum is bleeding heavily",
    "had the implant put in 2 days ago and the bleeding wont stop",  # "days ago" is now, not history
    "i think im having a heart attack",
    # Everyday trouble that hurt the mouth: the symptom counts, not the setting.
    "my car hit a tree and now my implant tooth is wobbly",
    "tripped on the stairs at work and smashed my face, the implant gum is bleeding loads",
    # Nothing but a call for help.
    "URGENT!!!",
    "sos please help",
]
QUESTIONS_SHARING_THEIR_WORDS = [
    "is some bleeding normal after implant surgery?",
    "how common is numbness of the lip after implants",
    "can implants get infected?",
    "does the implant operation hurt",
    "will my face swell after the surgery",
    "what happens if an implant becomes loose years later",
    "I had a heart attack two years ago, can I still get implants?",  # history, not an emergency now
    "I fainted at the dentist years ago, can I be sedated for implants?",
    "is it urgent to replace a missing tooth",  # the word, in a question about something else
    "what counts as a dental emergency",
]
OFF_TOPIC = [
    "what is the current exchange rate for euros",
    "i never got my parcel from the post office",
    "my account is frozen and i need help",
    "whats the weather like tomorrow",
    # Problems from everyday life, told the way symptoms are: not emergencies either.
    "my washing machine is leaking water everywhere",
    "i locked myself out of my flat",
    "i was charged twice for the same order",
    "my phone screen is cracked and wont turn on",
    "the lift in my building is broken",
]


@pytest.mark.parametrize("message", URGENT)
def test_urgent_symptoms_in_everyday_wording_get_the_urgent_reply(real_assistant, message):
    """Symptoms a patient has now, in lay words, texting or typos, get 'call the clinic / emergency services'."""
    reply = real_assistant.reply(message)
    assert reply.kind == "urgent", reply.reason
    assert "emergency" in reply.text and reply.entry is None
    assert [(a.kind, a.href) for a in reply.actions] == [("call", "tel:+442079460000"), ("emergency", "tel:112")]


def test_the_staff_examples_of_urgent_and_personal_messages_get_their_own_reply(real_assistant):
    """An example the staff wrote is its own kind word for word: 'emergency' or 'urgent pls' (short, with no
    symptom, which the fitted model alone reads as a question) get the call-now reply."""
    for group in real_assistant.knowledge.triage:
        for example in group.examples if group.label != "question" else ():
            reply = real_assistant.reply(example)
            assert reply.kind in ({"urgent"} if group.label == "urgent" else {"urgent", "fallback"}), (example, reply)
            assert group.label == "urgent" or reply.reason.startswith("triage:"), (example, reply.reason)


@pytest.mark.parametrize("message", QUESTIONS_SHARING_THEIR_WORDS)
def test_general_questions_that_mention_symptoms_are_not_emergencies(real_assistant, message):
    """'Is some bleeding normal?' is a question: it never gets the emergency reply."""
    assert real_assistant.reply(message).kind != "urgent"


@pytest.mark.parametrize("message", OFF_TOPIC)
def test_everyday_words_are_not_read_as_symptoms_or_topics(real_assistant, message):
    """'current' is not a typo of 'urgent', nor 'never' of 'fever', nor a leaking washing machine a symptom:
    other domains get a polite decline."""
    reply = real_assistant.reply(message)
    assert reply.kind == "fallback", reply.reason


def test_real_words_are_not_corrected_into_knowledge_base_words(real_assistant):
    """Only words that are not English are typo-corrected."""
    words = real_assistant.analyzer.analyse("current never heel implnt stiches").words
    assert words == ("current", "never", "heel", "implant", "stitches")


@pytest.mark.parametrize(
    "message",
    [
        "my healing cap came off while eating, it doesnt hurt",
        "my surgeon wants to wait 6 months for my crown, is that right",
        "my temporary tooth cracked down the middle yesterday",
        "i think my bite is off since they fitted the new tooth",
    ],
)
def test_a_personal_problem_gets_the_clinic_not_an_faq_answer(real_assistant, message):
    """A problem with the patient's own treatment is for the clinic: never an FAQ answer."""
    reply = real_assistant.reply(message)
    assert reply.kind in {"fallback", "urgent"}
    assert any(a.kind == "call" and "+44 20 7946 0000" in a.label for a in reply.actions)


def test_a_complaint_that_reads_like_a_question_gets_its_answer_and_where_help_is(real_assistant):
    """'my stitches itch a lot' is below the personal threshold and matches the stitches answer: the
    answer comes, and ends by saying whom to call if it is a problem now. A plain question gets no such line."""
    complaint = real_assistant.reply("my stitches itch a lot")
    assert complaint.kind == "answer" and complaint.entry.id == "stitches", complaint.reason
    assert complaint.text.startswith(complaint.entry.answer.strip())
    assert complaint.text.endswith("in an emergency, call emergency services.")
    assert not re.search(r"\d", complaint.plain_text.replace(complaint.entry.answer, ""))  # no number the sources lack
    question = real_assistant.reply("are stitches needed after implant surgery?")
    assert question.kind == "answer" and question.entry.id == "stitches", question.reason
    assert "problem you have now" not in question.text and question.actions == ()


def test_a_symptom_in_a_second_sentence_is_not_drowned_by_the_question(real_assistant):
    """A message that asks a question and also reports a symptom gets the urgent reply."""
    reply = real_assistant.reply("What is a healing abutment? Also my gum has been bleeding for hours and won't stop")
    assert reply.kind == "urgent"


def test_background_before_a_general_question_does_not_make_it_a_problem(real_assistant):
    """Taken alone, "My implant went in ... last month." reads like the start of a symptom report (the
    model put it at urgent 0.71 as a sentence of its own). The message as a whole is a question: it gets
    its answer, ending with where help is in case something is wrong now."""
    reply = real_assistant.reply(
        "My implant went in on the lower left last month. How long does the bone take to fuse with it?"
    )
    assert reply.kind == "answer", reply.reason
    assert reply.text.endswith("in an emergency, call emergency services."), reply.text


def test_a_sentence_alone_raises_the_message_only_when_a_rule_or_the_whole_message_says_so(real_assistant, monkeypatch):
    """Each sentence is triaged too, so that a symptom is not diluted by the rest of a long message. A
    sentence read as urgent by the fitted model counts when the whole message already reads as the
    patient's own problem, or when a staff rule or example decides it; otherwise the whole decides."""
    from faqbot.engine.triage import TriageResult

    message = "I had an implant placed in March. What is a healing abutment?"
    background = "I had an implant placed in March."

    def triage_with(whole_label: str, *, decisive: bool = False):
        def assess(text, corrected, vector):
            if text == background:
                return TriageResult("urgent", 0.9, 0.1, "triage: urgent (scripted)", decisive=decisive)
            if text == message:
                return TriageResult(whole_label, 0.0, 0.6 if whole_label == "personal" else 0.0, "scripted")
            return TriageResult("question", 0.0, 0.0, "scripted")

        monkeypatch.setattr(real_assistant.triage, "assess", assess)
        return real_assistant.reply(message)

    answered = triage_with("question")
    assert answered.kind == "answer" and answered.entry.id == "healing-abutment", answered.reason
    assert answered.text.endswith("in an emergency, call emergency services.")  # where help is, all the same
    assert triage_with("question", decisive=True).kind == "urgent"
    assert triage_with("personal").kind == "urgent"


def test_an_emergency_told_amid_an_everyday_trouble_is_still_urgent(real_assistant):
    """The whole message is closest to the staff's 'our roof is leaking' example; its last clause is a
    blow to the face with a loose, bleeding implant. The everyday trouble must not hide it."""
    message = "roof leaking in the bedroom, i tripped on the bucket and hit my face, implant feels loose now"
    assert real_assistant.reply(message).kind == "urgent"
    # An everyday trouble in clauses, which the model alone reads as urgent, is still no emergency, and no
    # problem for the clinic either: a plain decline, not "please contact the clinic about your treatment".
    trouble = "order says out for delivery since yesterday morning, still nothing and nobody answers the phone"
    corrected = real_assistant.analyzer.analyse(trouble).corrected
    triage = real_assistant.triage.assess(trouble, corrected, real_assistant.encoder.encode_one(corrected))
    assert triage.label == "question" and "closer to an everyday trouble" in triage.reason, triage
    reply = real_assistant.reply(trouble)
    assert reply.kind == "fallback" and not reply.reason.startswith("triage:"), reply.reason


@pytest.mark.parametrize(
    "message", ["how much does an implant cost", "what is the capital of France", "can I smoke after"]
)
def test_every_decline_says_what_to_do_about_a_problem_now(real_assistant, message):
    """A missed symptom still reaches help: every decline names the clinic's phone and the emergency number."""
    reply = real_assistant.reply(message)
    assert reply.kind == "fallback"
    assert "problem you have now" in reply.text and "112" in reply.text


@pytest.mark.parametrize(
    "message, intent",
    [
        ("thanks, that was really helpful", "thanks"),
        ("who made you?", "identity"),
        ("ok bye for now", "goodbye"),
        # Letters held down, and the short forms people type, are still small talk (not a decline).
        ("heyyyy", "greeting"),
        ("thank youuu", "thanks"),
        ("goood job", "thanks"),
        ("ok cheers, gotta go", "goodbye"),
        ("what sort of things do you know about", "help"),
    ],
)
def test_chit_chat_and_questions_about_the_assistant_are_small_talk(real_assistant, message, intent):
    """Praise, goodbyes and questions about the assistant itself never get an FAQ answer."""
    reply = real_assistant.reply(message)
    assert reply.kind == "smalltalk" and intent in reply.reason


@pytest.mark.parametrize("message", ["help", "help me please its bad"])
def test_asking_for_help_also_says_what_to_do_about_a_problem_now(real_assistant, message):
    """'help me please its bad' may be distress, not a question about the assistant: the reply names the clinic
    and emergency services, with both buttons."""
    reply = real_assistant.reply(message)
    assert "problem you have now" in reply.text and "emergency services" in reply.text
    assert [action.kind for action in reply.actions] == ["call", "emergency"]


@pytest.mark.parametrize(
    "message, own",
    [
        ("woke up with a rash all over", True),
        ("got hives since the antibiotics", True),
        ("been bleeding since lunch", True),
        ("i have a fever", True),
        ("is some bleeding normal after surgery", False),
        ("how long does swelling last", False),
    ],
)
def test_texting_that_drops_the_i_still_reads_as_the_patients_own_problem(real_assistant, message, own):
    """'woke up covered in itchy bumps' is about the patient as much as 'I woke up ...': the cue for
    a report of one's own problem now must not need the word 'I'."""
    query = real_assistant.analyzer.analyse(message)
    features = real_assistant.triage.features(message, query.corrected, None)
    assert features["own"] == float(own)
