"""Plain VADER (±0.05) against Earshot's IT scorer on labelled sentiment sets.

    python bench/sentiment_eval.py DATA_DIR [more dirs or .csv files ...] [--tune]

For every CSV with `text,label` (neg/neu/pos): n, macro-F1, accuracy and per-class F1 for
both scorers, on the whole file and on its two halves (even rows = the tuning half, odd
rows = the half never tuned on). For every CSV with `text,mean_rating`: Pearson r of the
compound with the human ratings. Also the IT-feedback tables from
tests/sentiment/test_itscore.py (tuned table and held-out table), and the speed of both
scorers over all texts (texts/s and their ratio).

--tune: grid-search the neutral band on the tuning halves (mean macro-F1 over the
labelled files) and print the best cut-offs; they are then set by hand in scorer.py.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from sentiment.cleaning import clean_text  # noqa: E402
from sentiment.itscore import scorer as its  # noqa: E402

LABELS = ("neg", "neu", "pos")
ROUNDS = 5  # timed rounds per scorer in the speed measurement


def vader_label(c: float) -> str:
    return "pos" if c >= 0.05 else "neg" if c <= -0.05 else "neu"


def f1_report(gold: list[str], pred: list[str]) -> tuple[float, float, dict[str, float]]:
    per: dict[str, float] = {}
    for lab in LABELS:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per[lab] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold) if gold else 0.0
    present = [lab for lab in LABELS if lab in gold]
    macro = sum(per[lab] for lab in present) / len(present) if present else 0.0
    return macro, acc, per


def pearson(x: list[float], y: list[float]) -> float:
    return statistics.correlation(x, y)


def load_csvs(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.csv")) if p.is_dir() else [p])
    return files


def read_rows(path: Path) -> tuple[str, list[tuple[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames or []
        if "label" in fields:
            return "label", [(r["text"], r["label"].strip()) for r in reader]
        if "mean_rating" in fields:
            return "rating", [(r["text"], r["mean_rating"]) for r in reader]
    return "unknown", []


def it_tables() -> dict[str, list[tuple[str, str]]]:
    path = ROOT / "tests" / "sentiment" / "test_itscore.py"
    spec = importlib.util.spec_from_file_location("_itscore_tables", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return {
        "IT feedback (tuned)": list(mod.IT_FEEDBACK),
        # Written as held-out rounds, each scored once before it was tuned on (first scores
        # in the test module's docstring); since tuned on, so no longer unseen.
        "IT feedback (later rounds, since tuned on)": list(mod.IT_HELD_OUT),
        **{
            f"IT feedback, it_rounds/{path.name} (first score in its first line)": list(
                mod.read_round(path.stem)
            )
            for path in sorted((ROOT / "tests" / "sentiment" / "it_rounds").glob("*.tsv"))
        },
    }


def fmt_row(name: str, gold: list[str], vpred: list[str], epred: list[str]) -> str:
    vm, va, vp = f1_report(gold, vpred)
    em, ea, ep = f1_report(gold, epred)
    per_v = " ".join(f"{lab}={vp[lab]:.2f}" for lab in LABELS)
    per_e = " ".join(f"{lab}={ep[lab]:.2f}" for lab in LABELS)
    return (
        f"  {name:<10} n={len(gold):<5} VADER  F1={vm:.3f} acc={va:.3f} [{per_v}]\n"
        f"  {'':<10} {'':<7} Earshot F1={em:.3f} acc={ea:.3f} [{per_e}]  ΔF1={em - vm:+.3f}"
    )


def tune(labelled: dict[str, tuple[list[str], list[float]]]) -> None:
    best: list[tuple[float, float, float, list[float]]] = []
    for pos_c in [x / 100 for x in range(0, 41, 1)]:
        for neg_c in [-x / 100 for x in range(0, 41, 1)]:
            scores = []
            for gold, comp in labelled.values():
                pred = [
                    "pos" if c >= pos_c and c > 0 else "neg" if c <= neg_c and c < 0 else "neu"
                    for c in comp
                ]
                scores.append(f1_report(gold, pred)[0])
            best.append((statistics.mean(scores), pos_c, neg_c, scores))
    best.sort(reverse=True)
    print("\nNeutral band search on the tuning halves (mean macro-F1 over files):")
    for m, p, n, s in best[:8]:
        print(f"  pos>={p:.2f} neg<={n:.2f}  mean={m:.4f}  " + " ".join(f"{x:.3f}" for x in s))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("paths", nargs="+")
    ap.add_argument(
        "--tune", action="store_true", help="search the neutral band on the tuning halves"
    )
    args = ap.parse_args()

    vader = SentimentIntensityAnalyzer()
    ea = its.analyzer()
    print(
        f"Earshot scorer {its.ITSCORE_VERSION}: pos >= {its.POSITIVE_THRESHOLD}, neg <= {its.NEGATIVE_THRESHOLD}"
        "  (plain VADER: ±0.05)"
    )
    all_texts: list[str] = []
    tuning: dict[str, tuple[list[str], list[float]]] = {}
    sources: list[tuple[str, str, list[tuple[str, str]]]] = []
    for path in load_csvs(args.paths):
        kind, rows = read_rows(path)
        if kind != "unknown":
            sources.append((path.name, kind, rows))
    for name, rows in it_tables().items():
        sources.append((name, "label", rows))

    for name, kind, rows in sources:
        texts = [t for t, _ in rows]
        all_texts.extend(texts)
        vc = [vader.polarity_scores(t)["compound"] for t in texts]
        es = [ea.it_scores(t) for t in texts]
        ec = [s.compound for s in es]
        print(f"\n{name}")
        if kind == "rating":
            ratings = [float(r) for _, r in rows]
            print(
                f"  n={len(rows)}  Pearson r: VADER {pearson(vc, ratings):.3f}   Earshot {pearson(ec, ratings):.3f}"
            )
            continue
        gold = [lab for _, lab in rows]
        vpred = [vader_label(c) for c in vc]
        epred = [s.label for s in es]
        print(fmt_row("all", gold, vpred, epred))
        if not name.startswith("IT feedback"):
            for half, sl in (("tune(even)", slice(0, None, 2)), ("held(odd)", slice(1, None, 2))):
                print(fmt_row(half, gold[sl], vpred[sl], epred[sl]))
            tuning[name] = (gold[::2], ec[::2])
        else:
            tuning[name] = (gold, ec) if "tuned" in name else tuning.get(name, ([], []))
            if "later rounds" in name:
                tuning.pop(name, None)

    # Speed, after a warm-up. Two comparisons, timed in alternating rounds (so a change in
    # machine load during the run weighs on every side; each side's best round counts):
    #  - scoring: both scorers on the same clean text. This is the worker's step: text is
    #    cleaned once at ingest (Comment.clean_body) and scored from there (score_clean);
    #  - end to end: VADER on the raw text, Earshot cleaning it and scoring it.
    sample = all_texts
    clean = [clean_text(t) for t in sample]

    def earshot_clean(t: str) -> object:
        return ea.it_scores(t, cleaned=True)

    sides = (
        ("VADER, clean text", vader.polarity_scores, clean),
        ("Earshot, clean text", earshot_clean, clean),
        ("VADER, raw text", vader.polarity_scores, sample),
        ("Earshot, raw text", ea.it_scores, sample),
    )
    for _, fn, texts in sides:
        for t in texts[:200]:
            fn(t)
    rates = dict.fromkeys((label for label, _, _ in sides), 0.0)
    for _ in range(ROUNDS):
        for label, fn, texts in sides:
            t0 = time.perf_counter()
            for t in texts:
                fn(t)
            rates[label] = max(rates[label], len(texts) / (time.perf_counter() - t0))
    print(f"\nSpeed over {len(sample)} texts (best of {ROUNDS} alternating rounds):")
    for what, v, e in (
        (
            "Scoring (the worker's step, same clean text)",
            "VADER, clean text",
            "Earshot, clean text",
        ),
        ("End to end (raw text; Earshot also cleans)", "VADER, raw text", "Earshot, raw text"),
    ):
        print(
            f"  {what}: VADER {rates[v]:,.0f} texts/s, Earshot {rates[e]:,.0f} texts/s; "
            f"Earshot time per text = {rates[v] / rates[e]:.2f}x VADER's"
        )

    if args.tune:
        tune(tuning)


if __name__ == "__main__":
    main()
