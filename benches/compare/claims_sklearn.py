"""scikit-learn and shap on the claims ClaimForest trains on in the browser, for side-by-side figures.

Usage (from the repository root, with the venv `./x compare` sets up and a release CLI built by
`cargo build --release --bin claimforest`):

    target/compare-venv/bin/python benches/compare/claims_sklearn.py --scenario medical --rows 100000
    target/compare-venv/bin/python benches/compare/claims_sklearn.py --scenario denial --rows 5000 \
        --shap-rows 50 --work /tmp/claims-sklearn

It generates the scenario's claims with `claimforest generate` (seed --seed, 7 by default, as
tools/bench-browser.mjs does), trains a ClaimForest random forest with `claimforest train` only to
get a model whose encoding defines the features (1 tree unless --cli-trees says otherwise), writes
the encoded matrix with `claimforest encode`, reads the label from the generated CSV, and then
times, single-threaded (n_jobs=1, *_NUM_THREADS=1) with time.perf_counter:

- RandomForestClassifier (100 trees, max_depth --max-depth and min_samples_leaf --min-samples-leaf,
  ClaimForest's defaults 16 and 3 unless told otherwise, max_features='sqrt', bootstrap) fit on
  the 80% training rows of ClaimForest's own split (test fraction 0.2, shuffled with the train
  seed exactly as src/ml/split.rs does, so the held-out rows are the same ones), predict_proba on
  every row, and its held-out ROC AUC;
- IsolationForest (100 trees, max_samples=256) fit and score_samples on every row, on the matrix
  of the features `claimforest train --algorithm isolation` picks by default;
- shap.TreeExplainer (tree_path_dependent) on the forest: shap_values of the first --shap-rows
  rows of the file, class 1 (skipped with --skip-shap).

Missing values (NaN in the encoded matrix) are passed to scikit-learn as NaN where it supports
them and otherwise filled with -1; "nan_policy" in the output says which. Progress goes to
stderr; stdout gets one JSON document.
"""

import single_thread  # noqa: F401  (first: one thread for numpy and scikit-learn)

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd  # (a dependency of shap)
import sklearn
from sklearn.ensemble import IsolationForest, RandomForestClassifier
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[2]
N_TREES = 100
IF_MAX_SAMPLES = 256
TEST_FRACTION = 0.2
# ClaimForest's forest defaults for claims (src/pipeline/mod.rs).
DEFAULT_MAX_DEPTH = 16
DEFAULT_MIN_SAMPLES_LEAF = 3
# The label each scenario's generator writes (checked against the generator's message and the header).
SCENARIO_LABELS = {"denial": "is_denied", "medical": "is_anomaly", "pharmacy": "is_anomaly"}
POSITIVE = {"1", "y", "yes", "true", "t"}
NEGATIVE = {"0", "n", "no", "false", "f"}
MISSING_FILL = -1.0


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# ClaimForest's train/test split, reproduced (src/rng.rs and src/ml/split.rs). ClaimForest draws
# from rand_xoshiro's Xoshiro256PlusPlus (seeded through its SplitMix64) and shuffles with rand
# 0.10's SliceRandom::shuffle; what follows re-computes those crates' steps in Python, since
# neither is at hand here, and must change when they do.

MASK32 = (1 << 32) - 1
MASK64 = (1 << 64) - 1


def _splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK64


def _bound_u32(m):
    """rand's calculate_bound_u32: the product m (m + 1) ... that still fits a u32, and its count."""
    product, current = m, m + 1
    while product * current <= MASK32:
        product *= current
        current += 1
    return product, current - m


