"""Every action of the app and its keys, written down once.

The app's bindings, the help screen (F1) and the command palette (Ctrl+P) are all made
from ``ACTIONS``, so they cannot disagree. Keys were chosen to work in plain terminals and
inside tmux with default settings: no action needs Ctrl+Enter or Shift+Enter (most
terminals send the same byte as Enter for both). Ctrl+J sends a line feed, which every
terminal and tmux pass through as a key of its own, and the F-keys pass through tmux too.

The AI's actions use F3/F4 and Ctrl+letters the input does not already use (TextArea
takes A, C, D, E, K, U, V, W, X, Y, Z; tmux takes B). F10-F12 are avoided: common
terminal emulators keep them (menu, full screen, drop-down).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class AppAction:
    """One thing the human can do, with the keys that do it."""

    action: str  # the App's ``action_<name>``; "" for keys handled inside a widget
    keys: tuple[str, ...]  # Textual key names; the first is the one shown
    title: str
    help: str
    bound: bool = True  # False: handled by a widget (Enter, Up/Down in the input)
    priority: bool = False  # True: wins over the focused widget's own use of the key
    in_palette: bool = True
    footer: str = ""  # a short name for the footer line; "" keeps it out of the footer
    scope: str = "app"  # "transcript" / "variables" / "inspector": bound there only (plain keys)


ACTIONS: tuple[AppAction, ...] = (
    AppAction(
        "",
        ("enter",),
        "Run or new line",
        "Run the input when it is a complete statement (as IPython decides); otherwise insert a new line. Input starting with / is a request to the AI, never Python.",
        bound=False,
        in_palette=False,
        footer="run",
    ),
    AppAction(
        "force_run",
        ("ctrl+j", "f5", "shift+enter"),
        "Run the input now",
        "Run the input even if it looks incomplete (Shift+Enter too where the terminal tells it from Enter).",
        priority=True,
        footer="force run",
    ),
    AppAction(
        "ask",
        ("f3",),
        "Ask the AI",
        "Send the input as a request to the AI (so does Enter on input that starts with /). The reply streams into the transcript and may end in a proposal; nothing runs.",
        priority=True,
        footer="ask",
    ),
    AppAction(
        "run_proposal",
        ("ctrl+r",),
        "Run the proposal",
        "Run the proposal in the review pane as it is (origin ai). Only you ever run it.",
        priority=True,
    ),
    AppAction(
        "edit_proposal",
        ("ctrl+o",),
        "Edit the proposal",
        "Open the proposal's code in the input; running your edit records it as ai-edited. Escape drops the edit.",
        priority=True,
    ),
    AppAction(
        "reject_proposal",
        ("ctrl+g",),
        "Reject the proposal",
        "Turn the proposal down, with an optional reason the AI reads next time.",
        priority=True,
    ),
    AppAction(
        "accept_proposal",
        ("ctrl+t",),
        "Accept the proposal",
        "Keep a proposal after it ran without error and you looked at what it did.",
        priority=True,
    ),
    AppAction(
        "follow_up",
        ("f4",),
        "Follow up on the proposal",
        "Ask the AI again about the proposal in the review pane, with the input as your question.",
        priority=True,
    ),
    AppAction(
        "fix",
        ("ctrl+f",),
        "Fix the latest error",
        "Ask the AI about the traceback of the latest cell that raised.",
        priority=True,
    ),
    AppAction(
        "add_note",
        ("ctrl+n",),
        "Add the input as a note",
        "Keep the input as a markdown note (never run); the AI reads notes as context.",
        priority=True,
    ),
    AppAction(
        "toggle_hint_mode",
        ("ctrl+l",),
        "Hint mode on / off",
        "In hint mode the AI answers with hints and questions instead of code.",
        priority=True,
    ),
    AppAction(
        "interrupt",
        ("ctrl+c",),
        "Interrupt the kernel or stop the reply",
        "While the AI answers: stop its reply (what arrived is kept, marked partial). Otherwise stop the running cell (KeyboardInterrupt in the kernel). Never quits, never copies.",
        priority=True,
        footer="interrupt",
    ),
    AppAction(
        "restart_kernel",
        ("f8",),
        "Restart the kernel",
        "Start a fresh kernel after a confirmation: the variables are lost, nothing re-runs by itself.",
        priority=True,
    ),
    AppAction(
        "rerun_lost_cells",
        ("f9",),
        "Re-run the cells lost with the kernel",
        "After a restart or a resume: run again, in order, the cells that had run without error.",
        priority=True,
    ),
    AppAction(
        "run_next_loaded",
        ("f6",),
        "Run the next loaded cell",
        "Run the next cell loaded from a notebook (--from) that has not run yet.",
        priority=True,
    ),
    AppAction(
        "run_all_loaded",
        ("f7",),
        "Run all loaded cells",
        "Run the loaded notebook cells in order, stopping at the first that fails.",
        priority=True,
    ),
    AppAction(
        "",
        ("up", "down"),
        "Walk input history",
        "On the first (last) line of the input: the previous (next) input. Elsewhere: move the cursor.",
        bound=False,
        in_palette=False,
    ),
    AppAction(
        "promote",
        ("ctrl+s",),
        "Promote the last good cell",
        "Write the definitions of the newest cell that ran without error into a project file: a dialog shows the target, what goes in and the exact diff first. AI code must be accepted; AI-verbatim code needs one line in your own words.",
        footer="promote",
    ),
    AppAction(
        "undo_promotion",
        (),
        "Undo the last promotion",
        "Put the file of the newest promotion back exactly as it was, if nobody changed it since (otherwise a refusal shows what changed).",
    ),
    AppAction(
        "toggle_focus",
        ("f2",),
        "Switch input / transcript / variables",
        "Move from the input to the transcript (Up/Down or k/j select an item, PageUp/PageDown scroll), then to the variables pane, then back; Escape goes back to the input.",
        priority=True,
    ),
    AppAction(
        "toggle_variables",
        ("f10",),
        "Show / hide the variables pane",
        "The variables pane starts hidden on a terminal under 100 columns; this shows it (or hides it, at any size) to give the transcript the room.",
        priority=True,
    ),
    AppAction(
        "",
        ("tab",),
        "Complete",
        "In the input, after a name or a dot: the kernel's completions (one is put in; several are listed, Tab / Shift+Tab choose, Enter keeps, Escape closes). At the start of a line: indent.",
        bound=False,
        in_palette=False,
    ),
    AppAction(
        "",
        ("?",),
        "Help on an object: obj? / obj??",
        "Type obj? (signature, docstring) or obj?? (source too) and press Enter: the kernel's inspection shows in a panel above the input; nothing runs as a cell. Escape closes it.",
        bound=False,
        in_palette=False,
    ),
    AppAction(
        "",
        ("enter",),
        "Inspect the selected variable",
        "In the variables pane (F2 twice, or a click): open the inspector on the name under the cursor.",
        bound=False,
        in_palette=False,
        scope="variables",
    ),
    AppAction(
        "inspect_last_error",
        ("e",),
        "Inspect the last error",
        "In the variables pane: open the inspector on the exception of the latest cell that raised (sys.last_value), with its traceback.",
        scope="variables",
    ),
    AppAction(
        "inspector_open",
        ("enter",),
        "Open the selected entry",
        "In the inspector: look into the selected attribute or item the same way (on the last row: load the next page).",
        in_palette=False,
        scope="inspector",
    ),
    AppAction(
        "inspector_back",
        ("backspace", "left"),
        "Back along the breadcrumb",
        "In the inspector: back to the object this one was opened from (at the root: close).",
        in_palette=False,
        scope="inspector",
    ),
    AppAction(
        "inspector_refresh",
        ("r",),
        "Inspect again",
        "In the inspector: ask the kernel again (the object as it is now).",
        in_palette=False,
        scope="inspector",
    ),
    AppAction(
        "inspector_values",
        ("v",),
        "Read the values",
        "In the inspector, on an array that lives on an accelerator (GPU, TPU): read its "
        "statistics and a corner, if its device is idle. Never done unasked: a read waits "
        "for all the work queued on the device.",
        in_palette=False,
        scope="inspector",
    ),
    AppAction(
        "",
        ("tab",),
        "Details / list",
        "In the inspector: move between the details (scroll them with the arrows) and the list of items or attributes.",
        bound=False,
        in_palette=False,
        scope="inspector",
    ),
    AppAction(
        "inspector_close",
        ("escape", "q"),
        "Close the inspector",
        "In the inspector: back to where you were.",
        in_palette=False,
        scope="inspector",
    ),
    AppAction(
        "select_previous",
        ("up", "k"),
        "Select the item above",
        "In the transcript: select the item above (the keys for it show under it).",
        in_palette=False,
        scope="transcript",
    ),
    AppAction(
        "select_next",
        ("down", "j"),
        "Select the item below",
        "In the transcript: select the item below.",
        in_palette=False,
        scope="transcript",
    ),
    AppAction(
        "item_copy",
        ("enter",),
        "Copy the selected cell to the input",
        "In the transcript: put the selected cell's code in the input and go back to it.",
        scope="transcript",
    ),
    AppAction(
        "item_pin",
        ("p",),
        "Pin / unpin the selected item",
        "In the transcript: keep the selected cell or note in the AI's context always (again: back to normal).",
        scope="transcript",
    ),
    AppAction(
        "item_hide",
        ("h",),
        "Hide / unhide the selected item from the AI",
        "In the transcript: leave the selected cell or note out of the AI's context (again: back to normal).",
        scope="transcript",
    ),
    AppAction(
        "item_edit_request",
        ("e",),
        "Edit the selected request",
        "In the transcript: rewrite the selected exchange's request as the AI sees it from now on (the original is kept).",
        scope="transcript",
    ),
    AppAction(
        "item_edit_reply",
        ("E",),
        "Edit the selected reply",
        "In the transcript: rewrite the selected exchange's AI reply as the AI sees it from now on (the original is kept).",
        scope="transcript",
    ),
    AppAction(
        "item_run",
        ("r",),
        "Run / retry the selected item",
        "In the transcript: run the selected loaded cell, or ask the selected request again.",
        scope="transcript",
    ),
    AppAction(
        "item_fix",
        ("f",),
        "Fix the selected cell",
        "In the transcript: ask the AI about the traceback of the selected cell that raised.",
        scope="transcript",
    ),
    AppAction(
        "item_promote",
        ("s",),
        "Promote the selected cell",
        "In the transcript: promote the selected cell (it must have run without error) into a project file, after showing the diff.",
        scope="transcript",
    ),
    AppAction(
        "item_undo_promotion",
        ("u",),
        "Undo the selected promotion",
        "In the transcript: put the selected promotion's file back exactly as it was before it.",
        scope="transcript",
    ),
    AppAction(
        "item_blame",
        ("b",),
        "Blame the selected promotion's file",
        "In the transcript: show each line of the file the selected promotion wrote to, with who wrote it (human, ai, ai-edited) and the request behind it.",
        scope="transcript",
    ),
    AppAction(
        "scroll_transcript_up",
        ("pageup",),
        "Scroll the transcript up",
        "Scroll the transcript one page up.",
        priority=True,
        in_palette=False,
    ),
    AppAction(
        "scroll_transcript_down",
        ("pagedown",),
        "Scroll the transcript down",
        "Scroll the transcript one page down (it follows new output again at the bottom).",
        priority=True,
        in_palette=False,
    ),
    AppAction(
        "help", ("f1",), "Help", "Show this list of actions and keys.", priority=True, footer="help"
    ),
    AppAction(
        "command_palette",
        ("ctrl+p",),
        "Command palette",
        "Search and run any action by name.",
        bound=False,
        in_palette=False,
        footer="commands",
    ),
    AppAction(
        "quit",
        ("ctrl+q",),
        "Quit",
        "Close the session (recorded in the ledger) and stop the kernel we started.",
        priority=True,
        footer="quit",
    ),
)


def key_label(key: str) -> str:
    """How a key is written for people: ``ctrl+j`` → ``Ctrl+J``, ``f5`` → ``F5``."""
    names = {
        "pageup": "PageUp",
        "pagedown": "PageDown",
        "enter": "Enter",
        "escape": "Escape",
        "backspace": "Backspace",
        "tab": "Tab",
    }
    if len(key) == 1:  # a plain letter, as typed in the transcript: ``p``, ``E`` is Shift+E
        return f"Shift+{key}" if key.isupper() else key
    return "+".join(names.get(part, part.capitalize()) for part in key.split("+"))


def keys_label(action: AppAction) -> str:
    """The keys of an action; an action without keys is found in the palette."""
    return " / ".join(key_label(key) for key in action.keys) or "Ctrl+P"


def app_bindings() -> list[Binding]:
    return [
        Binding(
            ",".join(action.keys),
            action.action,
            action.title,
            show=False,
            priority=action.priority,
            key_display=key_label(action.keys[0]),
        )
        for action in ACTIONS
        if action.bound and action.keys and action.scope == "app"
    ]


def transcript_bindings() -> list[Binding]:
    """The keys of the transcript's focus: plain letters, acting on the selected item."""
    return [
        Binding(
            ",".join(action.keys),
            f"app.{action.action}",
            action.title,
            show=False,
            key_display=key_label(action.keys[0]),
        )
        for action in ACTIONS
        if action.bound and action.scope == "transcript"
    ]


