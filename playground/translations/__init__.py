"""Chinese translations of every English text people read, keyed by the English text (see playground.i18n).

One module per layer: `page` for the tabs, `messages` for what the tasks and models say (errors, notices),
`charts` for the pictures.
"""

from playground.translations import charts, lessons, messages, page

ZH: dict[str, str] = {**page.ZH, **messages.ZH, **charts.ZH, **lessons.ZH}
