"""`pairrepl report` and `pairrepl check` on a real project folder: real files, a
provenance file, a git repository with two authors, thresholds in pyproject.toml."""

import json
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pairrepl import promote
from pairrepl.cli import main
from pairrepl.core.cells import Origin
from pairrepl.core.provenance import PromotionFacts, record_for
from pairrepl.core.review import Review
from pairrepl.ledger import ProvenanceLog

MONDAY = 1_767_571_200.0  # 2026-01-05 00:00 UTC
ADA, BOB = "Ada <ada@example.org>", "Bob <bob@example.org>"
GEO = "def area(r):\n    return 3.14159 * r * r\n\n\ndef half(x):\n    return x / 2\n"
LEGACY = "def old(x):\n    return x\n"


def git(root: Path, *args: str, author: str = "Ada") -> None:
    identity = ["-c", f"user.name={author}", "-c", f"user.email={author.lower()}@example.org"]
    subprocess.run(["git", "-C", str(root), *identity, *args], check=True, capture_output=True)


def write_project(root: Path, check_table: str = "") -> Path:
    """pkg/geo.py: the AI's `area` (Ada explained it, a rubber-stamped accept) and
    Bob's own `half`; legacy/old.py: the AI's `old`, promoted by Bob, explained by no one.
    Ada commits pkg/, Bob commits legacy/, then Bob edits a line of `half`."""
    (root / "pkg").mkdir()
    (root / "legacy").mkdir()
    (root / "pkg" / "geo.py").write_text(GEO)
    (root / "legacy" / "old.py").write_text(LEGACY)
    (root / "pyproject.toml").write_text(f'[project]\nname = "geo"\n{check_table}')
    area, half = promote.top_level_symbols(GEO)
    (old,) = promote.top_level_symbols(LEGACY)
    stamped = Review("p1", "s1", MONDAY, MONDAY + 30, MONDAY + 10, MONDAY + 20)
    ada = PromotionFacts(
        "m1",
        Origin.AI,
        "s1",
        MONDAY + 60,
        proposal_id="p1",
        explanation="area of a disc of radius r",
        person=ADA,
        review=stamped,
    )
    bob = PromotionFacts("m2", Origin.HUMAN, "s2", MONDAY + 8 * 86_400, person=BOB)
    legacy = PromotionFacts("m3", Origin.AI, "s2", MONDAY + 8 * 86_400, person=BOB)
    ProvenanceLog(root).append(
        [
            record_for(area, "pkg/geo.py", ada),
            record_for(half, "pkg/geo.py", bob),
            record_for(old, "legacy/old.py", legacy),
        ]
    )
    git(root, "init", "-q")
    git(root, "add", "pkg", "pyproject.toml", ".pairrepl")
    git(root, "commit", "-qm", "geo")
    git(root, "add", "legacy")
    git(root, "commit", "-qm", "legacy", author="Bob")
    (root / "pkg" / "geo.py").write_text(GEO.replace("x / 2", "x * 0.5"))
    git(root, "commit", "-qam", "half by multiplication", author="Bob")
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


THRESHOLDS = """
[tool.pairrepl.check]
max_ai_verbatim_share = 0.5
min_people_per_module = 2
max_rubber_stamp_rate = 1.0

[tool.pairrepl.check.paths."legacy"]
max_ai_verbatim_share = 1.0
min_people_per_module = 1
"""


