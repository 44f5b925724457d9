"""Model presets: one model per task (playground.registry) for one language, each pinned to a Hub commit.

A pinned revision means every classroom runs the same weights and tokenizer, whatever is pushed to the Hub
later, and that `playground download --preset zh` fetches exactly what `playground --offline --preset zh`
loads. Pure data: settings.py reads it while answering `--help`, so nothing heavy is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass

# ModelScope copies (`playground download --source modelscope`, for networks where huggingface.co cannot be
# reached). Each id below comes from public code that downloads it with modelscope's snapshot_download or
# `modelscope download --model ID`; none could be verified from the machine this was written on (no
# internet), nor whether the copy holds the same files as the Hub commit pinned beside it. ModelScope
# repositories are git repositories whose branch is "master" (what all that public code fetches); no commit
# id of these copies could be found, so the revision is the branch: replace it with a commit id to pin one.
MODELSCOPE_REVISION = "master"


@dataclass(frozen=True)
class PinnedModel:
    model_id: str  # a Hugging Face Hub id
    revision: str  # the commit (40 hex digits) the preset loads
    modelscope_id: str | None = None  # its copy on ModelScope (`playground download --source modelscope`)
    modelscope_revision: str = MODELSCOPE_REVISION  # the branch or commit of that copy to fetch


@dataclass(frozen=True)
class Preset:
    name: str  # what --preset takes
    label: str  # what the System tab shows
    models: dict[str, PinnedModel]  # the model of each task of the registry

    @property
    def model_ids(self) -> dict[str, str]:
        return {task: model.model_id for task, model in self.models.items()}


# Where each commit was found (the Hub itself could not be reached while this was written): the
# `models--<org>--<name>/snapshots/<commit>/` folders of Hugging Face caches quoted in public code, several
# independent projects each, and for two of them transformers' own pipeline defaults. The models without a
# modelscope_id (DistilBERT SST-2, SmolLM2, both uer models) have no ModelScope copy known from public code:
# `playground download --source modelscope` names them and points to the mirror (--hub-endpoint).
PRESETS = {
    "en": Preset(
        name="en",
        label="English",
        models={
            # transformers' pipeline default for text-generation ("607a30d"); cache paths of both
            # models--openai-community--gpt2 and models--gpt2 (the repository before its rename).
            # ModelScope: AI-ModelScope/gpt2, from a shell script running `modelscope download --model
            # AI-ModelScope/gpt2` (yangjingla/better-sh, hf_download/ms_snapshot_download.sh).
            "generation": PinnedModel(
                "openai-community/gpt2",
                "607a30d783dfa663caf39e06633721c8d4cfcd7e",
                modelscope_id="AI-ModelScope/gpt2",
            ),
            # cache paths models--google-bert--bert-base-uncased/snapshots/86b5e09… in several projects.
            # ModelScope: AI-ModelScope/bert-base-uncased, named in issue 17 as known from public code (not
            # found again in the code searched while writing this).
            "fill-mask": PinnedModel(
                "google-bert/bert-base-uncased",
                "86b5e0934494bd15c9632b12f734a8a67f723594",
                modelscope_id="AI-ModelScope/bert-base-uncased",
            ),
            # transformers' pipeline default for text-classification ("714eb0f"), and cache paths.
            "sentiment": PinnedModel(
                "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
                "714eb0fa89d2f80546fda750413ed43d93601a13",
            ),
            # a Llama-architecture instruct model with a ChatML template (<|im_start|>, <|im_end|>). Commit from
            # public code pinning it (a manifest checker, a model table, several scripts: revision 12fd25f…),
            # newer than a91318b… that older scripts pin.
            "chat": PinnedModel(
                "HuggingFaceTB/SmolLM2-135M-Instruct", "12fd25f77366fa6b3b4b768ec3050bf629380bac"
            ),
            # transformers' old question-answering pipeline default (its SUPPORTED_TASKS pinned "626af31", a
            # short id whose full commit was found nowhere). This commit: public code pinning
            # READER_REVISION / PINNED_MODEL_REVISION = "564e9b5…" for this id, revision listings of a Hub cache
            # ("Repo: distilbert/distilbert-base-cased-distilled-squad. Revisions ['564e9b5…']"), and cache paths
            # models--distilbert-base-cased-distilled-squad/snapshots/564e9b5… (the id before its rename).
            "question-answering": PinnedModel(
                "distilbert/distilbert-base-cased-distilled-squad", "564e9b582944a57a3e586bbb98fd6f0a4118db7f"
            ),
            # Marian (the encoder-decoder of the original Transformer), English to Chinese. Commit from cache
            # paths models--Helsinki-NLP--opus-mt-en-zh/snapshots/408d9bc… in several independent projects (a
            # translation CLI's README, a Flask service's paths, a poetry app's config); a4193836… is older.
            "translation": PinnedModel(
                "Helsinki-NLP/opus-mt-en-zh", "408d9bc410a388e1d9aef112a2daba955b945255"
            ),
        },
    ),
    "zh": Preset(
        name="zh",
        label="中文",
        models={
            # cache paths models--uer--gpt2-chinese-cluecorpussmall/snapshots/c2c0249… in many projects.
            "generation": PinnedModel(
                "uer/gpt2-chinese-cluecorpussmall", "c2c0249d8a2731f269414cc3b22dff021f8e07a3"
            ),
            # a Nix package fetching huggingface.co/google-bert/bert-base-chinese/resolve/8f23c25…/vocab.txt,
            # and cache paths models--google-bert--bert-base-chinese/snapshots/8f23c25….
            # ModelScope: AI-ModelScope/bert-base-chinese, from a public script calling modelscope's
            # snapshot_download('AI-ModelScope/bert-base-chinese', cache_dir='./models') ("魔搭社区中文BERT").
            "fill-mask": PinnedModel(
                "google-bert/bert-base-chinese",
                "8f23c25b06e129b6c986331a13d8d025a92cf0ea",
                modelscope_id="AI-ModelScope/bert-base-chinese",
            ),
            # transformers' loading log "config.json from cache at …models--uer--roberta-base-finetuned-dianping-
            # chinese\snapshots\25faf18…\config.json", and the same folder in two other write-ups.
            "sentiment": PinnedModel(
                "uer/roberta-base-finetuned-dianping-chinese", "25faf1874b21e76db31ea9c396ccf2a0322e0071"
            ),
            # Qwen2 (RoPE, grouped-query attention) writing Chinese and English, ChatML template; cache paths
            # models--Qwen--Qwen2.5-0.5B-Instruct/snapshots/7ae5576… in many independent projects.
            # ModelScope: Qwen/Qwen2.5-0.5B-Instruct (Qwen publishes there under the same id), from several
            # public scripts running `modelscope download --model Qwen/Qwen2.5-0.5B-Instruct` or
            # snapshot_download("Qwen/Qwen2.5-0.5B-Instruct", revision="master").
            "chat": PinnedModel(
                "Qwen/Qwen2.5-0.5B-Instruct",
                "7ae557604adf67be50417f59c2c2f167def9a775",
                modelscope_id="Qwen/Qwen2.5-0.5B-Instruct",
            ),
            # a BERT extractive reader (BertForQuestionAnswering) for Chinese: transformers' loading log "config.json
            # from cache at …models--uer--roberta-base-chinese-extractive-qa\\snapshots\\9b02143…\\config.json" in
            # one write-up, and the same snapshot folder in another project's script.
            "question-answering": PinnedModel(
                "uer/roberta-base-chinese-extractive-qa", "9b02143727b9c4655d18b43a69fc39d5eb3ddd53"
            ),
            # Marian, Chinese to English. Commit from cache paths models--Helsinki-NLP--opus-mt-zh-en/snapshots/
            # cf10909… in several independent projects (a Flask service, a notebook listing its source.spm, a
            # model manager's paths); 820b010… appears in one other script.
            "translation": PinnedModel(
                "Helsinki-NLP/opus-mt-zh-en", "cf109095479db38d6df799875e34039d4938aaa6"
            ),
        },
    ),
}
DEFAULT_PRESET = "en"


def pinned_revision(model_id: str) -> str | None:
    """The commit a preset pins for this Hub id; None for a model that is in no preset."""
    return next(
        (m.revision for p in PRESETS.values() for m in p.models.values() if m.model_id == model_id), None
    )


def presets_with(model_id: str) -> list[str]:
    """Names of the presets that use this model."""
    return [p.name for p in PRESETS.values() if model_id in p.model_ids.values()]


def preset_of(model_ids: dict[str, str]) -> str | None:
    """The preset whose models are exactly these; None for any other mix."""
    return next((p.name for p in PRESETS.values() if p.model_ids == model_ids), None)
