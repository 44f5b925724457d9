"""中文 for generation on an OpenAI-compatible server (vLLM): --generation-server, --chat-server."""

ZH = {
    " · drawn by {engine}": " · 由 {engine} 抽取",
    "The generation server at {url} ({flag}) did not answer in time; please try again, or ask the teacher to "
    "check it.": "生成服务器 {url}（{flag}）没有及时回应；请再试一次，或请老师检查它。",
    "The generation server at {url} ({flag}) cannot be reached; please ask the teacher to start it, or to start "
    "the app without {flag}.": "无法连接生成服务器 {url}（{flag}）；请老师启动它，或不带 {flag} 启动本应用。",
    "The generation server at {url} ({flag}) refused the request: {message}": (
        "生成服务器 {url}（{flag}）拒绝了请求：{message}"
    ),
    "The server at {url} ({flag}) serves {served}, whose tokens differ from those of {model}: start it with the "
    "same model folder or Hub id as the app.": (
        "服务器 {url}（{flag}）提供的模型 {served} 与 {model} 的词元不同：请用与本应用相同的模型文件夹或 Hub id 启动它。"
    ),
}
