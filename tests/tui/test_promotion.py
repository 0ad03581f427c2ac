"""Promotion from the keyboard: the dialog shows the diff first, the explain-back gate
holds, the transcript shows the promotion and the kernel's verdict, blame and undo work."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Checkbox, Input

from pairrepl.core.proposals import ProposalState
from pairrepl.core.transcript import PromotionItem
from pairrepl.tui.promotion import BlameScreen, PromoteScreen
from tests.tui.conftest import Harness, widget_text
from tests.tui.test_ai import ai_app, answered, notifications, proposal, ran

CODE = "def shout(text):\n    return text.upper() + '!'\n"


async def test_promote_from_the_dialog_then_blame_and_undo(tmp_path: Path) -> None:
    async with ai_app(
        tmp_path, {"propose_cell": {"code": CODE, "rationale": "Make it loud."}}
    ) as tui:
        await tui.type("/a function that shouts")
        await tui.pilot.press("enter")
        item = proposal(tui, await answered(tui, 1))
        await tui.pilot.press("ctrl+r")
        await ran(tui, item)
        await tui.pilot.press("ctrl+t")
        await tui.wait_until(lambda: item.proposal.state is ProposalState.ACCEPTED)

        await tui.pilot.press("ctrl+s")
        await tui.wait_until(lambda: isinstance(tui.app.screen, PromoteScreen))
        dialog = tui.app.screen
        assert isinstance(dialog, PromoteScreen)
        assert "Which file?" in widget_text(dialog.query_one("#promote-summary"))
        target = dialog.query_one("#promote-target", Input)
        target.value = "loud.py"  # typed, not submitted: Ctrl+S plans first, writes nothing
        await tui.pilot.press("ctrl+s")
        await tui.pilot.pause()
        assert "Planned again" in notifications(tui)
        assert "adds: shout" in widget_text(dialog.query_one("#promote-summary"))
        assert "+def shout(text):" in widget_text(dialog.query_one("#promote-diff"))

        await tui.pilot.press("ctrl+s")  # no explanation yet: the gate holds
        await tui.pilot.pause()
        assert "in your own words" in notifications(tui)
        assert not (tmp_path / "loud.py").exists()
        why = dialog.query_one("#promote-why", Input)
        why.focus()
        await tui.pilot.press(*"upper-cases and adds a bang")
        await tui.pilot.press("enter")
        await tui.wait_until(lambda: bool(tui.session.transcript.promotions))
        (promotion,) = tui.session.transcript.promotions.values()
        await tui.wait_until(lambda: bool(promotion.reload_report))
        await tui.settle()
        assert (tmp_path / "loud.py").read_text() == CODE
        assert item.proposal.state is ProposalState.PROMOTED
        text = tui.transcript_text()
        assert "⇪ promoted shout → loud.py · ai" in text
        assert "explained: upper-cases and adds a bang" in text
        assert "shout: agrees" in text

        await tui.pilot.press("f2")
        await tui.wait_until(lambda: isinstance(tui.app.transcript.selected_item, PromotionItem))
        await tui.pilot.press("b")
        await tui.wait_until(lambda: isinstance(tui.app.screen, BlameScreen))
        blame = widget_text(tui.app.screen.query_one("#blame-lines"))
        assert "ai" in blame and "a function that shouts" in blame
        await tui.pilot.press("escape")
        await tui.pilot.press("u")
        await tui.wait_until(lambda: promotion.undone)
        assert not (tmp_path / "loud.py").exists()  # it created the file; undo removes it
        assert item.proposal.state is ProposalState.ACCEPTED


async def test_replacing_a_definition_in_the_dialog_needs_the_ticked_yes(
    tui: Harness, tmp_path: Path
) -> None:
    """Issue 16 item 2: the dialog says what a promotion replaces and asks before it."""
    (tmp_path / "loud.py").write_text(CODE)
    await tui.run("def shout(text):\n    return text.upper() + '!!!'\n")
    await tui.pilot.press("ctrl+s")
    await tui.wait_until(lambda: isinstance(tui.app.screen, PromoteScreen))
    dialog = tui.app.screen
    assert isinstance(dialog, PromoteScreen)
    dialog.query_one("#promote-target", Input).value = "loud.py"
    await tui.pilot.press("ctrl+s")  # plans for the typed target first
    await tui.pilot.pause()
    assert "replaces: `shout` (2 lines → 2)" in widget_text(dialog.query_one("#promote-summary"))
    yes = dialog.query_one("#promote-confirm", Checkbox)
    assert yes.display and "This replaces `shout` (2 lines → 2) in loud.py." in str(yes.label)

    await tui.pilot.press("ctrl+s")  # not ticked: nothing is written
    await tui.pilot.pause()
    assert "Tick the box" in notifications(tui)
    assert (tmp_path / "loud.py").read_text() == CODE
    yes.value = True
    await tui.pilot.press("ctrl+s")
    await tui.wait_until(lambda: bool(tui.session.transcript.promotions))
    assert "'!!!'" in (tmp_path / "loud.py").read_text()


async def test_a_cell_of_asserts_is_offered_as_a_test(tui: Harness) -> None:
    """It holds no definitions: the dialog says so and puts the focus on 'as a test'."""
    await tui.run("def double(x):\n    return 2 * x\n", key="ctrl+j")
    checks = await tui.run("assert double(2) == 4")
    await tui.pilot.press("f2")  # the transcript, the latest item selected: the asserts
    assert tui.app.transcript.selected_item is checks
    await tui.pilot.press("s")
    await tui.wait_until(lambda: isinstance(tui.app.screen, PromoteScreen))
    dialog = tui.app.screen
    assert isinstance(dialog, PromoteScreen)
    target = dialog.query_one("#promote-target", Input)
    target.value = "calc.py"
    target.focus()
    await tui.pilot.press("enter")  # planned for that file
    await tui.pilot.pause()
    assert "promote it as a test" in widget_text(dialog.query_one("#promote-summary"))
    as_test = dialog.query_one("#promote-as-test", Checkbox)
    assert dialog.focused is as_test
    await tui.pilot.press("space")  # ticks it, and the dialog plans it as a test
    await tui.wait_until(lambda: as_test.value)
    await tui.pilot.press("escape")
