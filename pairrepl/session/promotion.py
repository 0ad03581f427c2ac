"""The promotion use case: code that ran becomes definitions in the project's modules.

Shared by every front end (the TUI's `Session`, the in-kernel session of the magics):
it needs only the project root, the session's transcript (what ran, who wrote it) and a
way to record events. The steps, and the rule each one holds:

1. `draft`: find the cell whose *exact* text ran without error in this session (edited
   code must run again first: invariant NOTHING-UNRUN-IS-PROMOTED); check that an AI
   cell was accepted; plan the edit (libcst, in `promote/`); find what the promoted code
   needs from other cells (their imports are added; their definitions must be promoted
   first).
2. `write`: the explain-back gate for AI-verbatim code; the atomic, hash-checked write
   (invariant PROMOTION-NEVER-DESTROYS-SOURCE); then a fresh interpreter must import the
   module, or the file is put back as it was. Runs no event loop code, so a front end
   may run it in a thread.
3. `record`: the `promotion_written` event (before/after text: undo needs nothing else)
   and one provenance line per promoted symbol, with the runs that proved it.
4. `undo`: exactly back to the text before, only if the file is still what was written.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pairrepl import promote
from pairrepl.agent import Redactor
from pairrepl.core.cells import Origin, code_hash
from pairrepl.core.events import Event, PromotionUndone, PromotionWritten
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.outputs import output_to_payload
from pairrepl.core.proposals import ProposalState
from pairrepl.core.provenance import Evidence, PromotionFacts, ProvenanceRecord, record_for
from pairrepl.core.transcript import CellItem, PromotionItem, Transcript
from pairrepl.ledger import ProvenanceLog
from pairrepl.promote.errors import PromotionRefused
from pairrepl.session.errors import SessionError

if TYPE_CHECKING:
    from pairrepl.promote import PromotionPlan

IMPORT_CHECK_TIMEOUT_S = 60.0
MAX_EVIDENCE = 10

#: Run in a fresh interpreter after writing: the promoted module must import there.
_IMPORT_CHECK = """\
import importlib, runpy, sys
root, kind, what = sys.argv[1:4]
sys.path[:0] = [root, root + "/src"]
if kind == "module":
    importlib.import_module(what)
else:
    runpy.run_path(what)
