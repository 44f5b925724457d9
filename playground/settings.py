"""Settings: which models to serve, where, and the limits on what a request may ask for.

Every flag can also be given as an environment variable `PLAYGROUND_<FLAG>` (dashes become underscores),
e.g. `PLAYGROUND_GENERATION_MODEL=./my-gpt2`. A flag on the command line wins over the variable.
`--preset` picks a model for every task of the registry; a model flag (`--<task>-model`, one per task)
replaces its task's model.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from playground.demo import demo_models
from playground.hub import check_endpoint
from playground.presets import DEFAULT_PRESET, PRESETS
from playground.registry import REGISTRY

DEFAULT_MODELS = PRESETS[DEFAULT_PRESET].model_ids
DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("auto", "float32", "float16", "bfloat16", "int8")
ENV_PREFIX = "PLAYGROUND_"
MCP_MISSING = (
    '--mcp needs the mcp package, which is not installed: pip install -e ".[mcp]" (or pip install "gradio[mcp]") '
    "adds it."
)
HUB_ENDPOINT_HELP = (  # `playground download --hub-endpoint` says the same
    "where models are downloaded from: a mirror of the Hugging Face Hub, e.g. https://hf-mirror.com where "
    "huggingface.co cannot be reached; the same as setting HF_ENDPOINT, which is used when this is not given"
)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 7860
    share: bool = False
    device: str = "auto"
    dtype: str = "auto"
    preset: str = DEFAULT_PRESET
    models: dict[str, str] = field(default_factory=dict)  # by task, the models that replace the preset's
    max_input_chars: int = 5000
    max_new_tokens_cap: int = 256
    max_attention_tokens: int = 128
    max_top_n: int = 100
    max_batch_size: int = 16
    max_batch_rows: int = 1000
    max_generation_batch: int = 16
    max_upload_mb: int = 20
    max_sessions: int = 200
    queue_size: int = 64
    memory_budget_mb: int = 0
    max_trainings: int = 1
    max_train_examples: int = 500
    max_train_steps: int = 2000
    max_train_chars: int = 100_000
    max_tiny_size: str = "medium"
    session_idle_minutes: int = 30
    allow_custom_models: bool = False
    offline: bool = False
    hub_endpoint: str = ""  # "" = HF_ENDPOINT if set, else https://huggingface.co
    demo: bool = False
    mcp: bool = False
    root_path: str = ""
    admin_password: str = field(default="", repr=False)  # "" = nobody may change or unload the models
    max_beams: int = 8
    generation_server: str = ""  # an OpenAI-compatible server (vLLM) that generates with the generation model
    chat_server: str = ""  # the same for the chat model

    def __post_init__(self):
        if self.preset not in PRESETS:
            raise ValueError(f"Unknown preset {self.preset!r}: choose one of {', '.join(PRESETS)}.")
        unknown = set(self.models) - set(REGISTRY)
        if unknown:
            raise ValueError(f"Unknown task {sorted(unknown)[0]!r}: choose one of {', '.join(REGISTRY)}.")
        if self.max_trainings < 1:
            raise ValueError("--max-trainings must be at least 1.")
        if self.max_tiny_size not in _CHOICES["max_tiny_size"]:
            raise ValueError(f"Unknown --max-tiny-size {self.max_tiny_size!r}: choose tiny, small or medium.")
        if self.root_path and not self.root_path.startswith(("/", "http://", "https://")):
            raise ValueError(
                f"--root-path {self.root_path!r} must start with / (e.g. /playground) or be a full http(s):// URL."
            )
        if self.hub_endpoint:
            object.__setattr__(self, "hub_endpoint", check_endpoint(self.hub_endpoint))

    def model_id(self, task: str) -> str:
        """The model id or folder configured for a task of the registry ("generation", "fill-mask", ...)."""
        if task in self.models:
            return self.models[task]
        if self.demo:
            return demo_models(self.preset)[task]
        return PRESETS[self.preset].model_ids[task]

    def server(self, task: str) -> str:
        """The generation server of a task's model ("" for none): --generation-server, --chat-server."""
        return {"generation": self.generation_server, "chat": self.chat_server}.get(task, "")

    @property
    def model_ids(self) -> dict[str, str]:
        """The model of every task, in the registry's order."""
        return {task: self.model_id(task) for task in REGISTRY}

    @classmethod
    def from_args(cls, argv: Sequence[str] | None = None, environ: dict[str, str] | None = None) -> Settings:
        """Settings from command-line flags, falling back to PLAYGROUND_* variables, then to defaults."""
        parser = build_parser(environ)
        options = vars(parser.parse_args(argv))
        options["offline"] = options["offline"] or options["demo"]  # the demo needs no network
        if options["offline"] and options["share"]:
            parser.error("--share needs the internet, so it cannot be used with --offline or --demo.")
        if options["mcp"] and importlib.util.find_spec("mcp") is None:
            parser.error(MCP_MISSING)
        chosen = {task: options.pop(spec.setting) for task, spec in REGISTRY.items()}
        models = {task: model_id for task, model_id in chosen.items() if model_id is not None}
        try:
            return cls(**options, models=models)
        except ValueError as error:  # a bad value in a PLAYGROUND_* variable (argparse checks only flags)
            parser.error(str(error))


