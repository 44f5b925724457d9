"""Chinese for the texts of the third first-look pass (issue 26): what a newcomer's walk of the demo found."""

ZH: dict[str, str] = {
    "There is no answer to score yet: translate or summarize first, then click here.": "还没有可评分的回答：请先"
    "翻译或摘要，再点这里。",
}
