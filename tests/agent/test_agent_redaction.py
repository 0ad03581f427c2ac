"""No secret reaches a model (invariant: context is bounded and clean), checked on the
bytes the server received; and what is not a secret (a pandas KeyError) goes through whole."""

from __future__ import annotations

import traceback

import pandas as pd
import pytest

from pairrepl.agent import Redactor, build_context, looks_secret
from pairrepl.agent.redaction import REDACTED
from pairrepl.core import NamespaceSummary, StreamOutput, VariableSummary
from pairrepl.core.events import CellFinished, CellSubmitted, OutputProduced
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.outputs import ErrorOutput
from pairrepl.core.transcript import Transcript
from pairrepl_kernel.values import looks_secret as kernel_looks_secret

from .fake_llm_server import propose
from .support import API_KEY, SDKS

CANARY = "canary-123"
SERVICE_URL = "https://internal.example:8443/private"


def transcript_with_secrets() -> Transcript:
    transcript = Transcript()
    cells = [
        ("c1", f'SECRET_TOKEN = "{CANARY}"\nprices = [3.5, None, 4.0]', ""),
        ("c2", "print(SECRET_TOKEN)", f"{CANARY}\n"),
        ("c3", "import os; print(os.environ['SERVICE_URL'])", f"{SERVICE_URL}\n"),
        ("c4", "print(api_key)", f"{API_KEY}\n"),
        ("c5", 'config = {"password": "hunter22", "user": "ada"}\nconfig', ""),
    ]
    for cell_id, code, printed in cells:
        transcript.apply(CellSubmitted(cell_id, code))
        if printed:
            transcript.apply(OutputProduced(cell_id, StreamOutput("stdout", printed)))
        transcript.apply(CellFinished(cell_id, 1, ExecutionStatus.OK, 0.01))
    return transcript


NAMESPACE = NamespaceSummary(
    variables=(
        VariableSummary("SECRET_TOKEN", "str", size="10", repr=f"'{CANARY}'"),
        VariableSummary("prices", "list", size="3", repr="[3.5, None, 4.0]"),
        VariableSummary("config", "dict", size="2", repr="{'password': 'hunter22', 'user': 'ada'}"),
    )
)


@pytest.mark.parametrize("sdk", SDKS)
async def test_the_canary_never_reaches_the_server(sdk, server, agent_for, monkeypatch):
    monkeypatch.setenv("SECRET_TOKEN", CANARY)
    monkeypatch.setenv("SERVICE_URL", SERVICE_URL)
    context = build_context(
        "Why does $SECRET_TOKEN not work with $prices?",
        transcript=transcript_with_secrets(),
        namespace=NAMESPACE,
        object_views={"SECRET_TOKEN": f"'{CANARY}'", "prices": "[3.5, None, 4.0]"},
    )
    # The model's first (oversized) proposal echoes the canary; our correction sends that
    # turn back to it, so the echo must be scrubbed too.
    echo = "\n".join([f'print("{CANARY}")'] * 20)
    server.script(propose(echo), propose("len(prices)"))

    reply = await agent_for(sdk).ask(context)

    assert reply.proposal is not None
    assert len(server.requests) == 2
    for body in server.bodies:
        assert CANARY not in body
        assert API_KEY not in body
        assert SERVICE_URL not in body
        assert "hunter22" not in body
        assert "[3.5, None, 4.0]" in body  # ordinary values still go through
    assert "<redacted>" in server.bodies[0]
    assert "<env:SERVICE_URL>" in server.bodies[0]


SECRET_NAMES = (
    "API_KEY",
    "'token'",  # a dict key as the kernel's inspector labels it
    "github_token",
    "clientSecret",
    "PASSWORD",
    "db_passwd",
    "PGPASSWORD",
    "AWS_SECRET_ACCESS_KEY",
    "apiKey",
    "x-api-key",
    "stripe_key",
    "Authorization",
)
ORDINARY_NAMES = (
    "prices",
    "df",
    "total",
    "monday",
    "monkey",
    "key",
    "keys",
    "KeyError",
    "sort_key",
    "primary_key",
    "max_tokens",
    "tokens",
    "tokenizer",
    "keyword",
    "SSH_AUTH_SOCK",
)


def test_secret_looking_names():
    for name in SECRET_NAMES:
        assert looks_secret(name), name
    for name in ORDINARY_NAMES:
        assert not looks_secret(name), name


def test_the_kernel_judges_names_as_the_agent_does():
    """pairrepl_kernel may import nothing of pairrepl, so it keeps its own copy of the rule."""
    for name in SECRET_NAMES + ORDINARY_NAMES:
        assert kernel_looks_secret(name) == looks_secret(name), name


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ('API_KEY = "sk-abc123"', "sk-abc123"),
        ("api_key: str = 'sk-abc123'", "sk-abc123"),
        ('client = Client(api_key="sk-abc123")', "sk-abc123"),
        ("{'token': 'sk-abc123', 'n': 3}", "sk-abc123"),
        ('os.environ["MY_SECRET"] = "sk-abc123"', "sk-abc123"),
        ('password = """sk-abc123"""', "sk-abc123"),
    ],
)
def test_assigned_secrets_are_redacted_in_text(text, hidden):
    redactor = Redactor()
    scrubbed = redactor.scrub(text)
    assert hidden not in scrubbed
    assert "<redacted>" in scrubbed
    assert redactor.scrub(f"later output: {hidden}") == "later output: <redacted>"