class SeededRng:
    """ClaimForest's SeededRng: Xoshiro256PlusPlus::seed_from_u64, sampled as rand samples it."""

    def __init__(self, seed):
        mixer = seed & MASK64
        self.state = []
        for _ in range(4):
            mixer, word = _splitmix64(mixer)
            self.state.append(word)

    def next_u64(self):
        s0, s1, s2, s3 = self.state
        result = (_rotl((s0 + s3) & MASK64, 23) + s0) & MASK64
        t = (s1 << 17) & MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self.state = [s0, s1, s2, s3]
        return result

    def next_u32(self):
        return self.next_u64() >> 32  # rand_xoshiro takes the upper half

    def below_u32(self, bound):
        """rand's random_range(..bound) for u32 (Canon's method, one extra draw near a boundary)."""
        product = self.next_u32() * bound
        result, low_order = product >> 32, product & MASK32
        if low_order > (-bound & MASK32):
            carry = (self.next_u32() * bound) >> 32
            result += (low_order + carry) > MASK32
        return result

    def shuffle(self, items):
        """rand's SliceRandom::shuffle for fewer than 2^32 - 1 items: forward Fisher-Yates whose
        indices come from IncreasingUniform, several packed into one u32 draw."""
        if len(items) <= 1:
            return
        n, chunk, chunk_remaining = 0, 0, 1  # n = 0: the first index is 0 without a draw
        for i in range(len(items)):
            next_n = n + 1
            if chunk_remaining == 0:
                bound, remaining = _bound_u32(next_n)
                chunk = self.below_u32(bound)
                chunk_remaining = remaining
            chunk_remaining -= 1
            if chunk_remaining == 0:
                j = chunk
            else:
                j = chunk % next_n
                chunk //= next_n
            n = next_n
            items[i], items[j] = items[j], items[i]


def train_test_split(n_rows, test_fraction, seed):
    """(train, test) row indices, in ClaimForest's shuffled order."""
    rows = list(range(n_rows))
    SeededRng(seed).shuffle(rows)
    n_test = int(np.floor(n_rows * test_fraction + 0.5))  # Rust's f64::round: half away from zero
    if n_rows >= 2 and test_fraction > 0.0:
        n_test = min(max(n_test, 1), n_rows - 1)
    n_test = min(n_test, n_rows)
    return np.asarray(rows[n_test:], dtype=np.int64), np.asarray(rows[:n_test], dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# The CLI


def run_cli(cli, *args):
    """Runs the ClaimForest CLI; returns (stderr, wall seconds). Its messages go to stderr."""
    command = [str(cli), *map(str, args)]
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"claimforest failed ({' '.join(command)}):\n{completed.stderr}{completed.stdout}")
    return completed.stderr, seconds


def model_features(model_path):
    model = json.loads(Path(model_path).read_text())
    return model, [feature["name"] for feature in model["features"]["features"]]


def csv_header(path):
    with open(path, encoding="utf-8") as handle:
        return handle.readline().rstrip("\r\n").split(",")


def read_labels(csv_path, label):
    """The label column as 0/1, accepting 1/0, Y/N, yes/no and true/false as the CLI does."""
    values = pd.read_csv(csv_path, usecols=[label], dtype=str, keep_default_na=False)[label]
    lowered = values.str.strip().str.lower()
    positive = lowered.isin(POSITIVE)
    unknown = ~(positive | lowered.isin(NEGATIVE))
    if unknown.any():
        sys.exit(f"label {label}: values that are not 1/0, Y/N, yes/no, true/false: {sorted(set(values[unknown]))[:5]}")
    return positive.to_numpy().astype(np.int64)


def read_matrix(path):
    """`claimforest encode` output: a header of feature names, one row per claim, NaN for missing."""
    frame = pd.read_csv(path, dtype=np.float64, na_values=["NaN", ""], keep_default_na=False)
    return list(frame.columns), frame.to_numpy(dtype=np.float64).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# scikit-learn


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def accepts_nan(make_estimator):
    """Whether this scikit-learn's estimator fits and scores a matrix with NaN in it."""
    x = np.arange(40, dtype=np.float32).reshape(20, 2)
    x[::3, 1] = np.nan
    y = np.arange(20) % 2
    try:
        estimator = make_estimator()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # IsolationForest warns that max_samples exceeds 20 rows
            if isinstance(estimator, IsolationForest):
                estimator.fit(x).score_samples(x)
            else:
                estimator.fit(x, y).predict_proba(x)
        return True
    except ValueError:
        return False


