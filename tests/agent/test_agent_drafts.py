"""Reading a proposal out of a reply: tool arguments and markdown fences."""

from __future__ import annotations

import pytest

from pairrepl.agent import ToolCall
from pairrepl.agent.drafts import check_fenced_code, check_tool_calls, python_fences
from pairrepl.core import ProposalPolicy

POLICY = ProposalPolicy()


def call(arguments: str, name: str = "propose_cell") -> ToolCall:
    return ToolCall(name, arguments, "id1")


def test_good_arguments():
    checked = check_tool_calls([call('{"code": "x = 1", "rationale": "why"}')], POLICY)
    assert checked.ok and checked.draft is not None
    assert (checked.draft.code, checked.draft.rationale) == ("x = 1", "why")


@pytest.mark.parametrize(
    ("calls", "problem"),
    [
        ([call('{"code": "x = 1"')], "not valid JSON"),
        ([call('["x = 1"]')], "must be a JSON object"),
        ([call('{"code": 1, "rationale": "r"}')], "'code' must be a string"),
        ([call('{"code": "x = 1", "rationale": 3}')], "'rationale' must be a string"),
        ([call('{"code": "x = 1", "rationale": "r"}', name="run_cell")], "no tool named"),
        (
            [call('{"code": "a", "rationale": ""}'), call('{"code": "b", "rationale": ""}')],
            "at most one",
        ),
        ([call('{"code": "def f(:", "rationale": "r"}')], "does not parse"),
        ([call('{"code": "  ", "rationale": "r"}')], "empty"),
        (
            [call('{"code": "def f(): pass\\ndef g(): pass", "rationale": "r"}')],
            "one at a time",
        ),
    ],
)
def test_bad_arguments_say_why(calls, problem):
    checked = check_tool_calls(calls, POLICY)
    assert not checked.ok and checked.draft is None
    assert problem in "; ".join(checked.problems)


def test_a_missing_rationale_is_not_worth_a_second_request():
    """The agent gives such a draft the reply's own words as its rationale."""
    checked = check_tool_calls([call('{"code": "x = 1"}')], POLICY)
    assert checked.draft is not None and checked.draft.rationale == ""


def test_code_wrapped_in_a_fence_inside_the_tool_is_unwrapped():
    checked = check_tool_calls(
        [call('{"code": "```python\\nx = 1\\n```", "rationale": "r"}')], POLICY
    )
    assert checked.draft is not None and checked.draft.code == "x = 1"


def test_fences_of_other_languages_are_prose():
    assert python_fences("Run:\n```bash\npip install x\n```\nthen\n```text\nout\n```") == []
    assert check_fenced_code("no code at all", POLICY) is None


def test_two_python_fences_are_not_one_cell():
    checked = check_fenced_code("```python\na = 1\n```\nand\n```python\nb = 2\n```", POLICY)
    assert checked is not None and "2 code blocks" in checked.problems[0]


def test_a_four_backtick_fence_may_hold_triple_backticks():
    text = '````python\ndoc = """\n```\nnot a fence end\n```\n"""\n````'
    assert python_fences(text) == ['doc = """\n```\nnot a fence end\n```\n"""']


def test_markdown_fence_holding_a_python_fence():
    assert python_fences("````markdown\n```python\nx = 1\n```\n````") == ["x = 1"]


def test_fenced_proposal_takes_the_prose_as_rationale():
    checked = check_fenced_code("Counts them.\n```py\nlen(prices)\n```", POLICY)
    assert checked is not None and checked.draft is not None
    assert checked.draft.rationale == "Counts them." and checked.draft.via == "fence"