def test_ordinary_code_is_left_alone():
    code = 'max_tokens = 2048\nkeys = list(d)\nprices = [1, 2]\nname = "ada"'
    assert Redactor().scrub(code) == code


def test_environment_values_become_names_and_secret_ones_vanish():
    redactor = Redactor.from_environment(
        environ={"HOME": "/home/ada-lovelace", "OPENAI_API_KEY": "sk-live-999", "LANG": "C"}
    )
    text = "open('/home/ada-lovelace/data.csv') with sk-live-999 in C"
    assert redactor.scrub(text) == "open('<env:HOME>/data.csv') with <redacted> in C"


def test_a_secret_named_view_is_hidden_whole():
    redactor = Redactor()
    view = redactor.object_view("db_password", "'correct horse'")
    assert "correct horse" not in view
    assert redactor.scrub("it was correct horse") == "it was <redacted>"


def test_namespace_summary_hides_values_of_secret_names():
    redacted = Redactor().namespace(NAMESPACE)
    by_name = redacted.by_name()
    assert by_name["SECRET_TOKEN"].repr == "<redacted>"
    assert by_name["SECRET_TOKEN"].type_name == "str"
    assert by_name["prices"].repr == "[3.5, None, 4.0]"
    assert "hunter22" not in by_name["config"].repr


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("conn = connect('postgres://ada:s3cr3t-pw@db.internal:5432/prod')", "s3cr3t-pw"),
        ("engine = create_engine(url)  # mysql+pymysql://svc:hunter22@10.0.0.5/app", "hunter22"),
        (
            "client = OpenAI(api='sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv')",
            "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv",
        ),
        (
            "print(cfg)  # {'gh': 'ghp_0123456789abcdefghijABCDEFGHIJ012345'}",
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        ),
        ("aws_id = os.environ.get('X', 'AKIAIOSFODNN7EXAMPLE')", "AKIAIOSFODNN7EXAMPLE"),
        (
            "slack = 'xoxb-2210-12345678901-abcdefGHIJKLmnop'",
            "xoxb-2210-12345678901-abcdefGHIJKLmnop",
        ),
        (
            "headers = {'X': 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.dBjftJeZ4CVPmB92K27uhbUJU1p'}",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.dBjftJeZ4CVPmB92K27uhbUJU1p",
        ),
        (
            "print(open('id_rsa').read())\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
            "MIIEow",
        ),
    ],
)
def test_secrets_are_scrubbed_by_their_form_whatever_their_name(text: str, secret: str) -> None:
    scrubbed = Redactor().scrub(text)
    assert secret not in scrubbed and REDACTED in scrubbed


def test_urls_without_a_password_and_ordinary_words_are_left_alone() -> None:
    for text in (
        "https://example.com/a:b@c is a path, not a password",
        "see https://docs.python.org/3/library/re.html",
        "rows = table.skip-this-step  # sk- inside words is no token",
    ):
        assert Redactor().scrub(text) == text


def pandas_failure(code: str, frame: object) -> ErrorOutput:
    """What pandas really raises for ``code``, as the kernel would show it."""
    try:
        eval(code, {"df": frame, "pd": pd})
    except Exception as error:
        lines = traceback.format_exception(error)
        return ErrorOutput(type(error).__name__, str(error), tuple(lines))
    raise AssertionError(f"{code} did not raise")


PANDAS_MISTAKES = [
    ("df['close']", "close"),  # the most common pandas error of all
    ("df.groupby(pd.Grouper(key='tickr')).size()", "tickr"),
    ("df.sort_values('close', key=lambda s: s)", "close"),
    ("df.loc[:, ['close']]", "close"),
    ("df.pivot(index='date', columns='ticker', values='close')", "close"),
]


@pytest.mark.parametrize(("code", "column"), PANDAS_MISTAKES)
def test_real_pandas_errors_reach_the_model_whole(code, column):
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-02", "2024-01-03"]),
            "ticker": ["A", "B"],
            "Close": [1.0, 2.0],
        }
    )
    failure = pandas_failure(code, frame)
    transcript = Transcript()
    transcript.apply(CellSubmitted("c1", code))
    transcript.apply(OutputProduced("c1", failure))
    transcript.apply(CellFinished("c1", 1, ExecutionStatus.ERROR, 0.01))
    transcript.apply(CellSubmitted("c2", 'API_KEY = "sk-abc123"'))
    transcript.apply(CellFinished("c2", 2, ExecutionStatus.OK, 0.01))

    context = build_context("why did that fail?", transcript=transcript, redactor=Redactor())
    text = context.messages[-1].text
    assert code in text, "the cell's code went in unchanged"
    assert f"KeyError: {failure.evalue}" in text or str(failure.evalue) in text
    assert f"'{column}'" in text or f"{column} " in text
    assert "sk-abc123" not in text and "<redacted>" in text  # the real secret still goes