"""


class PromotionError(SessionError):
    """A promotion (or undo) that cannot be done; nothing was written or lost.

    `diff` shows the evidence when there is some (what changed on disk, for example).
    """

    def __init__(self, message: str, *, diff: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.diff = diff

    def __str__(self) -> str:
        return f"{self.message}\n{self.diff}" if self.diff else self.message


@dataclass(frozen=True)
class PromotionSettings:
    default_target: str | None = None  # [tool.pairrepl] promote_to
    explain_back: bool = True  # AI-verbatim code needs the human's own one-line account


@dataclass(frozen=True)
class PromotionDraft:
    """What promoting one cell would do; shown to the human before anything is written."""

    cell: CellItem
    target: str  # relative to the project root
    module_name: str
    as_test: bool
    plan: PromotionPlan
    target_exists: bool
    imports_from_session: tuple[str, ...]  # import lines of other cells the code needs
    promote_first: tuple[str, ...]  # names defined in other cells: promote those first
    needs_explanation: bool
    rationale: str = ""  # the AI's, when the code is a proposal (an explanation must differ)

    @property
    def blocked(self) -> str | None:
        """Why this cannot be promoted as it stands, or None."""
        if self.promote_first:
            return (
                "The promoted code uses names defined in other cells: "
                + ", ".join(self.promote_first)
                + ". Promote those first (or define them in the file)."
            )
        return None

    @property
    def symbols(self) -> tuple[str, ...]:
        return self.plan.definitions_added + self.plan.definitions_replaced


@dataclass(frozen=True)
class Promotion:
    """A promotion as written (or found to change nothing)."""

    id: str
    draft: PromotionDraft
    explanation: str | None
    changed: bool  # False: the file already held exactly this code
    time: float


class Promoter:
    """Promotion for one session: see the module docstring for the steps."""

    def __init__(
        self,
        project_root: Path,
        session_id: str,
        transcript: Transcript,
        record: Callable[[Event], object],
        settings: PromotionSettings | None = None,
    ) -> None:
        self.project_root = Path(project_root).resolve()
        self.session_id = session_id
        self.transcript = transcript
        self.settings = settings or PromotionSettings()
        self.provenance = ProvenanceLog(self.project_root)
        self._record = record

    # --- 1. draft ------------------------------------------------------------------

    def draft(
        self,
        source: str | None = None,
        *,
        target: str | None = None,
        as_test: bool = False,
        place_after: str | None = None,
    ) -> PromotionDraft:
        """Plan promoting `source` (a cell id, or code that ran; None: the newest cell that
        ran without error and defines something) into `target` (default: the project's
        `promote_to`, else the target of this session's last promotion). New
        definitions go at the end, or right after the definition `place_after`."""
        cell = self.cell_that_ran(source, as_test=as_test)
        self._check_accepted(cell)
        under_test = self._default_target()
        if as_test:
            if under_test is None:
                raise PromotionError(
                    "Which module does this test test? Promote the code first, or set "
                    "[tool.pairrepl] promote_to in pyproject.toml."
                )
            try:
                target = target or promote.test_target_for(promote.module_name_for(under_test))
            except PromotionRefused as refused:
                raise PromotionError(refused.message) from refused
        target = target or under_test
        if not target:
            raise PromotionError(
                "Which file? Give a target relative to the project root (for example "
                "src/mypkg/core.py), or set [tool.pairrepl] promote_to in pyproject.toml."
            )
        try:
            path = promote.resolve_target(self.project_root, target)
            text = promote.read_target(self.project_root, target)
            imports, first = self._needs_from_session(cell, text, target, as_test, under_test)
            plan = self._plan(cell.code, text, target, as_test, under_test, imports, place_after)
            relative = path.relative_to(self.project_root).as_posix()
            module_name = promote.module_name_for(relative)
        except PromotionRefused as refused:
            raise PromotionError(refused.message, diff=refused.diff) from refused
        proposal = self.transcript.proposals.get(cell.proposal_id or "")
        return PromotionDraft(
            cell=cell,
            target=relative,
            module_name=module_name,
            as_test=as_test,
            plan=plan,
            target_exists=path.exists(),
            imports_from_session=imports,
            promote_first=first,
            needs_explanation=self.settings.explain_back and cell.origin is Origin.AI,
            rationale=proposal.proposal.rationale if proposal is not None else "",
        )

    def cell_that_ran(self, source: str | None = None, *, as_test: bool = False) -> CellItem:
        """The cell `draft` would promote for `source`; `PromotionError` if none.

        With no `source`: the newest cell that ran without error and defines something
        (for a test: that asserts something)."""
        ran_ok = [c for c in self.transcript.code_cells() if c.status is ExecutionStatus.OK]
        if source is None:
            if not ran_ok:
                raise PromotionError("Nothing to promote: no cell has run without error yet.")
            promotable = _asserts_something if as_test else _defines_something
            return ([cell for cell in ran_ok if promotable(cell.code)] or ran_ok)[-1]
        by_id = self.transcript.cells.get(source)
        if by_id is not None:
            if by_id.status is not ExecutionStatus.OK:
                raise PromotionError(
                    "Only code that ran without error can be promoted; this cell "
                    + ("has not run." if by_id.status is None else f"ended {by_id.status.value}.")
                )
            return by_id
        wanted = code_hash(source)
        for cell in reversed(ran_ok):
            if code_hash(cell.code) == wanted:
                return cell
        raise PromotionError(
            "This exact code has not run without error in this session, so it cannot be "
            "promoted. Run it first (edited code must run again)."
        )

    def _check_accepted(self, cell: CellItem) -> None:
        item = self.transcript.proposals.get(cell.proposal_id or "")
        if item is None:
            return
        if item.proposal.state not in (ProposalState.ACCEPTED, ProposalState.PROMOTED):
            raise PromotionError(
                f"This is the AI's proposal, {item.proposal.state.value}: accept it first "
                "(after looking at what it did), then promote."
            )

    def _default_target(self) -> str | None:
        done = [p for p in self.transcript.promotions.values() if not p.as_test and not p.undone]
        return self.settings.default_target or (done[-1].target if done else None)

    def _plan(
        self,
        code: str,
        text: str,
        target: str,
        as_test: bool,
        under_test: str | None,
        extra_imports: Iterable[str],
        place_after: str | None = None,
    ) -> PromotionPlan:
        if not as_test:
            return promote.plan_promotion(
                code,
                text,
                target_name=target,
                extra_imports=tuple(extra_imports),
                place_after=place_after,
            )
        module_names = self._names_defined_in(under_test)
        return promote.plan_test_promotion(
            code,
            text,
            test_name=promote.default_test_name(code, module_names),
            module_name=promote.module_name_for(under_test or ""),
            module_names=module_names,
            target_name=target,
        )

    def _names_defined_in(self, target: str | None) -> tuple[str, ...]:
        if not target:
            return ()
        symbols = promote.top_level_symbols(promote.read_target(self.project_root, target))
        return tuple(symbol.name for symbol in symbols if symbol.kind != "import")

    def _needs_from_session(
        self, cell: CellItem, text: str, target: str, as_test: bool, under_test: str | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Imports from other cells that the promoted code needs, and names it needs that
        other cells defined (those must be promoted first)."""
        if as_test:  # the test function wraps the cell: look at the whole test module
            planned = self._plan(cell.code, text, target, as_test, under_test, ())
            missing = promote.unresolved_names(planned.new_text)
        else:
            missing = promote.names_needed(cell.code, text)
        if not missing:
            return (), ()
        imports: dict[str, str] = {}
        defined_in: dict[str, str] = {}
        for other in self.transcript.code_cells():
            if other.status is not ExecutionStatus.OK or other is cell:
                continue
            try:
                bindings = promote.top_level_bindings(other.code)
            except PromotionRefused:  # IPython syntax (magics, !shell): not Python
                continue
            for name in missing:
                binding = bindings.get(name)
                if binding is None:
                    continue
                if binding.kind == "import":  # the latest cell that bound it wins
                    imports[name] = binding.import_line
                    defined_in.pop(name, None)
                else:
                    defined_in[name] = f"{name} (In[{other.execution_count}])"
                    imports.pop(name, None)
        return tuple(dict.fromkeys(imports.values())), tuple(defined_in.values())

    # --- 2. write ------------------------------------------------------------------

    def write(self, draft: PromotionDraft, explanation: str | None = None) -> Promotion:
        """Write the draft's plan, if the file still holds what it was planned from and
        the result imports in a fresh interpreter. Records nothing (see `record`)."""
        if draft.blocked:
            raise PromotionError(draft.blocked)
        explanation = (explanation or "").strip() or None
        if draft.needs_explanation:
            _check_explanation(explanation, draft.rationale)
        promotion = Promotion(uuid.uuid4().hex[:12], draft, explanation, False, time.time())
        if not draft.plan.has_changes:
            return promotion
        try:
            promote.write_promotion(
                self.project_root, draft.target, draft.plan, draft.plan.original_hash
            )
        except PromotionRefused as refused:
            raise PromotionError(refused.message, diff=refused.diff) from refused
        failure = self._import_failure(draft)
        if failure is not None:
            self._put_back(draft)
            raise PromotionError(
                f"{draft.target} would not import in a fresh interpreter, so the file was put "
                f"back as it was:\n{failure}"
            )
        return Promotion(promotion.id, draft, explanation, True, promotion.time)

    def _import_failure(self, draft: PromotionDraft) -> str | None:
        kind, what = ("path", draft.target) if draft.as_test else ("module", draft.module_name)
        env = {key: value for key, value in os.environ.items() if key != "PYTHONSTARTUP"}
        try:
            done = subprocess.run(
                [sys.executable, "-c", _IMPORT_CHECK, str(self.project_root), kind, what],
                cwd=self.project_root,
                env=env,
                capture_output=True,
                text=True,
                timeout=IMPORT_CHECK_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            return f"importing it took longer than {IMPORT_CHECK_TIMEOUT_S:.0f} s"
        if done.returncode == 0:
            return None
        lines = done.stderr.strip().splitlines()
        return "\n".join(lines[-6:]) or f"the interpreter exited with {done.returncode}"

    def _put_back(self, draft: PromotionDraft) -> None:
        written = draft.plan.new_text
        path = self.project_root / draft.target
        if not draft.target_exists:
            if path.read_text(encoding="utf-8") == written:
                path.unlink()
            return
        promote.write_module_text(
            self.project_root, draft.target, draft.plan.original_text, code_hash(written)
        )

    # --- 3. record -----------------------------------------------------------------

    def record(self, promotion: Promotion) -> None:
        """The ledger event, then one provenance line per promoted symbol."""
        if not promotion.changed:
            return
        draft = promotion.draft
        self._record(
            PromotionWritten(
                promotion.id,
                draft.cell.cell_id,
                draft.target,
                draft.plan.original_text,
                draft.plan.new_text,
                draft.symbols,
                draft.cell.origin,
                draft.cell.proposal_id,
                promotion.explanation,
                draft.as_test,
                created=not draft.target_exists,
            )
        )
        self.provenance.append(self._records(promotion))

    def _records(self, promotion: Promotion) -> list[ProvenanceRecord]:
        draft = promotion.draft
        proposal = self.transcript.proposals.get(draft.cell.proposal_id or "")
        exchange = self.transcript.exchanges.get(proposal.proposal.prompt_id) if proposal else None
        # provenance.jsonl is committed: what it keeps of cells and words is scrubbed of
        # secrets (the hashes are of the exact text, so matching is unchanged).
        scrub = Redactor.from_environment().scrub
        facts = PromotionFacts(
            promotion_id=promotion.id,
            origin=draft.cell.origin,
            session_id=self.session_id,
            time=promotion.time,
            model=proposal.proposal.model if proposal else None,
            request=scrub(exchange.request_text) if exchange else None,
            request_id=proposal.proposal.prompt_id if proposal else None,
            proposal_id=draft.cell.proposal_id,
            explanation=scrub(promotion.explanation) if promotion.explanation else None,
            evidence=self._evidence(draft, scrub),
        )
        wanted_imports = set(draft.plan.imports_added)
        return [
            record_for(symbol, draft.target, facts)
            for symbol in promote.top_level_symbols(draft.plan.new_text)
            if (symbol.kind == "import" and symbol.name in wanted_imports)
            or (symbol.kind != "import" and symbol.name in draft.symbols)
        ]

    def _evidence(self, draft: PromotionDraft, scrub: Callable[[str], str]) -> tuple[Evidence, ...]:
        """The runs of this exact code, and later cells that ran OK using what it defines."""
        wanted = code_hash(draft.cell.code)
        uses = re.compile(r"\b(" + "|".join(map(re.escape, draft.symbols or ("\0",))) + r")\b")
        found: list[Evidence] = []
        for cell in self.transcript.code_cells():
            if cell.status is not ExecutionStatus.OK:
                continue
            if code_hash(cell.code) == wanted or (
                cell.kernel_epoch == draft.cell.kernel_epoch and uses.search(cell.code)
            ):
                outputs = json.dumps([output_to_payload(o) for o in cell.outputs], sort_keys=True)
                found.append(
                    Evidence(
                        cell.cell_id,
                        cell.execution_count,
                        code_hash(cell.code),
                        code_hash(outputs),
                        scrub(cell.code),
                    )
                )
        return tuple(found[-MAX_EVIDENCE:])

    # --- 4. undo -------------------------------------------------------------------

    def undo(self, promotion_id: str | None = None) -> PromotionItem:
        """Revert a promotion (the last live one by default) exactly, or refuse."""
        item = self._promotion(promotion_id)
        path = self.project_root / item.target
        current = path.read_bytes().decode("utf-8") if path.exists() else ""
        try:
            before = promote.undo_text(item.before, item.after, current)
            if item.created:
                path.unlink()
            else:
                promote.write_module_text(
                    self.project_root, item.target, before, code_hash(current)
                )
        except PromotionRefused as refused:
            raise PromotionError(refused.message, diff=refused.diff) from refused
        self._record(PromotionUndone(item.promotion_id))
        self.provenance.append_undo(item.promotion_id)
        return item

    def _promotion(self, promotion_id: str | None) -> PromotionItem:
        live = [p for p in self.transcript.promotions.values() if not p.undone]
        if promotion_id is None:
            if not live:
                raise PromotionError("Nothing to undo: no promotion of this session is in force.")
            return live[-1]
        found = self.transcript.promotions.get(promotion_id)
        if found is None:
            raise PromotionError(f"No promotion {promotion_id} in this session.")
        if found.undone:
            raise PromotionError(f"Promotion {promotion_id} was already undone.")
        return found


def reload_report(module_name: str, result: Mapping[str, Any]) -> str:
    """One line from ``pairrepl_kernel.promoted.reload_promoted``'s result: the
    ``module_reloaded`` report shown under a promotion."""
    if result.get("error"):
        return f"Importing {module_name} in the kernel failed: {result['error']}."
    names = result.get("names") or {}
    verdicts = "; ".join(f"{name}: {verdict}" for name, verdict in names.items())
    action = str(result.get("action", "imported")).capitalize()
    return f"{action} {module_name} in the kernel. {verdicts}"


def _defines_something(code: str) -> bool:
    """Whether a cell has a top-level definition or constant (what promotion writes)."""
    try:
        return any(symbol.kind != "import" for symbol in promote.top_level_symbols(code))
    except PromotionRefused:  # IPython syntax: %magics, !shell
        return False


def _asserts_something(code: str) -> bool:
    return re.search(r"^\s*assert\b", code, re.MULTILINE) is not None


def _check_explanation(explanation: str | None, rationale: str) -> None:
    if not explanation:
        raise PromotionError(
            "This is the AI's code, verbatim. Before it goes into the project, write one line "
            "in your own words of what it does (the explain-back gate; "
            "[tool.pairrepl] explain_back = false turns it off)."
        )

    def words(text: str) -> str:
        return " ".join(re.findall(r"\w+", text.lower()))

    if rationale and words(explanation) == words(rationale):
        raise PromotionError(
            "That is the AI's rationale. Say what the code does in your own words."
        )
