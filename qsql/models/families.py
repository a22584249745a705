"""What each documented model family accepts and demands, by model name.

One table of facts (sources: the DashScope reference in docs/reference.md, "Model families"),
used at CREATE MODEL to refuse what the service would refuse and to decide what qsql sends when
the user says nothing; the stub (qsql/stub/rules.py) enforces the same facts from the other side.

Thinking, per family:

* ``never``     cannot think; ``enable_thinking`` is refused by the service, so never sent
* ``off``       hybrid, does not think unless asked (commercial qwen-plus/flash/turbo ...)
* ``on``        hybrid, thinks by default (Qwen3 open-source, Qwen3.5)
* ``always``    thinking-only (QwQ, QVQ, ``-thinking`` variants)

A model that thinks answers only when streaming (Qwen3 open-source refuses a non-streaming call
unless ``enable_thinking`` is false; QwQ/QVQ are streaming-only), so qsql streams whenever the
model will think. qsql keeps each model's own default and sends ``enable_thinking`` only when
the user sets 'enable-thinking'.
"""

from __future__ import annotations

import re

from ..lazydataclass import lazy_dataclass

NEVER = "never"
OFF = "off"
ON = "on"
ALWAYS = "always"

QWEN3_OPEN_SOURCE = re.compile(r"^qwen3-(0\.6b|1\.7b|4b|8b|14b|32b|30b-a3b|235b-a22b)$")


@lazy_dataclass(frozen=True)
class Family:
    name: str  # for messages and the docs table
    thinking: str = NEVER
    # No system message (Qwen-MT: a system message is refused, "Role must be in [user, assistant]").
    system_message: bool = True
    # Qwen-MT: translation_options with a target language.
    translation: bool = False
    # Qwen's n > 1 is for qwen-plus, Qwen3 (non-thinking) and qwen-plus-character only.
    multiple_choices: bool = True
    # Whether a streamed reply comes in increments. Of Qwen-MT, only qwen-mt-flash is documented
    # to stream incrementally (docs.qwencloud.com, "Machine translation (Qwen-MT)"); the others
    # stream the whole text so far in each chunk, which joined would repeat it.
    incremental_stream: bool = True


def qwen_family(model: str) -> Family:
    """The family of a DashScope chat model name."""
    name = model.lower()
    if name.startswith("qwen-mt-") or name == "qwen-mt":
        return Family(
            "Qwen-MT",
            NEVER,
            system_message=False,
            translation=True,
            multiple_choices=False,
            incremental_stream=name.startswith("qwen-mt-flash"),
        )
    if name.startswith(("qwq", "qvq")) or name.endswith("-thinking") or "-thinking-" in name:
        return Family("QwQ / QVQ / -thinking", ALWAYS, multiple_choices=False)
    if "-instruct" in name:
        return Family("Qwen3 instruct (non-thinking only)", NEVER, multiple_choices=name.startswith("qwen3"))
    if name.startswith("qwen3.5"):
        return Family("Qwen3.5", ON, multiple_choices=False)
    if QWEN3_OPEN_SOURCE.match(name):
        return Family("Qwen3 open-source", ON)
    if name.startswith(("qwen-plus", "qwen-flash", "qwen-turbo")):
        return Family("Qwen commercial (qwen-plus/flash/turbo)", OFF, multiple_choices=name.startswith("qwen-plus"))
    if name.startswith("qwen3-max"):
        return Family("Qwen3-Max", OFF, multiple_choices=False)
    if name.startswith(("qwen-max", "qwen-long", "qwen2", "qwen-vl", "qwen-coder")):
        return Family("Qwen (no thinking)", NEVER, multiple_choices=False)
    if name.startswith("qwen3"):
        return Family("Qwen3 (other)", OFF)
    return Family("other", OFF)


def will_think(family: Family, enable_thinking: bool | None) -> bool:
    if family.thinking == ALWAYS:
        return True
    if family.thinking == NEVER:
        return False
    if enable_thinking is not None:
        return enable_thinking
    return family.thinking == ON
