"""The pure domain of pairrepl: cells, outputs, executions, proposals, events.

Nothing in this package does I/O or imports another part of the project. Every other
layer speaks in these types, so they are the vocabulary a newcomer learns first.
"""

from pairrepl.core.cells import Cell, Origin, code_hash
from pairrepl.core.events import (
    EVENT_TYPES,
    Event,
    LedgerEntry,
    event_from_payload,
    event_to_payload,
)
from pairrepl.core.execution import Execution, ExecutionStatus, KernelState
from pairrepl.core.namespace import NamespaceDiff, NamespaceSummary, VariableChange, VariableSummary
from pairrepl.core.outputs import (
    DisplayOutput,
    ErrorOutput,
    Output,
    OutputCapper,
    ResultOutput,
    StreamOutput,
)
from pairrepl.core.policy import ProposalPolicy
from pairrepl.core.proposals import IllegalTransition, Proposal, ProposalState

__all__ = [
    "EVENT_TYPES",
    "Cell",
    "DisplayOutput",
    "ErrorOutput",
    "Event",
    "Execution",
    "ExecutionStatus",
    "IllegalTransition",
    "KernelState",
    "LedgerEntry",
    "NamespaceDiff",
    "NamespaceSummary",
    "Origin",
    "Output",
    "OutputCapper",
    "Proposal",
    "ProposalPolicy",
    "ProposalState",
    "ResultOutput",
    "StreamOutput",
    "VariableChange",
    "VariableSummary",
    "code_hash",
    "event_from_payload",
    "event_to_payload",
]
