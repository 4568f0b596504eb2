"""ClaimForest against scikit-learn and shap: one machine, one data set, one split, one run.

Run it with `./x compare` (which sets up the venv and builds the engine), or directly:

    python benches/compare/compare.py [--quick]

It writes seeded data under target/compare/, times scikit-learn and shap here with
time.perf_counter, runs ClaimForest's side (`compare_engine`, benches/compare/engine.rs) as a
subprocess, computes every AUC with sklearn.metrics on both sides' scores, and prints a
Markdown table (also written to target/compare/results.md and results.json).

Everything runs single-threaded: n_jobs=1 and the thread-count variables below, set before
numpy loads.
"""

import single_thread  # noqa: F401  (first: one thread for numpy and scikit-learn)

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import shap
import sklearn
from sklearn.datasets import make_classification
from sklearn.ensemble import IsolationForest, RandomForestClassifier
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[2]
SEED = 7
N_TREES = 100
N_FEATURES = 10


@dataclass(frozen=True)
class Sizes:
    """How big each experiment is; --quick shrinks the rows about ten times."""

    rf_train_rows: int
    rf_test_rows: int
    if_rows: int
    shap_rows: int


FULL = Sizes(rf_train_rows=100_000, rf_test_rows=25_000, if_rows=1_000_000, shap_rows=1_000)
QUICK = Sizes(rf_train_rows=10_000, rf_test_rows=2_500, if_rows=100_000, shap_rows=100)


# ---------------------------------------------------------------------------------------------
# Data


def feature_names():
    return [f"x{idx}" for idx in range(N_FEATURES)]


def write_csv(path, features, label_name, labels):
    """Writes float32 features with 9 significant digits, so they parse back bit-identical."""
    header = ",".join(feature_names() + [label_name])
    table = np.column_stack([features.astype(np.float32).astype(np.float64), labels.astype(np.float64)])
    formats = ["%.9g"] * features.shape[1] + ["%d"]
    np.savetxt(path, table, delimiter=",", header=header, comments="", fmt=formats)


def classification_data(sizes, data_dir):
    """make_classification, seeded; the first rows train and the last rows test."""
    n_rows = sizes.rf_train_rows + sizes.rf_test_rows
    x, y = make_classification(
        n_samples=n_rows,
        n_features=N_FEATURES,
        n_informative=6,
        n_redundant=2,
        flip_y=0.02,
        random_state=SEED,
    )
    x = x.astype(np.float32)
    split = sizes.rf_train_rows
    data = {"x_train": x[:split], "y_train": y[:split], "x_test": x[split:], "y_test": y[split:]}
    data["train_csv"] = data_dir / "rf_train.csv"
    data["test_csv"] = data_dir / "rf_test.csv"
    write_csv(data["train_csv"], data["x_train"], "y", data["y_train"])
    write_csv(data["test_csv"], data["x_test"], "y", data["y_test"])
    return data


def anomaly_data(sizes, data_dir):
    """Standard-normal inliers plus 1% anomalies from a wider, shifted normal, shuffled.

    The anomalies overlap the inliers enough (AUC about 0.96) that the two AUCs can differ.
    """
    rng = np.random.default_rng(SEED)
    n_anomalies = sizes.if_rows // 100
    inliers = rng.standard_normal((sizes.if_rows - n_anomalies, N_FEATURES))
    anomalies = rng.normal(loc=1.0, scale=1.5, size=(n_anomalies, N_FEATURES))
    labels = np.concatenate([np.zeros(len(inliers), dtype=np.int64), np.ones(n_anomalies, dtype=np.int64)])
    order = rng.permutation(sizes.if_rows)
    x = np.vstack([inliers, anomalies])[order].astype(np.float32)
    data = {"x": x, "is_anomaly": labels[order], "csv": data_dir / "iforest.csv"}
    write_csv(data["csv"], data["x"], "is_anomaly", data["is_anomaly"])
    return data


# ---------------------------------------------------------------------------------------------
# Running things


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def run_engine(engine, *args):
    """Runs compare_engine and returns the JSON object it prints."""
    command = [str(engine), *map(str, args)]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.exit(f"compare_engine failed ({' '.join(command)}):\n{completed.stderr}")
    return json.loads(completed.stdout)


def read_column(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=1)


def read_shap_csv(path):
    """Our SHAP values (rows × features) and the base value, from the engine's shap.csv."""
    table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    return table[:, :-1], table[0, -1]


def positive_class(values):
    """shap returns (rows, features, classes) for classifiers; keep class 1 (or the only output)."""
    values = np.asarray(values)
    if values.ndim == 3:
        return values[:, :, 1] if values.shape[2] > 1 else values[:, :, 0]
    return values


