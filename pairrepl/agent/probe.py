"""What ``pairrepl doctor`` asks a model server: does it answer, and what does it take.

Three tiny requests (a few tokens each): a plain one (does it answer, do token counts
come with the stream), one offering the ``propose_cell`` tool, one with a small image.
A refusal is read as in ``server_features`` and said with the server's own words. What
was found is handed to the provider (``Provider.learn``), which remembers it for the
server's address: the next session sends only what the server takes, and images go to a
compatible server that was found to read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pairrepl.agent.drafts import PROPOSE_CELL_TOOL
from pairrepl.agent.protocol import (
    ImagePart,
    Message,
    ModelRequest,
    Provider,
    ProviderError,
    Usage,
)
from pairrepl.agent.server_features import ServerFeatures, refused_feature

# An 8x8 grey PNG: small enough for any server, a real image for any that reads them.
_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAAAAADhZOFXAAAADklEQVR4nGNogAIGyhgAgIQgAQ2AJGEAAAAASUVORK5CYII="


@dataclass(frozen=True)
class Probe:
    """One question put to the server: ``taken`` is None when it could not be told."""

    what: str  # "answers", "tools", "streamed token counts", "images"
    taken: bool | None
    detail: str = ""  # the server's words, or what pairrepl does about it

    def line(self) -> str:
        answer = {True: "yes", False: "no", None: "unknown"}[self.taken]
        return f"{self.what}: {answer}" + (f" ({self.detail})" if self.detail else "")


async def probe_server(provider: Provider) -> list[Probe]:
    """Ask the server what it takes; stop after the first request if it does not answer."""
    plain = _request()
    counted, error = await _ask(provider, plain)
    refused_usage = ""
    if error is not None and refused_feature(error) == "stream_usage":
        refused_usage = error.server_message
        provider.stop_sending("stream_usage", refused_usage)
        counted, error = await _ask(provider, plain)
    if error is not None:
        return [Probe("answers", False, str(error))]
    if refused_usage:
        counts = Probe(
            "streamed token counts", False, f"it refused stream_options: {refused_usage}"
        )
    else:
        counts = Probe(
            "streamed token counts", counted, "" if counted else "none came: cost unknown"
        )

    _, tools_error = await _ask(provider, _request(tools=True))
    tools = _verdict("tools", tools_error, "pairrepl asks for one fenced code block instead")
    _, images_error = await _ask(provider, _request(image=True))
    images = _verdict("images", images_error, "plots are not sent to it")
    learned = ServerFeatures(
        tools=tools.taken is not False, stream_usage=not refused_usage, images=images.taken
    )
    provider.learn(learned, "found by pairrepl doctor")
    return [Probe("answers", True), tools, counts, images]


def _request(*, tools: bool = False, image: bool = False) -> ModelRequest:
    text = "Reply with the word OK."
    return ModelRequest(
        system="This is a check of what the server accepts; answer in one word.",
        messages=(
            Message(
                "user",
                "This is a tiny grey image. " + text if image else text,
                images=(ImagePart("image/png", _PNG),) if image else (),
            ),
        ),
        tools=(PROPOSE_CELL_TOOL,) if tools else (),
        max_tokens=16,
    )


def _verdict(what: str, error: ProviderError | None, otherwise: str) -> Probe:
    if error is None:
        return Probe(what, True)
    if refused_feature(error) == "tools" or error.status in (400, 415, 422, 500):
        words = error.server_message or str(error)
        return Probe(what, False, f"{words}: {otherwise}")
    return Probe(what, None, str(error))


async def _ask(provider: Provider, request: ModelRequest) -> tuple[bool, ProviderError | None]:
    """(whether token counts came, the error if any) for one request, read to its end."""
    counted = False
    events = provider.stream(request)
    try:
        async for event in events:
            if isinstance(event, Usage) and (event.input_tokens or event.output_tokens):
                counted = True
    except ProviderError as error:
        return counted, error
    finally:
        close = getattr(events, "aclose", None)  # async generators have it
        if close is not None:
            await close()
    return counted, None
