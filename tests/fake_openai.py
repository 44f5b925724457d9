"""A small fake of vLLM's OpenAI-compatible server, on 127.0.0.1, for the contract tests of engine/remote.py.

It serves one transformers model as `vllm serve … --logprobs-mode processed_logprobs` answers the requests the
app sends: GET /v1/models, POST /tokenize, POST /v1/completions (token-id prompts, `n`, `seed`, `logprobs` of the
processed distribution with `return_tokens_as_token_ids`, `prompt_logprobs`, `stop_token_ids`, streamed or not).
It keeps every request body (`bodies`), counts the streams a client closed early (`aborted`), and can wait
`delay` seconds before each answer (a slow server)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from playground.tasks.generation import GenerationParams, draw, logits_processors

NO_LOGPROB = -9999.0


class FakeOpenAIServer:
    def __init__(self, model_dir: str, served_name: str | None = None, delay: float = 0.0):
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
        self.name = served_name or model_dir
        self.delay = delay
        self.bodies: list[dict] = []
        self.aborted = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/v1/models":
                    self._json({"data": [{"id": server.name, "owned_by": "vllm", "max_model_len": 256}]})
                else:
                    self._json({"error": {"message": "not found"}}, 404)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server._lock:
                    server.bodies.append(body)
                if server.delay:
                    threading.Event().wait(server.delay)
                if self.path == "/tokenize":
                    ids = server.tokenizer(body["prompt"], add_special_tokens=False)["input_ids"]
                    self._json({"tokens": ids, "count": len(ids), "max_model_len": 256})
                elif self.path == "/v1/completions":
                    if body.get("stream"):
                        self._stream(body)
                    else:
                        self._json(server.complete(body))
                else:
                    self._json({"error": {"message": "not found"}}, 404)

            def _json(self, data, status=200):
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _stream(self, body):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                try:
                    for event in server.stream(body):
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                        self.wfile.flush()
                        if server.delay:
                            threading.Event().wait(server.delay)
                    self.wfile.write(b"data: [DONE]\n\n")
                except (BrokenPipeError, ConnectionResetError):
                    with server._lock:
                        server.aborted += 1

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    # --- what vLLM computes -------------------------------------------------------------------------------

    def _params(self, body) -> GenerationParams:
        top_k = body.get("top_k", -1)
        return GenerationParams(
            max_new_tokens=body.get("max_tokens", 16),
            temperature=body.get("temperature", 1.0),
            top_k=0 if top_k in (-1, 0) else top_k,
            top_p=body.get("top_p", 1.0),
            repetition_penalty=body.get("repetition_penalty", 1.0),
            seed=body.get("seed", 0),
        )

    def steps(self, body, prompt):
        """Per step: for each of the n samples, (token, its processed logprob, the top processed logprobs)."""
        params = self._params(body)
        n = body.get("n", 1)
        processors = logits_processors(params)
        generator = torch.Generator().manual_seed(params.seed)
        stops = set(body.get("stop_token_ids") or []) | {self.model.generation_config.eos_token_id}
        ids = torch.tensor([list(prompt)] * n)
        done = [False] * n
        for _ in range(params.max_new_tokens):
            with torch.inference_mode():
                logits = self.model(input_ids=ids).logits[:, -1].float()
            scores = processors(ids, logits)
            logprobs = scores.log_softmax(dim=-1)
            tokens = draw(scores, params, generator)
            top = logprobs.topk(body.get("logprobs") or 1, dim=-1)
            step = []
            for i in range(n):
                if done[i]:
                    step.append(None)
                    continue
                token = int(tokens[i])
                entries = {
                    f"token_id:{t}": _finite(v)
                    for t, v in zip(top.indices[i].tolist(), top.values[i].tolist(), strict=True)
                }
                step.append((token, _finite(float(logprobs[i, token])), entries))
                done[i] = token in stops
            yield step
            ids = torch.cat([ids, tokens[:, None]], dim=1)
            if all(done):
                return

    def prompt_logprobs(self, prompt, k):
        with torch.inference_mode():
            logprobs = self.model(input_ids=torch.tensor([prompt])).logits[0].float().log_softmax(-1)
        out = [None]
        for position in range(1, len(prompt)):
            row = logprobs[position - 1]
            top = row.topk(k)
            entries = {
                str(t): {"logprob": v} for t, v in zip(top.indices.tolist(), top.values.tolist(), strict=True)
            }
            entries[str(prompt[position])] = {"logprob": float(row[prompt[position]])}
            out.append(entries)
        return out

    def complete(self, body):
        prompts = body["prompt"] if isinstance(body["prompt"][0], list) else [body["prompt"]]
        choices = []
        for p, prompt in enumerate(prompts):
            n = body.get("n", 1)
            tokens = [[] for _ in range(n)]
            for step in self.steps(body, prompt):
                for i, entry in enumerate(step):
                    if entry is not None:
                        tokens[i].append(entry)
            for i in range(n):
                choice = {"index": p * n + i, "text": "", "finish_reason": "stop"}
                if body.get("logprobs") is not None:
                    choice["logprobs"] = {
                        "tokens": [f"token_id:{t}" for t, _, _ in tokens[i]],
                        "token_logprobs": [lp for _, lp, _ in tokens[i]],
                        "top_logprobs": [top for _, _, top in tokens[i]],
                    }
                if body.get("prompt_logprobs") is not None:
                    choice["prompt_logprobs"] = self.prompt_logprobs(prompt, body["prompt_logprobs"])
                choices.append(choice)
        return {"choices": choices}

    def stream(self, body):
        for step in self.steps(body, body["prompt"]):
            for i, entry in enumerate(step):
                if entry is None:
                    continue
                token, logprob, top = entry
                yield {
                    "choices": [
                        {
                            "index": i,
                            "text": "",
                            "logprobs": {
                                "tokens": [f"token_id:{token}"],
                                "token_logprobs": [logprob],
                                "top_logprobs": [top],
                            },
                            "finish_reason": None,
                        }
                    ]
                }
        for i in range(body.get("n", 1)):
            yield {"choices": [{"index": i, "text": "", "finish_reason": "length"}]}


def _finite(value: float) -> float:
    return value if value > NO_LOGPROB else NO_LOGPROB