_HELP = {
    "host": "address to listen on; 0.0.0.0 lets other machines on the network connect",
    "port": "port to listen on",
    "share": "also open a temporary public gradio.live link",
    "device": "where models run: auto picks cuda, then mps, then cpu",
    "dtype": "precision of the weights: auto is float32 on CPU (the exact numbers of the reference code) and "
    "bfloat16/float16 on GPUs; on a CPU, int8 is the fast path (weights quantized once at load: generation "
    "several times faster, probabilities within 0.02), and int8, bfloat16 and float16 run from a copy beside "
    "the float32 model, which attention, Inside, experiments and training keep reading (exact; more memory)",
    "preset": "a model for every task, at pinned revisions: en (GPT-2, BERT, DistilBERT SST-2) or zh (Chinese "
    "GPT-2, Chinese BERT, Chinese RoBERTa for reviews); the model flags replace single ones",
    "max_input_chars": "longest text a request may send, in characters",
    "max_new_tokens_cap": "most tokens one generation request may ask for",
    "max_attention_tokens": "attention views keep at most this many tokens (the rest is cut, with a notice)",
    "max_top_n": "most next-token candidates one /next_token request may ask for",
    "max_batch_size": "most fill-mask or sentiment requests that arrive together and are answered with one "
    "forward pass; 1 answers each request on its own",
    "max_generation_batch": "most rows (generations in flight, each sample a row) decoded together in one "
    "forward pass per token by the shared decoding loop; more wait their turn, first come first served; "
    "0 decodes each generation on its own, in its request's thread",
    "max_batch_rows": "most texts one batch classification (lines or CSV rows) may take",
    "max_upload_mb": "largest file one upload may be, in MB (gradio refuses bigger ones before they are "
    "stored); CSV files are read up to 20 MB",
    "max_sessions": "most visitors' sessions whose state (each tab's last results) the server keeps; the least "
    "recently active is forgotten first (gradio's state_session_capacity; its default, 10,000, could hold "
    "gigabytes)",
    "queue_size": "most requests waiting in the queue before new ones are turned away",
    "max_trainings": "most trainings (Train tab, /fine_tune, /train_tiny) running at once; the others wait in "
    "a queue that shows their place",
    "max_train_examples": "most labelled sentences one fine-tuning may use",
    "max_train_steps": "most optimisation steps one training may take (fine-tuning: epochs x batches)",
    "max_train_chars": "longest text, in characters, a tiny GPT may be pretrained on",
    "max_tiny_size": "the largest tiny GPT visitors may pretrain",
    "session_idle_minutes": "a visitor's trained models are freed when their page closes, or after this many "
    "minutes unused",
    "allow_custom_models": "let people load other Hub models or local folders from the System tab "
    "(off by default: on a public server anyone could make it download and run any model)",
    "memory_budget_mb": "most MB of model weights kept loaded; the least recently used model is unloaded "
    "to make room (0 = no limit)",
    "admin_password": "password that lets a teacher change or unload the server's models in the System tab "
    "(without one, those controls are not shown and nobody can use them)",
    "offline": "use no network: models come only from this computer's cache (prepare them with "
    "`playground download`), and gradio sends no analytics",
    "mcp": "also serve the endpoints as MCP tools for AI assistants, at /gradio_api/mcp/ (needs the mcp extra: "
    'pip install -e ".[mcp]")',
    "root_path": "the path prefix under which a reverse proxy serves the app, e.g. /playground (gradio's "
    "root_path; empty: GRADIO_ROOT_PATH, or none)",
    "hub_endpoint": HUB_ENDPOINT_HELP,
    "max_beams": "most beams (num_beams) one translation may search with",
    "generation_server": "an OpenAI-compatible server's base URL, e.g. http://127.0.0.1:8000/v1 (vLLM, started "
    "with --logprobs-mode processed_logprobs) serving the same model as --generation-model: it draws every "
    "generated token and next-token distribution; the local copy still serves attention, Inside and experiments",
    "chat_server": "the same as --generation-server, for the chat model (--chat-model): Chat, /chat, and the "
    "chat model's translations and summaries",
    "demo": "serve tiny models made on this computer (about a minute, the first time only; kept in "
    "~/.cache/transformer-playground): no download, no internet; their answers only show how the app works",
}
_SECRET = {"admin_password"}
_SHOWN_DEFAULTS = {"hub_endpoint": "HF_ENDPOINT, else https://huggingface.co"}
_CHOICES = {
    "device": DEVICES,
    "dtype": DTYPES,
    "preset": tuple(PRESETS),
    "max_tiny_size": ("tiny", "small", "medium"),
}


