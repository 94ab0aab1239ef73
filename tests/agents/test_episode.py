"""Episodes and the scripted user, without any model: turns, endings and what reaches the reward."""

from __future__ import annotations

import pytest

from scaleenv_dsl import ir, load_domain
from scaleenv_dsl.rollout.episode import Episode
from scaleenv_dsl.rollout.users import STOP_TOKEN, ScriptedUser, UserReply, split_stop

RETAIL_FACTS = {"first_name": "Yusuf", "last_name": "Rossi", "zip": "19122", "order_id": "#W2378156"}


@pytest.fixture(scope="module")
def library():
    return load_domain("library")


def scripted(knows: dict) -> ScriptedUser:
    user = ScriptedUser()
    user.start(ir.TaskDef(name="exchange", instruction="Exchange an item.", knows=knows))
    return user


@pytest.mark.parametrize("question, answer", [
    ("What is your name?", "First name: Yusuf. Last name: Rossi."),
    ("Your order id and zip, please.", "Zip: 19122. Order id: #W2378156."),   # in the order of `knows`
    ("Which zip code?", "Zip: 19122."),
    ("Which order is it about?", "Order id: #W2378156."),
    ("What is the order_id?", "Order id: #W2378156."),
    ("Is there an ID on your card?", "Yes, please go ahead."),    # "id" alone asks for nothing
    ("I have cancelled it.", "Thank you, that is all I needed."),
])
def test_the_scripted_user_states_the_facts_a_message_asks_for(question, answer):
    assert scripted(RETAIL_FACTS).reply(question).text == answer


def test_the_scripted_user_stops_only_when_it_has_nothing_to_answer():
    user = scripted(RETAIL_FACTS)
    assert not user.reply("Your zip?").stop and not user.reply("Shall I go on?").stop
    assert user.reply("All done.").stop


def test_the_stop_token_anywhere_ends_and_is_taken_out():
    assert split_stop(f"Thanks! {STOP_TOKEN}") == UserReply("Thanks!", stop=True)
    assert split_stop("  Thanks!  ") == UserReply("Thanks!")


def test_an_episode_counts_turns_and_ends_at_the_limit(library):
    episode = Episode(library.env(), library.task("return_late_senior"), ScriptedUser(), max_turns=2)
    assert (episode.turns, episode.over, episode.events[0]["role"]) == (0, False, "user")
    episode.call("find_member_by_email", {"email": "grace@example.org"})
    episode.say("What day is it today?")
    assert (episode.turns, episode.ending, episode.truncated) == (2, "max_turns", True)
    assert episode.score().reward == 0.0 and episode.score().result.differences  # cut: 0, and the parts say why
    with pytest.raises(RuntimeError, match="the episode is over"):
        episode.say("hello?")


def test_the_agents_stop_token_ends_it_and_its_words_still_count(library):
    episode = Episode(library.env(), library.task("return_late_senior"), ScriptedUser(), max_turns=10)
    episode.call("return_book", {"loan_id": "l_002", "today": 112})
    assert episode.say(f"You owe 0.2. {STOP_TOKEN}") is None
    assert episode.ending == "agent_stop" and episode.events[-1] == {"role": "agent", "text": "You owe 0.2."}
    assert episode.score().reward == 1.0


def test_a_call_with_arguments_no_tool_takes_matches_no_gold_action(library):
    task = library.task("pay_fine_with_credit")  # reward state, actions
    episode = Episode(library.env(), task, ScriptedUser(), max_turns=10)
    assert not episode.call("pay_fine", [1, 2]).ok
    for action in task.actions:
        episode.call(action.tool, action.arguments)
    episode.say("Done.")
    assert episode.score().reward == 1.0


@pytest.mark.parametrize("limit", [0, -1, 2.5, "3", True])
def test_the_turn_limit_must_be_a_positive_whole_number(library, limit):
    with pytest.raises(ValueError, match="max_turns must be a whole number"):
        Episode(library.env(), library.task("return_late_senior"), ScriptedUser(), max_turns=limit)
