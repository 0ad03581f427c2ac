"""The size policy for proposals: small cells a human can read in one look (invariant
PROPOSALS-ARE-SMALL)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class ProposalPolicy:
    max_lines: int = 15
    max_definitions: int = 1

    def violations(self, code: str) -> list[str]:
        """Why ``code`` may not be proposed, in words the model and the human can act on."""
        try:
            tree = ast.parse(code)
        except SyntaxError as error:
            return [f"the code does not parse: {error.msg} (line {error.lineno})"]
        problems = []
        lines = len([line for line in code.splitlines() if line.strip()])
        if lines > self.max_lines:
            problems.append(
                f"the code has {lines} non-blank lines; the limit is {self.max_lines}: split it"
            )
        definitions = [node for node in tree.body if isinstance(node, _DEFINITIONS)]
        if len(definitions) > self.max_definitions:
            names = ", ".join(node.name for node in definitions)
            problems.append(
                f"the code defines {len(definitions)} top-level functions/classes ({names}); "
                f"the limit is {self.max_definitions}: propose one at a time"
            )
        if not code.strip():
            problems.append("the code is empty")
        return problems
