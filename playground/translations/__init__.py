"""Chinese translations of every English text people read, keyed by the English text (see playground.i18n).

One module per layer: `page` for the tabs, `messages` for what the tasks and models say (errors, notices),
`charts` for the pictures; one module per later feature (its tab's words and sentences).
"""

from playground.translations import (
    charts,
    demo,
    evaluate,
    experiments,
    firstlook,
    hardening,
    lessons,
    messages,
    mlm,
    page,
    question_answering,
    translate,
)

ZH: dict[str, str] = {}
for _module in (
    page,
    messages,
    charts,
    hardening,
    mlm,
    question_answering,
    translate,
    evaluate,
    experiments,
    firstlook,
    lessons,
    demo,
):
    ZH.update(_module.ZH)
