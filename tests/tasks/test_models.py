"""ModelManager: lazy, cached, safe, and clear when a model cannot be loaded."""

from __future__ import annotations

import pytest
import torch

from playground.models import TASKS, ModelLoadError, ModelManager, pick_device, pick_dtype


def test_models_load_lazily_once_and_in_eval_mode(tiny_model_dirs):
    manager = ModelManager(tiny_model_dirs, device="cpu")
    assert not manager.is_loaded("generation")
    first = manager.get("generation")
    assert manager.is_loaded("generation") and not manager.is_loaded("fill-mask")
    assert manager.get("generation") is first
    assert not first.model.training
    assert first.device == torch.device("cpu") and first.model.dtype == torch.float32
    assert first.context_length == 64


def test_devices_and_dtypes():
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_dtype(torch.device("cpu")) == torch.float32
    if not torch.cuda.is_available():
        assert pick_device("auto").type in {"cpu", "mps"}
        with pytest.raises(ModelLoadError, match="CUDA"):
            pick_device("cuda")


def test_wrong_kind_of_model_is_named_with_the_flag_to_fix_it(tiny_model_dirs):
    manager = ModelManager({**tiny_model_dirs, "fill-mask": tiny_model_dirs["sentiment"]}, device="cpu")
    with pytest.raises(ModelLoadError) as error:
        manager.get("fill-mask")
    message = str(error.value)
    assert "DistilBertForSequenceClassification" in message and "--fill-mask-model" in message
    assert manager.get("sentiment")  # the other tasks still work


def test_missing_folder_and_unknown_hub_id_give_a_clear_message(tiny_model_dirs, tmp_path):
    for missing in [str(tmp_path / "no-such-model"), "no-such-user/no-such-model-xyz"]:
        manager = ModelManager({**tiny_model_dirs, "generation": missing}, device="cpu")
        with pytest.raises(ModelLoadError) as error:
            manager.get("generation")
        assert missing in str(error.value) and "--generation-model" in str(error.value)


def test_a_failed_load_can_be_retried(tiny_model_dirs, tmp_path):
    target = tmp_path / "later"
    manager = ModelManager({**tiny_model_dirs, "generation": str(target)}, device="cpu")
    with pytest.raises(ModelLoadError):
        manager.get("generation")
    from tests.tiny_models import build_gpt2

    build_gpt2(target)
    assert manager.get("generation").model_id == str(target)


def test_eager_attention_is_switched_on_only_inside_the_block(manager):
    loaded = manager.get("fill-mask")
    before = loaded.model.config._attn_implementation
    with loaded.eager_attention() as model:
        assert model.config._attn_implementation == "eager"
        assert loaded.lock.locked()
    assert loaded.model.config._attn_implementation == before and not loaded.lock.locked()


def test_memory_budget_unloads_the_least_recently_used_model(tiny_model_dirs):
    sizes = {task: ModelManager(tiny_model_dirs, "cpu").get(task).memory_bytes for task in TASKS}
    budget_mb = (sizes["generation"] + sizes["fill-mask"]) / 2**20 * 1.01  # room for two, not three
    manager = ModelManager(tiny_model_dirs, device="cpu", memory_budget_mb=budget_mb)
    manager.get("generation")
    manager.get("fill-mask")
    manager.get("generation")  # fill-mask is now the least recently used
    manager.get("sentiment")
    assert manager.is_loaded("generation") and manager.is_loaded("sentiment")
    assert not manager.is_loaded("fill-mask")
    assert "Unloaded the Fill-mask model" in manager.notices[-1]
    assert manager.get("fill-mask")  # loads again when next used


def test_describe_and_unload(tiny_model_dirs):
    from playground.ui.system import device_summary, loaded_rows

    manager = ModelManager(tiny_model_dirs, device="cpu")
    manager.get("sentiment")
    [[task, _model, device, dtype, _parameters, memory]] = loaded_rows(manager)
    assert task == "Sentiment" and device == "cpu" and dtype == "float32"
    assert memory > 0 and "cpu, float32" in device_summary(manager)
    assert (
        manager.unload("sentiment") and not manager.is_loaded("sentiment") and not manager.unload("sentiment")
    )


def test_switching_to_another_model_and_back_when_it_fails(tiny_model_dirs, tmp_path):
    manager = ModelManager(tiny_model_dirs, device="cpu")
    first = manager.get("fill-mask")
    with pytest.raises(ModelLoadError):
        manager.switch("fill-mask", str(tmp_path / "missing"))
    assert manager.model_ids["fill-mask"] == tiny_model_dirs["fill-mask"]
    from tests.tiny_models import build_bert_mlm

    other = build_bert_mlm(tmp_path / "other-bert", seed=1)
    switched = manager.switch("fill-mask", str(other))
    assert switched.model_id == str(other) and switched is not first and manager.get("fill-mask") is switched