def additivity_error(base_value, shap_values, predictions):
    """max |base + Σφ − prediction| over the explained rows (the first rows of `predictions`)."""
    return float(np.max(np.abs(base_value + shap_values.sum(axis=1) - predictions[: len(shap_values)])))


def shap_model_from_export(path):
    """Our trees.json as the model dictionary shap.TreeExplainer accepts (SHAP_TREES.md)."""
    export = json.loads(Path(path).read_text())
    dtypes = {"float32": np.float32, "float64": np.float64}
    trees = []
    for tree in export["trees"]:
        arrays = {key: np.asarray(value) for key, value in tree.items()}
        arrays["values"] = arrays["values"].reshape(len(arrays["values"]), -1).astype(np.float64)
        arrays["thresholds"] = arrays["thresholds"].astype(np.float64)
        arrays["node_sample_weight"] = arrays["node_sample_weight"].astype(np.float64)
        trees.append(arrays)
    return {
        "trees": trees,
        "base_offset": export["base_offset"],
        "input_dtype": dtypes[export["input_dtype"]],
        "tree_output": export["tree_output"],
    }


# ---------------------------------------------------------------------------------------------
# Experiments


def random_forest_experiment(data, sizes, engine, out_dir):
    """Fit, score and TreeSHAP: ours against RandomForestClassifier and shap.TreeExplainer."""
    engine_dir = out_dir / "rf"
    print("  ClaimForest: random forest fit, score, TreeSHAP ...", flush=True)
    ours = run_engine(
        engine, "rf", "--train", data["train_csv"], "--test", data["test_csv"], "--label", "y",
        "--trees", N_TREES, "--seed", SEED, "--shap-rows", sizes.shap_rows, "--out-dir", engine_dir,
    )  # fmt: skip
    our_scores = read_column(engine_dir / "scores.csv")
    our_shap, our_base = read_shap_csv(engine_dir / "shap.csv")

    print("  scikit-learn: RandomForestClassifier fit and score ...", flush=True)
    forest = RandomForestClassifier(n_estimators=N_TREES, min_samples_leaf=1, n_jobs=1, random_state=SEED)
    _, sk_fit_seconds = timed(forest.fit, data["x_train"], data["y_train"])
    sk_proba, sk_score_seconds = timed(forest.predict_proba, data["x_test"])
    sk_scores = sk_proba[:, 1]

    shap_rows = data["x_test"][: sizes.shap_rows]
    print(f"  shap: TreeExplainer on scikit-learn's forest, {len(shap_rows)} rows ...", flush=True)
    sk_explainer, sk_explainer_seconds = timed(
        shap.TreeExplainer, forest, feature_perturbation="tree_path_dependent"
    )
    sk_shap, sk_shap_seconds = timed(sk_explainer.shap_values, shap_rows, check_additivity=False)
    sk_shap = positive_class(sk_shap)

    print(f"  shap: TreeExplainer on our export, {len(shap_rows)} rows ...", flush=True)
    model = shap_model_from_export(engine_dir / "trees.json")
    export_explainer, export_explainer_seconds = timed(
        shap.TreeExplainer, model, feature_perturbation="tree_path_dependent"
    )
    export_shap, export_shap_seconds = timed(export_explainer.shap_values, shap_rows, check_additivity=False)
    export_shap = positive_class(export_shap)
    export_base = float(np.ravel(export_explainer.expected_value)[-1])

    estimators = forest.estimators_
    return {
        "ours": {
            **ours,
            "auc": roc_auc_score(data["y_test"], our_scores),
        },
        "sklearn": {
            "fit_seconds": sk_fit_seconds,
            "score_seconds": sk_score_seconds,
            "auc": roc_auc_score(data["y_test"], sk_scores),
            "n_nodes_mean": float(np.mean([e.tree_.node_count for e in estimators])),
            "max_depth_mean": float(np.mean([e.tree_.max_depth for e in estimators])),
        },
        "shap_on_sklearn": {
            "explainer_seconds": sk_explainer_seconds,
            "shap_seconds": sk_shap_seconds,
            "additivity_max_abs": additivity_error(np.ravel(sk_explainer.expected_value)[-1], sk_shap, sk_scores),
        },
        "shap_on_our_export": {
            "explainer_seconds": export_explainer_seconds,
            "shap_seconds": export_shap_seconds,
            "max_abs_diff_vs_ours": float(np.max(np.abs(export_shap - our_shap))),
            "base_value_abs_diff": abs(export_base - our_base),
        },
        "our_additivity_max_abs": additivity_error(our_base, our_shap, our_scores),
    }


