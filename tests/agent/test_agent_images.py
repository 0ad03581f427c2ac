"""Plots in the context: shrunk, within the budget, only from visible cells, only for
providers that take images, and in each wire format (real SDKs against the fake server)."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator

import pytest
from PIL import Image, ImageDraw

from pairrepl.agent import (
    Agent,
    ContextLimits,
    ModelContext,
    Provider,
    Redactor,
    ReplayProvider,
    build_context,
    estimate_tokens,
)
from pairrepl.agent.anthropic_provider import AnthropicProvider
from pairrepl.agent.openai_provider import OpenAIProvider
from pairrepl.core.events import CellFinished, CellSubmitted, OutputProduced
from pairrepl.core.execution import ExecutionStatus
from pairrepl.core.outputs import DisplayOutput, Output, ResultOutput
from pairrepl.core.transcript import Transcript

from .fake_llm_server import FakeLLMServer, Turn
from .support import API_KEY, FAST_RETRIES, SDKS


def png(width: int, height: int, colour: str = "navy") -> str:
    """A real PNG, base64-encoded as Jupyter sends ``image/png``: a line plot-ish picture."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(0, height - 1), (width // 2, 0), (width - 1, height // 2)], fill=colour, width=9)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def plot(data: str) -> DisplayOutput:
    return DisplayOutput({"image/png": data, "text/plain": "<Figure size 2000x1000 with 1 Axes>"})


def transcript_with(*cells: tuple[str, list[Output]]) -> Transcript:
    transcript = Transcript()
    for number, (cell_id, outputs) in enumerate(cells, 1):
        transcript.apply(CellSubmitted(cell_id, f"plt.plot(series_{number})"))
        for output in outputs:
            transcript.apply(OutputProduced(cell_id, output))
        transcript.apply(CellFinished(cell_id, number, ExecutionStatus.OK, 0.0))
    return transcript


def build(transcript: Transcript, **options) -> ModelContext:
    options.setdefault("images", True)
    return build_context(
        "What does the plot show?", transcript=transcript, redactor=Redactor(), **options
    )


def decoded(data_base64: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(data_base64)))
    image.load()
    return image


def sent_images(body: dict, sdk: str) -> list[Image.Image]:
    """The images in the last user message of a request body, read the way each API does."""
    content = body["messages"][-1]["content"]
    if isinstance(content, str):
        return []
    images = []
    for part in content:
        if sdk == "anthropic" and part["type"] == "image":
            assert part["source"]["type"] == "base64"
            assert part["source"]["media_type"] == "image/png"
            images.append(decoded(part["source"]["data"]))
        elif sdk == "openai" and part["type"] == "image_url":
            prefix = "data:image/png;base64,"
            assert part["image_url"]["url"].startswith(prefix)
            images.append(decoded(part["image_url"]["url"][len(prefix) :]))
    return images


def sent_text(body: dict) -> str:
    content = body["messages"][-1]["content"]
    if isinstance(content, str):
        return content
    return "".join(part["text"] for part in content if part["type"] == "text")


BIG_PLOT = png(2000, 1000)


# --- over HTTP, both SDKs ------------------------------------------------------------------


@pytest.fixture
async def image_provider(server: FakeLLMServer) -> AsyncIterator:
    made: list[Provider] = []

    def make(sdk: str, *, takes_images: bool = True) -> Provider:
        provider: Provider
        if sdk == "anthropic":
            provider = AnthropicProvider("claude-fake", API_KEY, base_url=server.url)
            provider.takes_images = takes_images
        else:
            provider = OpenAIProvider(
                "gpt-fake", API_KEY, base_url=server.url + "/v1", takes_images=takes_images
            )
        made.append(provider)
        return provider

    yield make
    for provider in made:
        await provider.aclose()


@pytest.mark.parametrize("sdk", SDKS)
async def test_a_plot_goes_out_shrunk_in_each_wire_format(sdk, server, image_provider):
    provider = image_provider(sdk)
    assert provider.takes_images
    context = build(transcript_with(("c1", [plot(BIG_PLOT)])), images=provider.takes_images)
    server.script(Turn(text="A rise, then a fall."))

    reply = await Agent(provider, retry=FAST_RETRIES).ask(context)

    assert reply.error is None
    body = server.requests[0].json
    [image] = sent_images(body, sdk)
    assert max(image.size) <= 512
    assert image.size == (512, 256), "proportions kept"
    assert image.format == "PNG"
    text = sent_text(body)
    assert "image 1, 512x256 px (shrunk from 2000x1000): displayed by cell c1 (In [1])" in text
    assert BIG_PLOT not in server.requests[0].body, "the full-size plot never goes out"


@pytest.mark.parametrize("sdk", SDKS)
async def test_a_provider_that_takes_no_images_gets_none(sdk, server, image_provider):
    provider = image_provider(sdk, takes_images=False)
    context = build(transcript_with(("c1", [plot(BIG_PLOT)])), images=provider.takes_images)
    server.script(Turn(text="ok"))

    reply = await Agent(provider, retry=FAST_RETRIES).ask(context)

    assert reply.error is None
    body = server.requests[0].json
    assert sent_images(body, sdk) == []
    assert "Plots attached" not in sent_text(body)
    assert '"image' not in server.requests[0].body
    assert context.images_included == 0 and context.image_tokens == 0


