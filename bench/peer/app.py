"""Peer baseline for scripts/bench-http.sh: the same POST /v1/pca, in FastAPI
+ scikit-learn (`PCA(svd_solver="full")`, the exact solver obscaling matches).

Same request fields (models, benchmarks, scores, n_components, standardize,
sign) and response fields as obscaling for complete leaderboards; missing
cells are answered with 422 (obscaling's default `missing: "reject"`).
The body is parsed and the response written with orjson when installed (the
fastest choice available to a Python service), so the baseline is a strong one.

Run: uvicorn app:app --app-dir bench/peer --host 127.0.0.1 --port 8090 --workers 2
"""

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

try:
    import orjson

    def loads(b: bytes):
        return orjson.loads(b)

    def dumps(obj) -> bytes:
        return orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY)

except ImportError:  # pragma: no cover - plain json fallback
    import json

    def loads(b: bytes):
        return json.loads(b)

    def dumps(obj) -> bytes:
        return json.dumps(obj, default=lambda a: a.tolist()).encode()


SIGN_SUM_TOLERANCE = 1e-12
app = FastAPI(title="obscaling peer (FastAPI + scikit-learn)")


def problem(status: int, code: str, detail: str) -> Response:
    return JSONResponse(
        {"type": "about:blank", "status": status, "code": code, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/v1/pca")
async def pca(request: Request) -> Response:
    try:
        req = loads(await request.body())
    except ValueError as err:
        return problem(400, "malformed_json", str(err))
    if not isinstance(req, dict):
        return problem(422, "invalid_request", "the request body must be a JSON object")
    models, benchmarks = req.get("models"), req.get("benchmarks")
    if not isinstance(models, list) or not isinstance(benchmarks, list):
        return problem(422, "invalid_request", "models and benchmarks are required arrays")
    if len(set(models)) != len(models) or len(set(benchmarks)) != len(benchmarks):
        return problem(422, "duplicate_label", "models and benchmarks must be unique")
    try:
        x = np.asarray(req.get("scores"), dtype=np.float64)
    except (TypeError, ValueError) as err:
        return problem(422, "shape_mismatch", str(err))
    n, p = len(models), len(benchmarks)
    if x.shape != (n, p):
        return problem(422, "shape_mismatch", f"scores must be {n} x {p}, got {x.shape}")
    if np.isnan(x).any():
        return problem(422, "missing_scores", "missing cells are not supported by the peer")
    if n < 2:
        return problem(422, "too_few_models", "at least 2 models are needed")

    k = req.get("n_components")
    standardize = bool(req.get("standardize") or False)
    sign = req.get("sign") or "positive_sum"
    if k is not None and not (isinstance(k, (int, float)) and 0 < k and (k < 1 or k == int(k))):
        return problem(422, "invalid_n_components", f"invalid n_components {k!r}")
    if isinstance(k, float) and k >= 1:
        k = int(k)
    if isinstance(k, int) and k > min(n, p):
        return problem(422, "invalid_n_components", f"n_components {k} > min({n}, {p})")

    mean = x.mean(axis=0)
    scale = None
    xs = x
    if standardize:
        scaler = StandardScaler().fit(x)
        scale = scaler.scale_
        xs = scaler.transform(x)
    model = PCA(n_components=k, svd_solver="full").fit(xs)
    components = model.components_.copy()
    # scikit-learn orients by the largest |loading|; "positive_sum" (obscaling's
    # default) makes each component's loading sum positive instead.
    if sign == "positive_sum":
        sums = components.sum(axis=1)
        flip = (np.abs(sums) > SIGN_SUM_TOLERANCE) & (sums < 0)
        components[flip] *= -1.0
    projections = (xs - model.mean_) @ components.T
    total_variance = float(model.explained_variance_[0] / model.explained_variance_ratio_[0])
    ratio = model.explained_variance_ratio_
    return Response(
        dumps(
            {
                "models": models,
                "benchmarks": benchmarks,
                "n_components": int(model.n_components_),
                "components": components,
                "explained_variance": model.explained_variance_,
                "explained_variance_ratio": ratio,
                "cumulative_explained_variance_ratio": np.cumsum(ratio),
                "singular_values": model.singular_values_,
                "mean": mean,
                "scale": scale,
                "total_variance": total_variance,
                "projections": projections,
                "missing": "reject",
                "dropped_models": [],
                "imputed": [],
                "imputation": None,
            }
        ),
        media_type="application/json",
    )