def installed_version(package):
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def prepared(x, native):
    return x if native else np.where(np.isnan(x), np.float32(MISSING_FILL), x)


def positive_class(values):
    """shap returns (rows, features, classes) or a list per class for classifiers; keep class 1."""
    if isinstance(values, list):
        values = values[1] if len(values) > 1 else values[0]
    values = np.asarray(values)
    if values.ndim == 3:
        return values[:, :, 1] if values.shape[2] > 1 else values[:, :, 0]
    return values


# ---------------------------------------------------------------------------------------------
# Main


def default_cli():
    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target_dir / "release" / "claimforest"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", type=Path, default=default_cli(), help="the claimforest binary")
    parser.add_argument("--scenario", choices=sorted(SCENARIO_LABELS), default="denial")
    parser.add_argument("--rows", type=int, default=10_000, help="claims to generate (the CLI takes 100 to 1,000,000)")
    parser.add_argument("--seed", type=int, default=7, help="the generator's seed (tools/bench-browser.mjs uses 7)")
    parser.add_argument(
        "--train-seed", type=int, default=42,
        help="seed of the split and of both libraries' forests (the page's and the CLI's default is 42)",
    )  # fmt: skip
    parser.add_argument("--work", type=Path, help="where the CSVs and the model go (a temporary directory if absent)")
    parser.add_argument("--shap-rows", type=int, default=1000, help="rows for shap's TreeExplainer")
    parser.add_argument("--skip-shap", action="store_true", help="do not time shap")
    parser.add_argument(
        "--skip-forest", action="store_true", help="time only the isolation forest (for 1M-row runs)"
    )
    parser.add_argument(
        "--max-depth", default=str(DEFAULT_MAX_DEPTH),
        help="both forests' max_depth; 'none' grows to purity (ClaimForest's default is 16)",
    )  # fmt: skip
    parser.add_argument(
        "--min-samples-leaf", type=int, default=DEFAULT_MIN_SAMPLES_LEAF,
        help="both forests' min_samples_leaf (ClaimForest's default is 3)",
    )  # fmt: skip
    parser.add_argument(
        "--cli-trees", type=int, default=1,
        help="trees of the CLI model that defines the encoding (1 is enough; 100 also reports ClaimForest's own "
        "held-out AUC on the same split)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.max_depth != "none" and not args.max_depth.isdigit():
        parser.error(f"--max-depth: '{args.max_depth}' is neither a whole number nor 'none'")
    return args


def prepare_data(args, work):
    """Generates, trains the encoding models, encodes; returns everything sklearn needs."""
    cli = args.cli
    csv_path = work / f"{args.scenario}-{args.rows}.csv"
    log(f"generating {args.rows:,} {args.scenario} claims (seed {args.seed}) ...")
    message, _ = run_cli(cli, "generate", "--scenario", args.scenario, "--rows", args.rows, "--seed", args.seed,
                         "--out", csv_path)  # fmt: skip
    label = SCENARIO_LABELS[args.scenario]
    announced = re.search(r"the label is (\S+)", message)
    if announced and announced.group(1) != label:
        log(f"note: the generator names the label {announced.group(1)}, not {label}; using the generator's")
        label = announced.group(1)
    header = csv_header(csv_path)
    if label not in header:
        sys.exit(f"label {label} is not a column of {csv_path}: {header}")

    rf_model_path = work / "rf-model.json"
    log(f"training the ClaimForest random forest that defines the encoding ({args.cli_trees} tree(s)) ...")
    _, cli_train_seconds = run_cli(cli, "train", "--input", csv_path, "--label", label, "--algorithm", "forest",
                                   "--trees", args.cli_trees, "--seed", args.train_seed,
                                   "--max-depth", args.max_depth, "--min-samples-leaf", args.min_samples_leaf,
                                   "--test-fraction", TEST_FRACTION, "--out", rf_model_path)  # fmt: skip
    rf_model, rf_features = model_features(rf_model_path)

    if_model_path = work / "if-model.json"
    log("training a ClaimForest isolation forest (1 tree) for its default feature set ...")
    run_cli(cli, "train", "--input", csv_path, "--label", label, "--algorithm", "isolation", "--trees", 1,
            "--seed", args.train_seed, "--out", if_model_path)  # fmt: skip
    _, if_features = model_features(if_model_path)

    x_path = work / "x-forest.csv"
    log("encoding ...")
    run_cli(cli, "encode", "--model", rf_model_path, "--input", csv_path, "--out", x_path)
    names, x = read_matrix(x_path)
    if names != rf_features:
        sys.exit(f"encode wrote columns {names[:5]}..., the model has {rf_features[:5]}...")
    if if_features == rf_features:
        x_if, if_names = x, names
    else:
        x_if_path = work / "x-isolation.csv"
        run_cli(cli, "encode", "--model", if_model_path, "--input", csv_path, "--out", x_if_path)
        if_names, x_if = read_matrix(x_if_path)

    y = read_labels(csv_path, label)
    if len(y) != len(x) or len(x_if) != len(x):
        sys.exit(f"{len(y)} labels but {len(x)} encoded rows ({len(x_if)} for the isolation forest)")

    training = rf_model["training"]
    held_out = training.get("held_out") or {}
    cli_info = {
        "trees": args.cli_trees,
        "train_wall_seconds": cli_train_seconds,
        "n_train": training.get("n_train"),
        "n_test": training.get("n_test"),
    }
    if args.cli_trees == N_TREES:
        cli_info["held_out_roc_auc"] = held_out.get("roc_auc")
    else:
        cli_info["note"] = f"only defines the encoding; --cli-trees {N_TREES} adds ClaimForest's held-out AUC"
    return {"csv": csv_path, "label": label, "x": x, "names": names, "x_if": x_if, "if_names": if_names,
            "y": y, "cli": cli_info}  # fmt: skip


def main():
    args = parse_args()
    args.cli = args.cli.resolve()
    if not args.cli.exists():
        sys.exit(f"{args.cli} is missing: build it with `cargo build --release --bin claimforest`")
    started = time.perf_counter()

    if args.work is None:
        temporary = tempfile.TemporaryDirectory(prefix="claims-sklearn-")
        work = Path(temporary.name)
    else:
        temporary = None
        work = args.work
        work.mkdir(parents=True, exist_ok=True)

    try:
        data = prepare_data(args, work)
    finally:
        if temporary is not None:
            temporary.cleanup()
    x, x_if, y = data["x"], data["x_if"], data["y"]
    n_rows = len(x)

    log(f"reproducing ClaimForest's split (test fraction {TEST_FRACTION}, seed {args.train_seed}) ...")
    train, test = train_test_split(n_rows, TEST_FRACTION, args.train_seed)
    cli = data["cli"]
    if (cli["n_train"], cli["n_test"]) != (len(train), len(test)):
        sys.exit(f"split sizes {len(train)}/{len(test)} differ from the CLI's {cli['n_train']}/{cli['n_test']}")

    def make_forest():
        return RandomForestClassifier(
            n_estimators=N_TREES, max_depth=None if args.max_depth == "none" else int(args.max_depth),
            min_samples_leaf=args.min_samples_leaf, max_features="sqrt", bootstrap=True,
            n_jobs=1, random_state=args.train_seed,
        )  # fmt: skip

    def make_isolation():
        return IsolationForest(
            n_estimators=N_TREES, max_samples=min(IF_MAX_SAMPLES, n_rows), n_jobs=1, random_state=args.train_seed
        )

    rf_native, if_native = accepts_nan(make_forest), accepts_nan(make_isolation)
    nan_policy = {
        "random_forest": "native NaN" if rf_native else f"NaN filled with {MISSING_FILL:g}",
        "isolation_forest": "native NaN" if if_native else f"NaN filled with {MISSING_FILL:g}",
    }
    x_rf = prepared(x, rf_native)
    x_if = prepared(x_if, if_native)

    forest, rf_fit_seconds, rf_predict_seconds, rf_auc = None, None, None, None
    if not args.skip_forest:
        log(f"scikit-learn: RandomForestClassifier fit on {len(train):,} rows ...")
        forest = make_forest()
        x_train = np.ascontiguousarray(x_rf[train])
        _, rf_fit_seconds = timed(forest.fit, x_train, y[train])
        log(f"scikit-learn: predict_proba on {n_rows:,} rows ...")
        proba, rf_predict_seconds = timed(forest.predict_proba, x_rf)
        scores = proba[:, list(forest.classes_).index(1)] if 1 in forest.classes_ else np.zeros(n_rows)
        y_test = y[test]
        rf_auc = float(roc_auc_score(y_test, scores[test])) if len(set(y_test.tolist())) == 2 else None

    log(f"scikit-learn: IsolationForest fit and score_samples on {n_rows:,} rows ...")
    isolation = make_isolation()
    _, if_fit_seconds = timed(isolation.fit, x_if)
    if_scores, if_score_seconds = timed(isolation.score_samples, x_if)
    # score_samples is higher for normal rows; negate it so higher means more anomalous.
    if_auc = float(roc_auc_score(y, -if_scores)) if len(set(y.tolist())) == 2 else None

    shap_result = None
    shap_seconds_by_step = {"shap_explainer": None, "shap_values": None}
    if not args.skip_shap and forest is not None:
        import shap

        shap_x = x_rf[: min(args.shap_rows, n_rows)]
        log(f"shap: TreeExplainer on the forest, {len(shap_x):,} rows ...")
        explainer, explainer_seconds = timed(shap.TreeExplainer, forest, feature_perturbation="tree_path_dependent")
        values, shap_seconds = timed(explainer.shap_values, shap_x, check_additivity=False)
        values = positive_class(values)
        base = float(np.ravel(explainer.expected_value)[-1])
        additivity = float(np.max(np.abs(base + values.sum(axis=1) - scores[: len(shap_x)])))
        shap_result = {
            "version": shap.__version__,
            "rows": len(shap_x),
            "rows_are": "the first rows of the file; class 1; tree_path_dependent",
            "additivity_max_abs": additivity,
        }
        shap_seconds_by_step = {"shap_explainer": explainer_seconds, "shap_values": shap_seconds}

    result = {
        "scenario": args.scenario,
        "rows": n_rows,
        "seed": args.seed,
        "train_seed": args.train_seed,
        "label_column": data["label"],
        "positive_rate": float(y.mean()),
        "n_features": len(data["names"]),
        "features": data["names"],
        "isolation_features": "same as the random forest's" if data["if_names"] == data["names"] else data["if_names"],
        "forest_params": {"max_depth": args.max_depth, "min_samples_leaf": args.min_samples_leaf},
        "n_train": len(train),
        "n_test": len(test),
        "split": "ClaimForest's train_test_split(rows, 0.2, train_seed), reproduced row for row",
        "missing_cells": int(np.isnan(x).sum()),
        "nan_policy": nan_policy,
        "seconds": {
            "rf_fit": rf_fit_seconds,
            "rf_predict_proba_all_rows": rf_predict_seconds,
            "if_fit": if_fit_seconds,
            "if_score_samples_all_rows": if_score_seconds,
            "if_fit_plus_score": if_fit_seconds + if_score_seconds,
            **shap_seconds_by_step,
        },
        "rf_held_out_roc_auc": rf_auc,
        "if_roc_auc_vs_label": if_auc,
        "rf_mean_nodes_per_tree": (
            float(np.mean([e.tree_.node_count for e in forest.estimators_])) if forest is not None else None
        ),
        "shap": shap_result,
        "claimforest_cli_model": cli,
        "environment": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
            "shap": installed_version("shap"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "threads": "single-threaded (n_jobs=1, *_NUM_THREADS=1)",
        },
        "total_seconds": time.perf_counter() - started,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
