"""The categorical benchmark: text columns whose levels are in no meaningful order.

Run by `./x compare` after compare.py, or directly:

    python benches/compare/categories.py [--cli target/release/claimforest]

The data has the public auto-insurance file's shape: 1,000 claims, 16 text columns and 12
numeric ones. Three of 30 hobbies and one of four incident severities carry the fraud
signal; the rest is noise. Each seed writes a train file (800 claims) and a test file
(200), and every contender fits on the first and is scored on the second:

- ClaimForest with text columns as text (levels coded by positive rate);
- ClaimForest with the same columns as numbers: alphabetical codes (what scikit-learn's
  OrdinalEncoder gives) and first-seen codes (what ClaimForest did before);
- scikit-learn's RandomForestClassifier on alphabetical codes, with ClaimForest's defaults
  (100 trees, depth 16, 3 claims per leaf, sqrt features).

It also trains ClaimForest on the train file with its rows shuffled (the model's codes must
not change) and times `claimforest train` on 100,000 claims as text against the same claims
as numbers. Results: a Markdown table on stdout and in target/compare/categories.md.
"""

import single_thread  # noqa: F401  (first: one thread for numpy and scikit-learn)

import argparse
import csv
import json
import random
import subprocess
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "target" / "compare" / "categories"
SEEDS = [1, 2, 3, 4, 5]
N_TRAIN, N_TEST = 800, 200
N_TREES = 100

HOBBIES = [
    "paintball", "yachting", "reading", "chess", "golf", "kayaking", "base-jumping", "board-games", "polo",
    "cross-fit", "hiking", "movies", "bungie-jumping", "dancing", "sleeping", "exercise", "skydiving",
    "video-games", "camping", "basketball", "fishing", "knitting", "surfing", "archery", "pottery",
    "chess-boxing", "running", "sailing", "tennis", "baking",
]
SIGNAL = {"chess", "cross-fit", "skydiving"}
SEVERITIES = ["Trivial Damage", "Minor Damage", "Major Damage", "Total Loss"]
NOISE_TEXT_LEVELS = [2, 3, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 25]
NOISE_NUMBERS = 10
TEXT_COLUMNS = ["hobby", "severity"] + [f"text_{i}" for i in range(len(NOISE_TEXT_LEVELS))]
NUMBER_COLUMNS = ["amount", "age"] + [f"number_{i}" for i in range(NOISE_NUMBERS)]
FEATURES = TEXT_COLUMNS + NUMBER_COLUMNS
LABEL = "fraud_reported"


def claims(n_rows, rng):
    rows = []
    for _ in range(n_rows):
        row = {f"text_{i}": f"v{rng.randrange(n) * 7919 % 1000}" for i, n in enumerate(NOISE_TEXT_LEVELS)}
        row.update({f"number_{i}": round(rng.random(), 6) for i in range(NOISE_NUMBERS)})
        hobby, severity = rng.choice(HOBBIES), rng.choice(SEVERITIES)
        amount, age = round(1000 + rng.random() * 60000, 2), 19 + rng.randrange(45)
        p = 0.08 + 0.000002 * amount + (0.55 if hobby in SIGNAL else 0) + (0.3 if severity == "Major Damage" else 0)
        row.update(hobby=hobby, severity=severity, amount=amount, age=age)
        row[LABEL] = "Y" if rng.random() < p else "N"
        rows.append(row)
    return rows


def write(path, rows, columns):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def coded(rows, train_rows, order):
    """The rows with each text column as a number: its level's position in `order` over the
    training rows ("alphabetical" or "first_seen"); a level the training rows lack is empty."""
    codes = {}
    for column in TEXT_COLUMNS:
        levels = []
        for row in train_rows:
            if row[column] not in levels:
                levels.append(row[column])
        if order == "alphabetical":
            levels.sort()
        codes[column] = {level: i for i, level in enumerate(levels)}
    return [{**row, **{c: codes[c].get(row[c], "") for c in TEXT_COLUMNS}} for row in rows]


def cli(args, binary):
    subprocess.run([str(binary), *args], check=True, capture_output=True, text=True)


def claimforest_auc(train_path, test_path, seed, binary, work):
    model, scored = work / "model.json", work / "scored.csv"
    cli(["train", "--input", str(train_path), "--label", LABEL, "--positive", "Y", "--features", ",".join(FEATURES),
         "--trees", str(N_TREES), "--seed", str(seed), "--test-fraction", "0", "--out", str(model)], binary)
    cli(["score", "--model", str(model), "--input", str(test_path), "--precision", "full", "--out", str(scored)],
        binary)
    with open(scored, newline="") as f:
        rows = list(csv.DictReader(f))
    return roc_auc_score([r[LABEL] == "Y" for r in rows], [float(r["score"]) for r in rows]), model