def test_which_providers_take_images():
    assert ReplayProvider([]).takes_images is False
    assert AnthropicProvider("claude-x", "k").takes_images is True
    assert OpenAIProvider("gpt-x", "k").takes_images is True
    # A compatible server (Ollama, vLLM...) may run a text-only model: none unless asked.
    assert OpenAIProvider("llama", "", base_url="http://localhost:11434/v1").takes_images is False
    local = OpenAIProvider("llava", "", base_url="http://localhost:11434/v1", takes_images=True)
    assert local.takes_images is True


# --- what build_context puts in ------------------------------------------------------------


def test_the_plot_is_counted_against_the_budget():
    context = build(transcript_with(("c1", [plot(BIG_PLOT)])))
    message = context.messages[-1]
    assert context.images_included == 1
    assert context.image_tokens == 175  # 512*256/750, rounded up
    assert context.tokens_used == (
        estimate_tokens(context.system) + estimate_tokens(message.text) + 175
    )
    assert context.tokens_used <= context.budget_tokens


def test_images_false_means_no_images():
    context = build(transcript_with(("c1", [plot(BIG_PLOT)])), images=False)
    assert context.messages[-1].images == ()
    assert "Plots attached" not in context.messages[-1].text
    assert context.images_included == 0


def test_a_plot_that_does_not_fit_the_budget_is_left_out():
    transcript = transcript_with(("c1", [plot(BIG_PLOT)]))
    context = build(transcript, limits=ContextLimits(budget_tokens=2000, images_share=0.05))
    assert context.messages[-1].images == ()
    assert context.images_included == 0 and context.images_omitted == 1
    assert "1 more plot(s) left out for space" in context.messages[-1].text
    assert context.tokens_used <= 2000


def test_the_newest_plot_wins_when_only_one_fits():
    transcript = transcript_with(("c1", [plot(png(2000, 1000, "red"))]), ("c2", [plot(BIG_PLOT)]))
    # 300 tokens for images: one 512x256 plot (175) fits, two do not.
    context = build(transcript, limits=ContextLimits(budget_tokens=2000, images_share=0.15))
    text = context.messages[-1].text
    assert context.images_included == 1 and context.images_omitted == 1
    assert "displayed by cell c2 (In [2])" in text and "displayed by cell c1" not in text
    assert (
        context.messages[-1].images[0].data_base64
        == build(transcript_with(("c2", [plot(BIG_PLOT)]))).messages[-1].images[0].data_base64
    )


def test_at_most_max_images_newest_plots_oldest_first():
    plots = [png(800, 600, colour) for colour in ("red", "green", "blue")]
    transcript = transcript_with(*((f"c{n}", [plot(data)]) for n, data in enumerate(plots, 1)))
    context = build(transcript, limits=ContextLimits(max_images=2))
    text = context.messages[-1].text
    assert context.images_included == 2 and context.images_omitted == 0
    assert "displayed by cell c1" not in text
    assert text.index("image 1, 512x384 px (shrunk from 800x600): displayed by cell c2") < (
        text.index("image 2, 512x384 px (shrunk from 800x600): displayed by cell c3")
    )
    greens = decoded(context.messages[-1].images[0].data_base64).convert("RGB")
    assert (0, 128, 0) in {colour for _, colour in greens.getcolors(1 << 20)}


def test_hidden_cells_images_never_go_in():
    transcript = transcript_with(("c1", [plot(png(300, 200))]), ("c2", [plot(BIG_PLOT)]))
    context = build(transcript, hidden={"c2"})
    assert context.images_included == 1
    assert "cell c1" in context.messages[-1].text and "c2" not in context.messages[-1].text
    assert decoded(context.messages[-1].images[0].data_base64).size == (300, 200)
    nothing = build(transcript, hidden={"c1", "c2"})
    assert nothing.messages[-1].images == () and nothing.images_included == 0


def test_a_small_plot_is_not_enlarged_and_a_result_png_counts_too():
    transcript = transcript_with(("c1", [ResultOutput({"image/png": png(120, 80)}, 1)]))
    context = build(transcript)
    [part] = context.messages[-1].images
    assert part.media_type == "image/png"
    assert decoded(part.data_base64).size == (120, 80)
    assert "image 1, 120x80 px: displayed by cell c1 (In [1])" in context.messages[-1].text


def test_a_corrupt_png_is_skipped_with_a_note():
    raw = base64.b64decode(BIG_PLOT)
    truncated = base64.b64encode(raw[: len(raw) // 2]).decode()
    garbage = base64.b64encode(b"this is not a png at all").decode()
    transcript = transcript_with(
        ("c1", [plot(png(400, 200))]), ("c2", [plot(truncated)]), ("c3", [plot(garbage)])
    )
    context = build(transcript, limits=ContextLimits(max_images=3))
    text = context.messages[-1].text
    assert context.images_included == 1
    assert "displayed by cell c1 (In [1])" in text
    assert "cell c2 (In [2]) displayed a PNG that is left out: it could not be decoded" in text
    assert "cell c3 (In [3]) displayed a PNG that is left out: it could not be decoded" in text


def test_a_custom_size_limit():
    context = build(
        transcript_with(("c1", [plot(BIG_PLOT)])), limits=ContextLimits(image_max_side=256)
    )
    assert decoded(context.messages[-1].images[0].data_base64).size == (256, 128)
    assert context.image_tokens == 44  # 256*128/750, rounded up
