# Transformer Playground on a school server (README.md, "A school server"):
#   docker build -t playground .
#   docker run -d -p 7860:7860 -v ~/.cache/huggingface:/models:ro --name playground playground
# PyTorch's CPU build by default. For NVIDIA GPUs, build with one of PyTorch's CUDA indexes instead and run the
# container with --gpus all (the wheels bring CUDA; the host needs the NVIDIA driver and container toolkit):
#   docker build --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128 -t playground:cuda .
FROM python:3.12-slim

# Where pip gets PyTorch: the CPU build, not the GBs of CUDA wheels PyPI's Linux torch would pull.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu

# The models come from a prepared Hugging Face cache mounted at /models (playground download, on the host or
# in this image); the app starts with --offline, so it never reaches for the internet.
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    HF_HOME=/models \
    PLAYGROUND_PORT=7860

RUN useradd --create-home --uid 1000 playground && mkdir /models && chown playground /models
WORKDIR /app

# The README's install lines, in its order (tests/subprocess/test_school_server.py checks they are the same);
# PyTorch in a layer of its own, so that a change to the app does not download it again. The install is
# editable, as in the README: the app reads assets/ from this folder.
RUN pip install torch --index-url ${TORCH_INDEX}
COPY --chown=playground . .
RUN pip install -e .

USER playground
EXPOSE 7860
# Healthy while the server answers: gradio's API description, a few ms, no model involved (slim has no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['PLAYGROUND_PORT'] + '/gradio_api/info', timeout=4)"]
CMD ["playground", "--offline", "--host", "0.0.0.0"]