def sklearn_auc(train_rows, test_rows, seed):
    def matrix(rows):
        return np.array([[np.nan if row[c] == "" else float(row[c]) for c in FEATURES] for row in rows])

    coded_train = coded(train_rows, train_rows, "alphabetical")
    coded_test = coded(test_rows, train_rows, "alphabetical")
    forest = RandomForestClassifier(n_estimators=N_TREES, max_depth=16, min_samples_leaf=3, max_features="sqrt",
                                    random_state=seed, n_jobs=1)
    forest.fit(matrix(coded_train), [r[LABEL] == "Y" for r in coded_train])
    return roc_auc_score([r[LABEL] == "Y" for r in test_rows], forest.predict_proba(matrix(coded_test))[:, 1])


def model_codes(model_path):
    features = json.loads(Path(model_path).read_text())["features"]["features"]
    return {f["name"]: f.get("levels") for f in features if f["kind"] == "categorical"}


def timed_train(path, binary, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        cli(["train", "--input", str(path), "--label", LABEL, "--positive", "Y", "--features", ",".join(FEATURES),
             "--trees", str(N_TREES), "--seed", "1", "--out", str(OUT / "timed.json")], binary)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=str(ROOT / "target" / "release" / "claimforest"))
    binary = Path(parser.parse_args().cli)
    OUT.mkdir(parents=True, exist_ok=True)
    columns = FEATURES + [LABEL]
    results = {"native": [], "alphabetical": [], "first_seen": [], "sklearn_alphabetical": []}
    shuffled_same_codes = True
    for seed in SEEDS:
        rng = random.Random(seed)
        rows = claims(N_TRAIN + N_TEST, rng)
        train_rows, test_rows = rows[:N_TRAIN], rows[N_TRAIN:]
        work = OUT / f"seed{seed}"
        work.mkdir(exist_ok=True)
        write(work / "train.csv", train_rows, columns)
        write(work / "test.csv", test_rows, columns)
        auc, model = claimforest_auc(work / "train.csv", work / "test.csv", seed, binary, work)
        results["native"].append(auc)
        codes = model_codes(model)
        shuffled = train_rows[:]
        random.Random(seed + 100).shuffle(shuffled)
        write(work / "train_shuffled.csv", shuffled, columns)
        _, shuffled_model = claimforest_auc(work / "train_shuffled.csv", work / "test.csv", seed, binary, work)
        shuffled_same_codes &= model_codes(shuffled_model) == codes
        for order in ["alphabetical", "first_seen"]:
            write(work / f"train_{order}.csv", coded(train_rows, train_rows, order), columns)
            write(work / f"test_{order}.csv", coded(test_rows, train_rows, order), columns)
            auc, _ = claimforest_auc(work / f"train_{order}.csv", work / f"test_{order}.csv", seed, binary, work)
            results[order].append(auc)
        results["sklearn_alphabetical"].append(sklearn_auc(train_rows, test_rows, seed))

    big = claims(100_000, random.Random(99))
    write(OUT / "big_text.csv", big, columns)
    write(OUT / "big_numbers.csv", coded(big, big, "alphabetical"), columns)
    as_text, as_numbers = timed_train(OUT / "big_text.csv", binary), timed_train(OUT / "big_numbers.csv", binary)

    mean = lambda values: sum(values) / len(values)  # noqa: E731
    names = {
        "native": "ClaimForest, text as categories (coded by positive rate)",
        "alphabetical": "ClaimForest, alphabetical codes",
        "first_seen": "ClaimForest, first-seen codes",
        "sklearn_alphabetical": "scikit-learn RandomForestClassifier, alphabetical codes (OrdinalEncoder)",
    }
    lines = [
        f"Held-out ROC AUC, {len(SEEDS)} seeds of {N_TRAIN} + {N_TEST} claims, {N_TREES} trees:",
        "",
        "| contender | mean | per seed |",
        "|---|---:|---|",
    ]
    for key, name in names.items():
        lines.append(f"| {name} | {mean(results[key]):.4f} | {', '.join(f'{a:.3f}' for a in results[key])} |")
    lines += [
        "",
        f"Shuffled training rows give the same codes: {'yes' if shuffled_same_codes else 'NO'}",
        f"`claimforest train` on 100,000 claims (median of 5, whole command): text {as_text:.2f} s, "
        f"numbers {as_numbers:.2f} s, ratio {as_text / as_numbers:.2f}",
    ]
    text = "\n".join(lines) + "\n"
    (ROOT / "target" / "compare" / "categories.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