def isolation_forest_experiment(data, engine, out_dir):
    """Fit on every row, then score every row: ours against IsolationForest."""
    engine_dir = out_dir / "iforest"
    print("  ClaimForest: isolation forest fit and score ...", flush=True)
    ours = run_engine(
        engine, "iforest", "--input", data["csv"], "--label", "is_anomaly", "--trees", N_TREES,
        "--max-samples", 256, "--seed", SEED, "--out-dir", engine_dir,
    )  # fmt: skip
    our_scores = read_column(engine_dir / "scores.csv")

    print("  scikit-learn: IsolationForest fit and score_samples ...", flush=True)
    forest = IsolationForest(n_estimators=N_TREES, max_samples=256, n_jobs=1, random_state=SEED)
    _, sk_fit_seconds = timed(forest.fit, data["x"])
    sk_scores, sk_score_seconds = timed(forest.score_samples, data["x"])
    estimators = forest.estimators_
    return {
        "ours": {**ours, "auc": roc_auc_score(data["is_anomaly"], our_scores)},
        "sklearn": {
            "fit_seconds": sk_fit_seconds,
            "score_seconds": sk_score_seconds,
            # score_samples is higher for normal rows; negate it so higher means more anomalous.
            "auc": roc_auc_score(data["is_anomaly"], -sk_scores),
            "n_nodes_mean": float(np.mean([e.tree_.node_count for e in estimators])),
            "max_depth_mean": float(np.mean([e.tree_.max_depth for e in estimators])),
        },
    }


# ---------------------------------------------------------------------------------------------
# Report


def seconds(value):
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def speedup(ours, theirs):
    if ours <= 0 or theirs <= 0:
        return "n/a"
    return f"{theirs / ours:.1f}× faster" if theirs >= ours else f"{ours / theirs:.1f}× slower"


def verdict(passed):
    return "pass" if passed else "**FAIL**"


def markdown_table(results):
    rf, iforest = results["random_forest"], results["isolation_forest"]
    sizes = results["sizes"]
    rf_ours, rf_sk = rf["ours"], rf["sklearn"]
    if_ours, if_sk = iforest["ours"], iforest["sklearn"]
    shap_sk, shap_export = rf["shap_on_sklearn"], rf["shap_on_our_export"]
    if_ours_total = if_ours["fit_seconds"] + if_ours["score_seconds"]
    if_sk_total = if_sk["fit_seconds"] + if_sk["score_seconds"]
    rf_fit_speedup = rf_sk["fit_seconds"] / rf_ours["fit_seconds"]
    if_speedup = if_sk_total / if_ours_total
    auc_gap = rf_ours["auc"] - rf_sk["auc"]
    if_auc_gap = if_ours["auc"] - if_sk["auc"]
    rf_rows = f"{sizes['rf_train_rows']:,} train rows"
    if_rows = f"{sizes['if_rows']:,} rows"
    shap_rows = f"{rf_ours['n_shap_rows']:,} rows"
    rows = [
        ("RF fit", rf_rows, seconds(rf_ours["fit_seconds"]), seconds(rf_sk["fit_seconds"]),
         speedup(rf_ours["fit_seconds"], rf_sk["fit_seconds"]), f"≥ 10× faster: {verdict(rf_fit_speedup >= 10)}"),
        ("RF predict_proba", f"{sizes['rf_test_rows']:,} test rows", seconds(rf_ours["score_seconds"]),
         seconds(rf_sk["score_seconds"]), speedup(rf_ours["score_seconds"], rf_sk["score_seconds"]), ""),
        ("RF test ROC AUC", f"{sizes['rf_test_rows']:,} test rows", f"{rf_ours['auc']:.4f}", f"{rf_sk['auc']:.4f}",
         f"{auc_gap:+.4f}", f"≥ sklearn − 0.005: {verdict(auc_gap >= -0.005)}"),
        ("RF mean nodes per tree", "", f"{rf_ours['n_nodes_mean']:,.0f}", f"{rf_sk['n_nodes_mean']:,.0f}", "", ""),
        ("RF mean max depth", "", f"{rf_ours['max_depth_mean']:.1f}", f"{rf_sk['max_depth_mean']:.1f}", "", ""),
        ("IF fit", if_rows, seconds(if_ours["fit_seconds"]), seconds(if_sk["fit_seconds"]),
         speedup(if_ours["fit_seconds"], if_sk["fit_seconds"]), ""),
        ("IF score", if_rows, seconds(if_ours["score_seconds"]), seconds(if_sk["score_seconds"]),
         speedup(if_ours["score_seconds"], if_sk["score_seconds"]), ""),
        ("IF fit + score", if_rows, seconds(if_ours_total), seconds(if_sk_total), speedup(if_ours_total, if_sk_total),
         f"≥ 3× faster: {verdict(if_speedup >= 3)}"),
        ("IF ROC AUC vs injected", if_rows, f"{if_ours['auc']:.4f}", f"{if_sk['auc']:.4f}", f"{if_auc_gap:+.4f}",
         f"within 0.01: {verdict(abs(if_auc_gap) <= 0.01)}"),
        ("IF mean nodes per tree", "", f"{if_ours['n_nodes_mean']:,.0f}", f"{if_sk['n_nodes_mean']:,.0f}", "", ""),
        ("IF mean max depth", "", f"{if_ours['max_depth_mean']:.1f}", f"{if_sk['max_depth_mean']:.1f}", "", ""),
        ("TreeSHAP, own forest", shap_rows, seconds(rf_ours["shap_seconds"]), seconds(shap_sk["shap_seconds"]),
         speedup(rf_ours["shap_seconds"], shap_sk["shap_seconds"]), ""),
        ("TreeSHAP on our export", shap_rows, seconds(rf_ours["shap_seconds"]),
         seconds(shap_export["shap_seconds"]), speedup(rf_ours["shap_seconds"], shap_export["shap_seconds"]),
         "same trees on both sides"),
        ("max \\|ours − shap(our export)\\|", shap_rows, f"{shap_export['max_abs_diff_vs_ours']:.2e}", "", "",
         f"≤ 1e-6: {verdict(shap_export['max_abs_diff_vs_ours'] <= 1e-6)}"),
        ("additivity max \\|base + Σφ − prediction\\|", shap_rows, f"{rf['our_additivity_max_abs']:.2e}",
         f"{shap_sk['additivity_max_abs']:.2e}", "", ""),
    ]  # fmt: skip
    header = ("measure", "size", "ClaimForest", "scikit-learn / shap", "ours vs theirs", "target")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---", "---", "---:", "---:", "---:", "---"]) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def environment():
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True)
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "shap": shap.__version__,
        "rustc": rustc.stdout.strip() if rustc.returncode == 0 else "unknown",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "threads": "single-threaded on both sides (n_jobs=1, *_NUM_THREADS=1)",
    }