def _env_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def build_parser(environ: dict[str, str] | None = None) -> argparse.ArgumentParser:
    """The argparse parser for `python app.py` / `playground`, with defaults taken from the environment."""
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(
        prog="playground",
        description="Transformer Playground: a web app to see how language models work. "
        f"Each flag can also be set with an environment variable {ENV_PREFIX}<FLAG>, "
        f"e.g. {ENV_PREFIX}GENERATION_MODEL.",
        epilog="To use it without internet later, fetch a preset's models first: "
        "playground download --preset en|zh|all (see playground download --help).",
    )
    for setting in fields(Settings):
        if setting.name == "models":  # one flag per task of the registry, after the preset
            for spec in REGISTRY.values():
                env_name = ENV_PREFIX + spec.setting.upper()
                parser.add_argument(
                    spec.flag,
                    default=env.get(env_name),
                    help=f"{spec.help}; replaces the preset's (env {env_name})",
                )
            continue
        flag = "--" + setting.name.replace("_", "-")
        env_name = ENV_PREFIX + setting.name.upper()
        help_text = f"{_HELP[setting.name]} (env {env_name}"
        if setting.type == "bool":
            default = _env_bool(env[env_name]) if env_name in env else setting.default
            parser.add_argument(flag, action="store_true", default=default, help=help_text + ")")
            continue
        kind = int if setting.type == "int" else str
        default = kind(env[env_name]) if env_name in env else setting.default
        shown = "hidden" if setting.name in _SECRET else default  # --help never prints a password
        shown = _SHOWN_DEFAULTS.get(setting.name, shown)
        parser.add_argument(
            flag,
            type=kind,
            default=default,
            choices=_CHOICES.get(setting.name),
            help=f"{help_text}; default: {shown})",
        )
    return parser
