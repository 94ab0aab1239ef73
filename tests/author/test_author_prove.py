"""The authoring loop proves a draft that checks clean, and feeds a failed proof back like a diagnostic."""

from __future__ import annotations

import anthropic

from author_fakes import GOOD_SPEC, fenced, message
from scaleenv_dsl.author import author_domain, decide, review_draft

# GOOD_SPEC's notes store, with a tool that can fail and a task whose gold action calls it
DRAFT = GOOD_SPEC + '''
tool rename(note_id: ref Note "The note id.", text: str "The new text.") -> Note "The note." {
  "Change a note's text, of at most ten characters."
  let note = notes[note_id]
  require len(text) <= 10 else "Text is too long"
  note.text = text
  return note
}

task rename_note {
  "Rename the shopping note."
  knows note_id = "n1"
  knows text = %(text)s
  initial {"notes": {"n1": {"note_id": "n1", "text": "shopping"}}}
  action rename(note_id="n1", text=%(text)s)
  reward state, goal
  goal notes["n1"].text == %(text)s
}
'''
FAILING = DRAFT % {"text": '"groceries for the week"'}
PROVING = DRAFT % {"text": '"groceries"'}


def test_a_draft_whose_gold_action_fails_is_not_done():
    review = review_draft(FAILING, "notes.sedl")
    assert not review.ok and review.stage == "prover"
    (found,) = review.diagnostics
    lines = FAILING.split("\n")
    action_line = next(n for n, line in enumerate(lines, 1) if "action rename" in line)
    guard_line = next(n for n, line in enumerate(lines, 1) if "require len(text)" in line)
    assert found.code == "step-fails" and (found.span.file, found.span.line) == ("notes.sedl", action_line)
    assert f"fails guard rename#4 (notes.sedl:{guard_line}:3): Text is too long" in found.message
    feedback = decide([{"role": "assistant", "content": fenced(FAILING)}], lambda d: review).feedback
    assert "The prover found 1 error" in feedback and "error[step-fails]" in feedback
    assert '"code": "step-fails"' in feedback


def test_a_draft_whose_tasks_prove_is_done():
    assert review_draft(PROVING, "notes.sedl").ok


def test_the_loop_repairs_a_draft_until_its_proof_holds(api):
    api.script = [message(fenced(FAILING)), message(fenced(PROVING))]
    client = anthropic.Anthropic(api_key="k", base_url=api.url, max_retries=0)

    result = author_domain("notes that can be renamed", client=client, model="m")

    assert result.ok and result.rounds == 2 and result.spec == PROVING
    repair = api.requests[1]["body"]["messages"][-1]["content"]
    assert "error[step-fails]" in repair and "Text is too long" in repair
