"""The promotion use case: code that ran becomes definitions in the project's modules.

Shared by every front end (the TUI's `Session`, the in-kernel session of the magics):
it needs only the project root, the session's transcript (what ran, who wrote it) and a
way to record events. The steps, and the rule each one holds:

1. `draft`: find the cell whose *exact* text ran without error in this session (edited
   code must run again first: invariant NOTHING-UNRUN-IS-PROMOTED); check that an AI
   cell was accepted; plan the edit (libcst, in `promote/`); find what the promoted
   code needs from other cells (their imports are added; names this session promoted
   into another module are imported from there; other definitions must be promoted
   first). The draft says why it cannot be written (`refusal`): nothing would change
   (`NothingToPromote`), or it does something only an explicit yes allows
   (`ConfirmationNeeded`: it replaces a definition, rebinds an imported name or a
   builtin, or creates a file whose name hides a module); `confirming` gives that yes.
2. `write`: the explain-back gate for AI-verbatim code; the intent, kept in
   `.pairrepl/pending/` until the records are made; the atomic, hash-checked write
   (invariant PROMOTION-NEVER-DESTROYS-SOURCE); then a fresh interpreter must import
   the module, or the file is put back as it was. Runs no event loop code, so a front
   end may run it in a thread.
3. `record`: the `promotion_written` event (before/after text: undo needs nothing else)
   and one provenance line per promoted symbol, with the runs that proved it.
4. `undo`: exactly back to the text before, only if the file is still what was written;
   a file the promotion created goes, with the folders it made for it.
5. `finish_interrupted`, when a session starts: promotions an earlier process wrote but
   did not finish recording are recorded (or reported, when the file changed since).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import socket
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
from pairrepl.core.events import (
    Event,
    PromotionRecovered,
    PromotionUndone,
    PromotionWritten,
    event_from_payload,
    event_to_payload,
)
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.explanations import gate_refusal
from pairrepl.core.outputs import output_to_payload
from pairrepl.core.proposals import ProposalState
from pairrepl.core.provenance import Evidence, PromotionFacts, ProvenanceRecord, record_for
from pairrepl.core.review import Review
from pairrepl.core.transcript import CellItem, PromotionItem, Transcript
from pairrepl.ledger import PendingWrites, ProvenanceLog
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


class NothingToPromote(PromotionError):
    """Writing the draft would change nothing: the file already holds exactly this code,
    or the cell holds no definitions. `as_test_instead`: the cell asserts something, so a
    front end offers to promote it as a test."""

    def __init__(self, message: str, *, as_test_instead: bool = False) -> None:
        super().__init__(message)
        self.as_test_instead = as_test_instead


class ConfirmationNeeded(PromotionError):
    """The draft does something only an explicit yes allows (`PromotionDraft.confirming`):
    `needed` names what, among `CONFIRMATIONS`; `what` says it, for the question a front
    end asks (the message adds that nothing was written)."""

    def __init__(self, what: str, needed: tuple[str, ...]) -> None:
        super().__init__(f"{what} Nothing was written; confirm to go ahead.")
        self.what = what
        self.needed = needed


#: What a draft may need the human's explicit yes for: replacing an existing top-level
#: definition; a new definition that rebinds a name the module imports or assigns, or a
#: builtin; a new file whose name hides a module or looks like another name.
REPLACE, SHADOW, TARGET = "replace", "shadow", "target"
CONFIRMATIONS = (REPLACE, SHADOW, TARGET)


@dataclass(frozen=True)
class Confirmation:
    """One thing the draft would do that needs an explicit yes: its kind, in words."""

    kind: str  # one of CONFIRMATIONS
    message: str


@dataclass(frozen=True)
class PromotionSettings:
    default_target: str | None = None  # [tool.pairrepl] promote_to
    explain_back: bool = True  # AI-verbatim code needs the human's own one-line account
    # The learner profile: the AI's code is never promoted as it stands (it must be
    # edited or retyped first), and every promotion needs the human's own account.
    learner: bool = False


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
    confirmations: tuple[Confirmation, ...] = ()  # what writing it needs an explicit yes for
    confirmed: frozenset[str] = frozenset()  # the kinds of those the human said yes to
    facts: PromotionFacts | None = None  # for provenance: who wrote it, what proved it

    @property
    def refusal(self) -> PromotionError | None:
        """What writing this draft as it stands would raise, or None."""
        if self.promote_first:
            return PromotionError(
                "The promoted code uses names defined in other cells: "
                + ", ".join(self.promote_first)
                + ". Promote those first (or define them in the file)."
            )
        if not self.plan.has_changes:
            return self._nothing_to_promote()
        waiting = [c for c in self.confirmations if c.kind not in self.confirmed]
        if waiting:
            needed = tuple(dict.fromkeys(c.kind for c in waiting))
            return ConfirmationNeeded(" ".join(c.message for c in waiting), needed)
        return None

    @property
    def blocked(self) -> str | None:
        """Why this cannot be written as it stands (see `refusal`), or None."""
        refusal = self.refusal
        return None if refusal is None else refusal.message

    def confirming(self, *kinds: str) -> PromotionDraft:
        """This draft with the human's yes to `kinds` (of `CONFIRMATIONS`)."""
        unknown = set(kinds) - set(CONFIRMATIONS)
        if unknown:
            raise ValueError(f"not a confirmation: {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, confirmed=self.confirmed | frozenset(kinds))

    @property
    def symbols(self) -> tuple[str, ...]:
        return self.plan.definitions_added + self.plan.definitions_replaced

    @property
    def cell_label(self) -> str:
        count = self.cell.execution_count
        return f"In[{count}]" if count is not None else "This cell"

    def _nothing_to_promote(self) -> NothingToPromote:
        plan = self.plan
        if not self.as_test and not _has_symbols(self.cell.code):
            if _asserts_something(self.cell.code):
                return NothingToPromote(
                    f"{self.cell_label} holds no definitions; promote it as a test.",
                    as_test_instead=True,
                )
            skipped = "; ".join(line.splitlines()[0] for line in plan.statements_skipped)
            return NothingToPromote(
                f"{self.cell_label} defines nothing to promote (functions, classes, "
                f"UPPER_CASE constants, imports){f'; left out: {skipped}' if skipped else ''}."
            )
        return NothingToPromote(
            f"{self.target} already holds exactly this code: nothing would change."
        )


@dataclass(frozen=True)
class _TestSubject:
    """What a test promotion tests: the module, the names it defines, the test's name."""

    module_name: str
    module_names: tuple[str, ...]
    test_name: str


@dataclass(frozen=True)
class Promotion:
    """A promotion as written (a draft that would change nothing is refused instead)."""

    id: str
    draft: PromotionDraft
    explanation: str | None
    changed: bool  # always True now (kept for callers that still ask)
    time: float
    created_folders: tuple[str, ...] = ()  # made for a new file, deepest last
    records: tuple[ProvenanceRecord, ...] = ()  # one per promoted symbol

    @property
    def message(self) -> str:
        """What happened, in words every front end shows: what went where, and what of
        the cell was left behind."""
        draft = self.draft
        what = ", ".join(draft.symbols) or "the code"
        text = f"Promoted {what} from {draft.cell_label} into {draft.target} (promotion {self.id})."
        left = [line.splitlines()[0] for line in draft.plan.statements_skipped]
        if left:
            text += " Left behind (not promoted): " + "; ".join(left) + "."
        return text


class Promoter:
    """Promotion for one session: see the module docstring for the steps."""

    def __init__(
        self,
        project_root: Path,
        session_id: str,
        transcript: Transcript,
        record: Callable[[Event], object],
        settings: PromotionSettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
        person: Callable[[], str | None] = lambda: None,
        review_of: Callable[[str], Review | None] = lambda proposal_id: None,
    ) -> None:
        """`clock`, `person` and `review_of` are the session's: when a promotion happens,
        who makes it, and how its proposal was reviewed (for provenance)."""
        self.project_root = Path(project_root).resolve()
        self.session_id = session_id
        self.transcript = transcript
        self.settings = settings or PromotionSettings()
        self.provenance = ProvenanceLog(self.project_root)
        self.pending = PendingWrites(self.project_root)
        self._record = record
        self._clock = clock
        self._person = person
        self._review_of = review_of

    # --- 1. draft ------------------------------------------------------------------

    def draft(
        self,
        source: str | None = None,
        *,
        target: str | None = None,
        as_test: bool = False,
        place_after: str | None = None,
        under_test: str | None = None,
    ) -> PromotionDraft:
        """Plan promoting `source` (a cell id, or code that ran; None: the newest cell that
        ran without error and defines something) into `target` (default: the project's
        `promote_to`, else the target of this session's last promotion). New
        definitions go at the end, or right after the definition `place_after`.

        As a test: into the test file of the module under test (`under_test`, a path
        relative to the project root; default: the module this session promoted the
        names the cell uses into, else the default target), as the project lays its
        tests out."""
        cell = self.cell_that_ran(source, as_test=as_test)
        self._check_accepted(cell)
        if self.settings.learner and cell.origin is Origin.AI:
            raise PromotionError(
                "In the learner profile the AI's code is not promoted as it stands: change "
                "it or retype it your own way, run it, then promote that (the profile is "
                "[tool.pairrepl] profile, or profile in your user config)."
            )
        subject: _TestSubject | None = None
        try:
            if as_test:
                under_test = under_test or self._module_under_test(cell)
                if under_test is None:
                    raise PromotionError(
                        "Which module does this test test? Promote the code first, name "
                        "the module, or set [tool.pairrepl] promote_to in pyproject.toml."
                    )
                promote.resolve_target(self.project_root, under_test)
                target = target or promote.test_file_for(self.project_root, under_test)
                subject = self._test_subject(cell, under_test)
            target = target or self._default_target()
            if not target:
                raise PromotionError(
                    "Which file? Give a target relative to the project root (for example "
                    "src/mypkg/core.py), or set [tool.pairrepl] promote_to in pyproject.toml."
                )
            path = promote.resolve_target(self.project_root, target)
            text = promote.read_target(self.project_root, target)
            relative = path.relative_to(self.project_root).as_posix()
            module_name = promote.module_name_for(relative)
            imports, first = self._needs_from_session(cell, text, relative, subject)
            plan = self._plan(cell.code, text, relative, module_name, subject, imports, place_after)
        except PromotionRefused as refused:
            raise PromotionError(refused.message, diff=refused.diff) from refused
        proposal = self.transcript.proposals.get(cell.proposal_id or "")
        draft = PromotionDraft(
            cell=cell,
            target=relative,
            module_name=module_name,
            as_test=as_test,
            plan=plan,
            target_exists=path.exists(),
            imports_from_session=imports,
            promote_first=first,
            needs_explanation=self.settings.learner
            or (self.settings.explain_back and cell.origin is Origin.AI),
            rationale=proposal.proposal.rationale if proposal is not None else "",
        )
        return dataclasses.replace(
            draft, confirmations=self._confirmations(draft), facts=self._facts(draft)
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
                f"This is the AI's proposal, {item.proposal.state.words}: accept it first "
                "(after looking at what it did), then promote."
            )

    def _live_promotions(self) -> list[PromotionItem]:
        """This session's promotions into modules (not tests) that are still in force."""
        return [p for p in self.transcript.promotions.values() if not p.as_test and not p.undone]

    def _default_target(self) -> str | None:
        done = self._live_promotions()
        return self.settings.default_target or (done[-1].target if done else None)

    def _promoted_names(self) -> dict[str, str]:
        """Each name this session promoted into a module (still in force) -> that module's
        file; the newest promotion of a name wins."""
        return {name: item.target for item in self._live_promotions() for name in item.symbols}

    def _module_under_test(self, cell: CellItem) -> str | None:
        """The module this session promoted the names a test cell reads into (the one
        most of them went to), else the default target."""
        try:
            reads = promote.unresolved_names(cell.code)
        except PromotionRefused:
            reads = ()
        promoted = self._promoted_names()
        homes = [promoted[name] for name in reads if name in promoted]
        if homes:
            return max(dict.fromkeys(homes), key=homes.count)
        return self._default_target()

    def _test_subject(self, cell: CellItem, under_test: str) -> _TestSubject:
        module_names = self._names_defined_in(under_test)
        return _TestSubject(
            module_name=promote.module_name_for(under_test),
            module_names=module_names,
            test_name=promote.default_test_name(cell.code, module_names),
        )

    def _plan(
        self,
        code: str,
        text: str,
        target: str,
        module_name: str,
        subject: _TestSubject | None,
        extra_imports: Iterable[str],
        place_after: str | None = None,
    ) -> PromotionPlan:
        if subject is None:
            return promote.plan_promotion(
                code,
                text,
                target_name=target,
                module_name=module_name,
                extra_imports=tuple(extra_imports),
                place_after=place_after,
            )
        return promote.plan_test_promotion(
            code,
            text,
            test_name=subject.test_name,
            module_name=subject.module_name,
            module_names=subject.module_names,
            target_name=target,
            extra_imports=tuple(extra_imports),
        )

    def _names_defined_in(self, target: str) -> tuple[str, ...]:
        symbols = promote.top_level_symbols(promote.read_target(self.project_root, target))
        return tuple(symbol.name for symbol in symbols if symbol.kind != "import")

    def _needs_from_session(
        self, cell: CellItem, text: str, target: str, subject: _TestSubject | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Imports the promoted code (or the test made of it, of `subject`) needs from
        elsewhere in the session, and names other cells defined that it needs (those must
        be promoted first). A name this session promoted into another module is imported
        from there."""
        if subject is not None:
            missing = promote.names_the_test_needs(
                cell.code,
                text,
                test_name=subject.test_name,
                module_name=subject.module_name,
                module_names=subject.module_names,
            )
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
        promoted = self._promoted_names()
        for name in [name for name in defined_in if promoted.get(name, target) != target]:
            module = promote.module_name_for(promoted[name])
            imports[name] = f"from {module} import {name}"
            del defined_in[name]
        return tuple(dict.fromkeys(imports.values())), tuple(defined_in.values())

    def _confirmations(self, draft: PromotionDraft) -> tuple[Confirmation, ...]:
        plan, target = draft.plan, draft.target
        found: list[Confirmation] = []
        if plan.replacements:
            what = ", ".join(str(replacement) for replacement in plan.replacements)
            found.append(Confirmation(REPLACE, f"This replaces {what} in {target}."))
        for clash in plan.shadowed:
            found.append(
                Confirmation(
                    SHADOW,
                    f"A new `{clash.name}` would change what that name means in all of "
                    f"{target} ({clash.bound_by}).",
                )
            )
        if not draft.target_exists:
            trouble = promote.new_target_trouble(self.project_root, target, as_test=draft.as_test)
            if trouble is not None:
                found.append(Confirmation(TARGET, f"A new file {target}: {trouble}."))
        return tuple(found)

    def _facts(self, draft: PromotionDraft) -> PromotionFacts:
        """What provenance will say of the code (the id, time and explanation come with
        the write): taken with the draft, so the write needs no look at the transcript."""
        proposal = self.transcript.proposals.get(draft.cell.proposal_id or "")
        exchange = self.transcript.exchanges.get(proposal.proposal.prompt_id) if proposal else None
        # provenance.jsonl is committed: what it keeps of cells and words is scrubbed of
        # secrets (the hashes are of the exact text, so matching is unchanged).
        scrub = Redactor.from_environment().scrub
        return PromotionFacts(
            promotion_id="",
            origin=draft.cell.origin,
            session_id=self.session_id,
            time=0.0,
            model=proposal.proposal.model if proposal else None,
            request=scrub(exchange.request_text) if exchange else None,
            request_id=proposal.proposal.prompt_id if proposal else None,
            proposal_id=draft.cell.proposal_id,
            evidence=self._evidence(draft, scrub),
            person=self._person(),
            rationale=scrub(proposal.proposal.rationale) if proposal else None,
            review=self._review_of(proposal.proposal.id) if proposal else None,
        )

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

    # --- 2. write ------------------------------------------------------------------

    def write(self, draft: PromotionDraft, explanation: str | None = None) -> Promotion:
        """Write the draft's plan, if nothing refuses it (`PromotionDraft.refusal`), the
        file still holds what it was planned from and the result imports in a fresh
        interpreter. Records nothing in the ledger (see `record`), but leaves the intent
        in `.pairrepl/pending/` first, so an interrupted promotion is found at the next
        start. Touches nothing of the session: a front end may run it in a thread."""
        refusal = draft.refusal
        if refusal is not None:
            raise refusal
        explanation = (explanation or "").strip() or None
        if draft.needs_explanation:
            _check_explanation(explanation, draft.rationale, draft.cell.origin)
        promotion = Promotion(uuid.uuid4().hex[:12], draft, explanation, True, self._clock())
        try:
            created = promote.missing_folders(self.project_root, draft.target)
            promotion = dataclasses.replace(
                promotion, records=self._records(promotion), created_folders=created
            )
            self.pending.put(promotion.id, _intent(promotion, self.session_id))
            promote.write_promotion(
                self.project_root, draft.target, draft.plan, draft.plan.original_hash
            )
        except PromotionRefused as refused:
            self.pending.remove(promotion.id)
            raise PromotionError(refused.message, diff=refused.diff) from refused
        failure = self._import_failure(draft)
        if failure is not None:
            not_back = self._put_back(draft, created)
            if not_back is None:
                self.pending.remove(promotion.id)
                raise PromotionError(
                    f"{draft.target} would not import in a fresh interpreter, so the file "
                    f"was put back as it was:\n{failure}"
                )
            intent = _intent(promotion, self.session_id)
            self.pending.put(promotion.id, {**intent, "state": "put back failed"})
            raise PromotionError(
                f"{draft.target} would not import in a fresh interpreter, and putting it back "
                f"failed ({not_back}): it holds the promoted text now. The next start of "
                f"pairrepl records it, so that an undo can revert it.\n{failure}"
            )
        return promotion

    def _import_failure(self, draft: PromotionDraft) -> str | None:
        kind, what = ("path", draft.target) if draft.as_test else ("module", draft.module_name)
        env = {key: value for key, value in os.environ.items() if key != "PYTHONSTARTUP"}
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ left in the project by a check
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

    def _put_back(self, draft: PromotionDraft, created: tuple[str, ...]) -> str | None:
        """The file as it was before the write; None when done, else why it could not be."""
        written = draft.plan.new_text
        try:
            if not draft.target_exists:
                path = self.project_root / draft.target
                if path.read_bytes().decode("utf-8") != written:
                    return "it changed on disk meanwhile"
                promote.remove_created(self.project_root, draft.target, created)
                return None
            promote.write_module_text(
                self.project_root, draft.target, draft.plan.original_text, code_hash(written)
            )
        except (OSError, UnicodeDecodeError, PromotionRefused) as error:
            return str(error).splitlines()[0]
        return None

    def _records(self, promotion: Promotion) -> tuple[ProvenanceRecord, ...]:
        draft = promotion.draft
        scrub = Redactor.from_environment().scrub  # provenance.jsonl is committed
        facts = dataclasses.replace(
            draft.facts or self._facts(draft),
            promotion_id=promotion.id,
            time=promotion.time,
            explanation=scrub(promotion.explanation) if promotion.explanation else None,
        )
        wanted_imports = set(draft.plan.imports_added)
        return tuple(
            record_for(symbol, draft.target, facts)
            for symbol in promote.top_level_symbols(draft.plan.new_text)
            if (symbol.kind == "import" and symbol.name in wanted_imports)
            or (symbol.kind != "import" and symbol.name in draft.symbols)
        )

    # --- 3. record -----------------------------------------------------------------

    def record(self, promotion: Promotion) -> None:
        """The ledger event, then one provenance line per promoted symbol; then the
        intent left by `write` is settled."""
        self._record(_written_event(promotion))
        self.pending.put(promotion.id, {**_intent(promotion, self.session_id), "state": "recorded"})
        self.provenance.append(promotion.records)
        self.pending.remove(promotion.id)

    # --- 4. undo -------------------------------------------------------------------

    def undo(self, promotion_id: str | None = None) -> PromotionItem:
        """Revert a promotion (the last live one by default) exactly, or refuse."""
        item = self._promotion(promotion_id)
        path = self.project_root / item.target
        current = path.read_bytes().decode("utf-8") if path.exists() else ""
        try:
            before = promote.undo_text(item.before, item.after, current)
            self.pending.put(item.promotion_id, _undo_intent(item, self.session_id))
            if item.created:
                promote.remove_created(self.project_root, item.target, item.created_folders)
            else:
                promote.write_module_text(
                    self.project_root, item.target, before, code_hash(current)
                )
        except PromotionRefused as refused:
            self.pending.remove(item.promotion_id)
            raise PromotionError(refused.message, diff=refused.diff) from refused
        self._record(PromotionUndone(item.promotion_id))
        self.provenance.append_undo(item.promotion_id)
        self.pending.remove(item.promotion_id)
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

    # --- 5. what an earlier process left unfinished --------------------------------

    def finish_interrupted(self) -> list[str]:
        """Settle the promotions (and undos) that a process began and did not finish
        recording, as `.pairrepl/pending/` tells: each is recorded in this session as a
        `PromotionRecovered` notice (and, when the file holds what it wrote, its
        `PromotionWritten` and provenance). Intents of another process still running are
        left alone. Returns the notices' words."""
        messages: list[str] = []
        for key, intent in self.pending.all():
            if _held_by_another_process(intent):
                continue
            try:
                outcome, message = self._settle(intent)
            except (KeyError, TypeError, ValueError):  # not an intent this version wrote
                outcome, message = "changed since", f"An unreadable pending promotion {key}."
            self._record(PromotionRecovered(key, str(intent.get("target", "")), outcome, message))
            self.pending.remove(key)
            messages.append(message)
        return messages

    def _settle(self, intent: dict[str, Any]) -> tuple[str, str]:
        """Finish or judge one interrupted intent: (outcome, what happened in words)."""
        event = event_from_payload(
            PromotionWritten.KIND, int(intent["event_version"]), intent["event"]
        )
        assert isinstance(event, PromotionWritten)
        target, state = event.target, intent.get("state")
        path = self.project_root / target
        current = path.read_bytes().decode("utf-8", "replace") if path.exists() else None
        is_before = current == event.before or (current is None and event.created)
        history = self.provenance.read()
        which = f"promotion {event.promotion_id} into {target}"
        if intent["kind"] == "undo":
            if not is_before:
                return "not written", (
                    f"An undo of {which} was interrupted before it wrote anything; "
                    "the promotion is still in force."
                )
            self._record(PromotionUndone(event.promotion_id))
            if event.promotion_id not in history.undone:
                self.provenance.append_undo(event.promotion_id)
            return "completed", (
                f"An undo of {which} was interrupted after it put the file back; "
                "its records are complete now."
            )
        if state == "recorded" or current == event.after:
            if state != "recorded":
                self._record(event)
            if event.promotion_id not in {record.promotion_id for record in history.records}:
                self.provenance.append(
                    ProvenanceRecord.from_payload(payload) for payload in intent["provenance"]
                )
            if state == "put back failed":
                return "completed", (
                    f"The {which} failed its import check and could not be put back; it is "
                    "recorded now, so that you can undo it."
                )
            return "completed", (
                f"The {which} was interrupted after it wrote the file; it is recorded now."
            )
        if is_before:
            return "not written", (
                f"The {which} was interrupted before it wrote anything; nothing changed."
            )
        return "changed since", (
            f"The {which} was interrupted, and {target} now holds neither the text before "
            "it nor the text it wrote, so it was not recorded: review the file."
        )


def _intent(promotion: Promotion, session_id: str) -> dict[str, Any]:
    """What `.pairrepl/pending/` keeps of a promotion about to be written: everything its
    records need, and who is writing it."""
    return {
        "kind": "promotion",
        "state": "writing",
        "session_id": session_id,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "target": promotion.draft.target,
        "event_version": PromotionWritten.VERSION,
        "event": event_to_payload(_written_event(promotion)),
        "provenance": [record.to_payload() for record in promotion.records],
    }


def _undo_intent(item: PromotionItem, session_id: str) -> dict[str, Any]:
    event = PromotionWritten(
        item.promotion_id,
        item.cell_id,
        item.target,
        item.before,
        item.after,
        item.symbols,
        item.origin,
        created=item.created,
        created_folders=item.created_folders,
    )
    return {
        "kind": "undo",
        "state": "writing",
        "session_id": session_id,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "target": item.target,
        "event_version": PromotionWritten.VERSION,
        "event": event_to_payload(event),
    }


def _written_event(promotion: Promotion) -> PromotionWritten:
    draft = promotion.draft
    return PromotionWritten(
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
        created_folders=promotion.created_folders,
    )


def _held_by_another_process(intent: dict[str, Any]) -> bool:
    """Whether the intent's writer is another process of this machine still running."""
    pid = intent.get("pid")
    if intent.get("host") != socket.gethostname() or not isinstance(pid, int):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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


def _has_symbols(code: str) -> bool:
    """Whether a cell has anything promotion takes: a definition, a constant, an import."""
    try:
        return bool(promote.top_level_symbols(code))
    except PromotionRefused:
        return False


def _asserts_something(code: str) -> bool:
    return re.search(r"^\s*assert\b", code, re.MULTILINE) is not None


def _check_explanation(explanation: str | None, rationale: str, origin: Origin) -> None:
    """The explain-back gate: an answer with something in it, in the human's own words
    (`core/explanations.py` says what cannot count: empty, "ok", one word, the rationale)."""
    refusal = gate_refusal(explanation, rationale, ai_verbatim=origin is Origin.AI)
    if refusal is not None:
        raise PromotionError(refusal)