def variables_bindings() -> list[Binding]:
    """The keys of the variables pane (Enter and clicks open a name: the table's own)."""
    return [
        Binding(",".join(action.keys), f"app.{action.action}", action.title, show=False)
        for action in ACTIONS
        if action.bound and action.scope == "variables"
    ]


def inspector_bindings() -> list[Binding]:
    """The inspector screen's keys; its actions are the screen's own ``action_<name>``."""
    return [
        Binding(
            ",".join(action.keys),
            action.action,
            action.title,
            show=False,
            priority=action.keys[0] == "enter",  # over the table's own Enter
        )
        for action in ACTIONS
        if action.bound and action.scope == "inspector"
    ]


def inspector_footer() -> str:
    """``Enter open · Backspace back · r again · v values · Escape close``."""
    short = {
        "inspector_open": "open",
        "inspector_back": "back",
        "inspector_refresh": "again",
        "inspector_values": "values",
        "inspector_close": "close",
        "": "details/list",
    }
    return " · ".join(
        f"{key_label(action.keys[0])} {short[action.action]}"
        for action in ACTIONS
        if action.scope == "inspector"
    )


def action_keys(name: str) -> str:
    """The shown key of an action (for hints like "press F9 to re-run")."""
    for action in ACTIONS:
        if action.action == name:
            return keys_label(action).split(" / ")[0]
    raise KeyError(name)


# Which footer keys stay longest on a narrow terminal (0: always): help and the command
# palette lead to everything else, and quit must be findable.
FOOTER_RANKS = {
    "help": 0,
    "commands": 0,
    "quit": 0,
    "run": 1,
    "ask": 2,
    "promote": 3,
    "force run": 4,
    "interrupt": 5,
}


def footer_parts() -> list[tuple[str, str]]:
    """The footer's keys in the order shown: (its short name, ``F1 help``), help first."""
    parts = [
        (action.footer, f"{key_label(action.keys[0])} {action.footer}")
        for action in ACTIONS
        if action.footer
    ]
    return sorted(parts, key=lambda part: FOOTER_RANKS.get(part[0], 9) != 0)