def markdown_report(results):
    env = results["environment"]
    lines = [
        f"# ClaimForest vs scikit-learn {env['scikit-learn']} and shap {env['shap']}",
        "",
        f"{env['date']}; Python {env['python']}, numpy {env['numpy']}, {env['rustc']}; {env['machine']};",
        f"{env['threads']}. {N_TREES} trees everywhere; seed {SEED}.",
        "Neither RF fit computes an out-of-bag score (scikit-learn's default oob_score=False).",
        "TreeSHAP times cover shap_values / explain_matrix only, not building the explainer.",
        "",
        markdown_table(results),
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Main


def default_engine():
    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target_dir / "release" / "examples" / "compare_engine"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shrink every size about ten times (a smoke run)")
    parser.add_argument("--engine", type=Path, default=default_engine(), help="the compare_engine binary")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "target" / "compare", help="data and results")
    return parser.parse_args()


def main():
    args = parse_args()
    if not args.engine.exists():
        sys.exit(f"{args.engine} is missing: build it with `cargo build --release --example compare_engine`")
    sizes = QUICK if args.quick else FULL
    args.out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    print(f"writing seeded data to {args.out_dir} ...", flush=True)
    classification = classification_data(sizes, args.out_dir)
    anomalies = anomaly_data(sizes, args.out_dir)

    print("random forest and TreeSHAP:", flush=True)
    random_forest = random_forest_experiment(classification, sizes, args.engine, args.out_dir)
    print("isolation forest:", flush=True)
    isolation_forest = isolation_forest_experiment(anomalies, args.engine, args.out_dir)

    results = {
        "quick": args.quick,
        "sizes": asdict(sizes),
        "environment": environment(),
        "random_forest": random_forest,
        "isolation_forest": isolation_forest,
        "total_seconds": time.perf_counter() - started,
    }
    report = markdown_report(results)
    (args.out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out_dir / "results.md").write_text(report)
    print()
    print(report)
    print(f"(whole run: {seconds(results['total_seconds'])}; written to {args.out_dir}/results.md and results.json)")


if __name__ == "__main__":
    main()
