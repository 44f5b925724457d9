"""Chinese translations of every English text people read, keyed by the English text (see playground.i18n).

One module per layer: `page` for the tabs, `messages` for what the tasks and models say (errors, notices),
`charts` for the pictures; one module per later feature (its tab's words and sentences).
"""

from playground.translations import (
    charts,
    classfirst,
    demo,
    dtype,
    encdec,
    evaluate,
    experiments,
    experiments2,
    firstlook,
    firstlook3,
    hardening,
    hardening2,
    lessons,
    lessons4,
    messages,
    mlm,
    mlm2,
    page,
    question_answering,
    tokmarks,
    translate,
    vllm,
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
    encdec,
    experiments2,
    dtype,
    vllm,
    lessons4,
    hardening2,
    mlm2,
    demo,
    tokmarks,
    classfirst,
    firstlook3,
):
    ZH.update(_module.ZH)