def test_check_passes_when_every_threshold_is_met(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_project(tmp_path, THRESHOLDS)
    code, out, _ = run(capsys, "check", "--project", str(root), "--json")
    assert code == 0
    results = {(r["scope"], r["subject"], r["threshold"]): r for r in json.loads(out)["results"]}
    assert results[("(project)", "(project)", "max_ai_verbatim_share")]["value"] == 0.5  # 2 of 4
    assert results[("(project)", "pkg.geo", "min_people_per_module")]["value"] == 2  # Ada, Bob
    assert results[("(project)", "(project)", "max_rubber_stamp_rate")]["value"] == 1.0
    assert results[("legacy", "legacy.old", "min_people_per_module")]["value"] == 1  # Bob
    assert results[("legacy", "legacy", "max_rubber_stamp_rate")]["value"] is None  # no data
    assert json.loads(out)["sources"]["ledger"].startswith("not read")

    code, out, _ = run(capsys, "check", "--project", str(root))
    assert code == 0 and out.rstrip().endswith("All 6 checks met.")


def test_check_fails_with_exit_1_when_a_threshold_is_not_met(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    strict = THRESHOLDS.replace("max_rubber_stamp_rate = 1.0", "max_rubber_stamp_rate = 0.2")
    root = write_project(tmp_path, strict.replace("min_people_per_module = 1", ""))
    code, out, _ = run(capsys, "check", "--project", str(root))
    assert code == 1
    failing = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert len(failing) == 2, out
    assert "max_rubber_stamp_rate" in failing[0] and "1 of 1 reviewed accepts" in failing[0]
    assert "legacy.old" in failing[1] and "min_people_per_module" in failing[1]
    assert "2 of 6 checks not met." in out

    monkeypatch.chdir(root)  # PATHs are relative to where the command runs
    code, out, _ = run(capsys, "check", "pkg", "--json")
    assert code == 1 and {r["scope"] for r in json.loads(out)["results"]} == {"(project)"}
    strict_legacy = strict.replace('"legacy"]\n', '"legacy"]\nmin_explained_share = 0.5\n')
    (root / "pyproject.toml").write_text(f'[project]\nname = "geo"\n{strict_legacy}')
    code, out, _ = run(capsys, "check", "legacy")
    assert code == 1 and "min_explained_share" in out and "0 of 2 AI-verbatim lines" in out


def test_check_explains_a_wrong_setting_in_one_line_and_needs_no_thresholds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_project(tmp_path, "[tool.pairrepl.check]\nmax_ai_verbatim_shar = 0.5\n")
    code, _, err = run(capsys, "check", "--project", str(root))
    assert code == 2
    assert err.count("\n") == 1 and "no threshold 'max_ai_verbatim_shar'" in err
    (root / "pyproject.toml").write_text("[tool.pairrepl.check]\nmax_ai_verbatim_share = 50\n")
    code, _, err = run(capsys, "check", "--project", str(root))
    assert code == 2 and "a share from 0 to 1, not 50" in err
    (root / "pyproject.toml").write_text('[project]\nname = "geo"\n')
    code, out, _ = run(capsys, "check", "--project", str(root))
    assert code == 0 and "No thresholds set" in out


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    def inside(self, chart: str, tag: str) -> int:
        """How many `tag` elements the svg with id `chart` holds."""
        count, within = 0, False
        for name, attrs in self.tags:
            if name == "svg":
                within = attrs.get("id") == chart
            elif within and name == tag:
                count += 1
        return count


def test_report_writes_one_self_contained_html_page_with_its_charts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_project(tmp_path)
    page_path = tmp_path / "understanding.html"
    code, out, _ = run(capsys, "report", "--project", str(root), "--html", str(page_path))
    assert code == 0 and f"Wrote {page_path}." in out
    page = _Page()
    page.feed(page_path.read_text(encoding="utf-8"))
    page.close()
    charts = {attrs.get("id") for tag, attrs in page.tags if tag == "svg"}
    assert charts == {"trend-chart", "module-chart", "knowledge-map"}
    assert page.inside("trend-chart", "circle") >= 2  # weeks 2 and 3 have points
    assert page.inside("module-chart", "rect") >= 3  # bars and the legend
    assert page.inside("knowledge-map", "rect") == 3  # geo: Ada, Bob; legacy: Bob
    assert "only Ada explained its AI code" in page.texts  # geo
    assert "no one explained its AI code" in page.texts  # legacy
    fetched = [tag for tag, _ in page.tags if tag in ("script", "link", "img", "iframe")]
    addresses = [
        value
        for tag, attrs in page.tags
        for name, value in attrs.items()
        if name != "xmlns" and str(value).startswith(("http:", "https:", "//"))
    ]
    assert fetched == [] and addresses == []  # nothing to load from anywhere


def test_a_learner_sees_their_own_trend_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path, '[tool.pairrepl]\nprofile = "learner"\n')
    monkeypatch.setenv("PAIRREPL_PERSON", "Bob B. <BOB@example.org>")  # his key: the e-mail
    page_path = tmp_path / "mine.html"
    code, out, _ = run(capsys, "report", "--project", str(root), "--html", str(page_path))
    assert code == 0 and out.startswith("Your trend, Bob (learner profile)")
    own = out.split("\n\n")[0].splitlines()
    assert own[2].split()[:6] == ["2026-W02", "0", "-", "-", "-", "0"]
    assert own[3].split()[:6] == ["2026-W03", "4", "50%", "50%", "0%", "0"]  # half, old
    page = _Page()
    page.feed(page_path.read_text(encoding="utf-8"))
    assert "learner-trend-chart" in {attrs.get("id") for tag, attrs in page.tags if tag == "svg"}
    code, out, _ = run(capsys, "report", "--project", str(root), "--json")
    assert json.loads(out)["learner"] == BOB
    monkeypatch.setenv("PAIRREPL_PROFILE", "standard")
    code, out, _ = run(capsys, "report", "--project", str(root))
    assert not out.startswith("Your trend")


def test_provenance_written_before_people_and_reviews_still_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A line as pairrepl wrote it before issue 22: no person, rationale nor review."""
    (tmp_path / "old.py").write_text(LEGACY)
    (old,) = promote.top_level_symbols(LEGACY)
    line = record_for(old, "old.py", PromotionFacts("m0", Origin.AI, "s0", MONDAY)).to_payload()
    for added in ("person", "rationale", "review"):
        del line[added]
    (tmp_path / ".pairrepl").mkdir()
    (tmp_path / ".pairrepl" / "provenance.jsonl").write_text(json.dumps(line) + "\n")
    code, out, _ = run(capsys, "report", "--project", str(tmp_path), "--json")
    payload = json.loads(out)
    assert code == 0 and payload["sources"]["unreadable_provenance_lines"] == 0
    assert payload["modules"]["old"]["promoted_by"] == ["(unknown)"]
    assert payload["total"]["review"]["accepted"] == 0 and payload["total"]["ai"] == 2


def test_report_prints_the_tables_and_gives_everything_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_project(tmp_path)
    code, out, _ = run(capsys, "report", "--project", str(root))
    assert code == 0
    for heading in ("Promoted lines now", "Review of accepted", "Knowledge map", "Trend by week"):
        assert heading in out
    assert "legacy.old" in out and "no one explained its AI code" in out

    code, out, _ = run(capsys, "report", "--project", str(root), "--json")
    payload = json.loads(out)
    assert payload["total"]["promoted_lines"] == 6
    assert payload["total"]["changed_by_hand"] == 1  # Bob's edit of `half`
    assert [week["week"] for week in payload["weeks"]] == ["2026-W02", "2026-W03"]
    assert payload["modules"]["pkg.geo"]["people"] == [ADA, BOB]
    assert payload["modules"]["pkg.geo"]["git_authors"] == [ADA, BOB]
    (accepted,) = payload["accepted_proposals"]
    assert (accepted["to_run_s"], accepted["run_to_accept_s"], accepted["rubber_stamped"]) == (
        10.0,
        10.0,
        True,
    )
    assert accepted["files"] == ["pkg/geo.py"] and accepted["person"] == ADA
    assert payload["sources"]["git"] is True
