"""How well and how fast the person matcher finds the same person twice, beside Splink.

Run by hand, never by the tests (timings live in bench/, see bench/README.md):

    .venv/bin/python bench/person_matching.py [--data DEV.csv] [--persons 100000]

The labelled development set and its generator are in ../shared/data/person-matching/ (next
to the repository; --data and --generator point elsewhere). Scoring is pairwise: a found pair
is two record ids; precision is the share of found pairs that are the same person, recall the
share of true pairs (all pairs of records with the same person_id) that were found.

It prints the machine, then:

1. the development set: corridor.cases.matching (pairs(), and groups() whose pairs are those
   within a group), then the fixed Splink baseline (splink_baseline.py, untouched, run in this
   process), precision, recall, F1 and seconds each;
2. held-out checks: the thresholds on half of the persons (tuning) against the other half;
   a random third of the given names held out; a file of another seed; and a file made by the
   same generator with names that are not in it (written here, in the same conventions), with
   Splink beside ours on the last two;
3. the batch over --persons registrations generated with generate.py: seconds for the index,
   pairs() and groups(), and their precision and recall there.

Generated files go to a temporary folder, removed at the end. Needs Splink (`make bench-deps`:
pinned in requirements-bench.lock) and nothing else beyond the repository's packages.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.util
import io
import itertools
import os
import random
import runpy
import sys
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO))

from import_flows import machine  # noqa: E402 - bench/ is put on the path just above

from corridor.cases import matching  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "person-matching"
SPLINK_VERSION = "5.0.0"
SEED = 20261122
TARGET_F1 = 0.7
TARGET_BATCH_SECONDS = 120
THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.5)

# Names that generate.py does not have, for the "new names" check, in its layout: each list
# holds one name's spellings met in the field, the English-style one first. Written from the
# same conventions (English, French, Oromo Qubee, Somali), not from the matcher's rules; some
# variants are beyond them on purpose (Abdiaziz, Abdulaziz).
NEW_MALE = {
    "eth": [
        ["Mengistu", "Mengestu", "Menguistou"],
        ["Fekadu", "Fikadu", "Feqadu", "Fékadou"],
        ["Asrat", "Asirat"],
        ["Yirga", "Yerga", "Yrga"],
        ["Ermias", "Ermiyas", "Ermyas"],
        ["Demeke", "Demmeke", "Démeké"],
        ["Belay", "Belaye", "Bélay"],
        ["Gashaw", "Gachaw", "Gashew"],
        ["Endale", "Endalé", "Indale"],
        ["Tekle", "Tekele", "Teklé"],
        ["Kiros", "Kiross", "Qiros"],
        ["Mekonnen", "Mekonen", "Makonnen"],
        ["Nigussie", "Negussie", "Nigusse"],
        ["Abraham", "Abreham", "Abrham"],
        ["Yared", "Yarid", "Yaréd"],
        ["Sisay", "Sisaye", "Sissay"],
        ["Wubshet", "Wubeshet", "Woubchet"],
        ["Alemayehu", "Alemayhu", "Alémayéhou"],
        ["Teshome", "Teshom", "Téchomé"],
        ["Melaku", "Melakou", "Mellaku"],
        ["Tefera", "Teferra", "Téféra"],
        ["Demissie", "Demisse", "Dimissie"],
        ["Chernet", "Tchernet", "Chérnet"],
        ["Ashenafi", "Achenafi", "Ashnafi"],
        ["Fasil", "Fassil", "Fasile"],
    ],
    "orm": [
        ["Gutema", "Guutamaa", "Goutéma"],
        ["Diriba", "Diribaa", "Dirriba"],
        ["Jiregna", "Jiregnaa", "Djiregna"],
        ["Tufa", "Tufaa", "Toufa"],
        ["Guyo", "Guyyoo", "Gouyo"],
        ["Kuma", "Kumaa", "Kouma"],
        ["Bayisa", "Baayisaa", "Bayissa"],
        ["Dinsa", "Dinsaa", "Dinssa"],
        ["Tesema", "Tasamaa", "Tessema"],
        ["Galana", "Galaanaa", "Galanna"],
        ["Roba", "Robaa", "Rooba"],
        ["Debela", "Dabalaa", "Débéla"],
        ["Megersa", "Magarsaa", "Méguersa"],
        ["Urgessa", "Urgeessaa", "Ourguessa"],
        ["Olana", "Olaanaa", "Olanaa"],
    ],
    "som": [
        ["Bashir", "Bashiir", "Bachir"],
        ["Guled", "Guuleed", "Gouled"],
        ["Mahad", "Maxad", "Mahaad"],
        ["Abdiaziz", "Cabdicasiis", "Abdulaziz", "Abdelaziz"],
        ["Sharif", "Shariif", "Charif"],
        ["Nasir", "Naasir", "Nassir"],
        ["Khalid", "Khaalid", "Khaled", "Qalid"],
        ["Salah", "Salax", "Saleh"],
        ["Jibril", "Jibriil", "Djibril"],
        ["Hamza", "Xamza", "Hamsa"],
        ["Sahal", "Saxal", "Sahaal"],
        ["Mukhtar", "Mukhtaar", "Moukhtar"],
        ["Barkhad", "Barkad", "Barqad"],
        ["Liban", "Libaan", "Libane"],
        ["Yasin", "Yaasiin", "Yassin"],
        ["Anwar", "Anwaar", "Anouar"],
    ],
    "afar": [
        ["Hamadou", "Hamadu", "Hammadu"],
        ["Kassim", "Qasim", "Kasim"],
        ["Habib", "Habiib", "Xabiib"],
        ["Aboubaker", "Abubakar", "Abubaker", "Aboubakar"],
        ["Hamid", "Xamiid", "Hamed"],
        ["Ilyas", "Iliyas", "Elias"],
        ["Moumin", "Mumin", "Muumin"],
    ],
}
NEW_FEMALE = {
    "eth": [
        ["Tsehay", "Tsehaye", "Sehay"],
        ["Mulu", "Moulou", "Mullu"],
        ["Zewditu", "Zawditu", "Zéouditou"],
        ["Etenesh", "Etenech", "Itenesh"],
        ["Yodit", "Yoditt", "Yodite"],
        ["Meskerem", "Meskeram", "Mesqerem"],
        ["Rahel", "Rachel", "Raheal"],
        ["Mahlet", "Mahilet", "Mahleth"],
        ["Workinesh", "Werkinesh", "Workenesh"],
        ["Tirunesh", "Terunesh", "Tirounech"],
        ["Kidist", "Qidist", "Kidest"],
        ["Hirut", "Hiruth", "Hirout"],
    ],
    "orm": [
        ["Gadise", "Gaaddisee", "Guadisse"],
        ["Ayantu", "Ayyaantuu", "Ayantou"],
        ["Biftu", "Biftuu", "Biftou"],
        ["Jalane", "Jaalannee", "Djalane"],
        ["Lensa", "Lensaa", "Lenssa"],
        ["Urji", "Urjii", "Ourji"],
        ["Kulani", "Kulaanii", "Koulani"],
        ["Soreti", "Sooreetii", "Soréti"],
        ["Hawani", "Hawwaani", "Haouani"],
    ],
    "som": [
        ["Deeqa", "Deka", "Dega", "Deqa"],
        ["Ayaan", "Ayan", "Ayane"],
        ["Ruqiya", "Rukia", "Roukiya", "Ruqiyo"],
        ["Nimco", "Nimo", "Nimko"],
        ["Sucaad", "Suad", "Souad"],
        ["Ladan", "Laadan", "Ladane"],
        ["Kowsar", "Kawsar", "Kausar"],
        ["Idil", "Iidil", "Idile"],
        ["Hamdi", "Xamdi", "Hamdy"],
        ["Shukri", "Shukrii", "Choukri"],
        ["Faiza", "Faaiso", "Fayza"],
        ["Nasteho", "Nasteexo", "Nastehou"],
    ],
    "afar": [
        ["Safia", "Safiya", "Saafiyo"],
        ["Zeinab", "Zaynab", "Seynab"],
        ["Rahma", "Raxma", "Rahmo"],
        ["Mouna", "Muna", "Muuna"],
        ["Assia", "Aasiya", "Asia"],
    ],
}


# The data ------------------------------------------------------------------------------------


def load(path: Path) -> tuple[list[dict[str, str]], set[tuple[str, str]]]:
    """The rows of a labelled file and its true pairs (record ids, smaller first)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_person = defaultdict(list)
    for row in rows:
        by_person[row["person_id"]].append(row["record_id"])
    truth = {
        (min(a, b), max(a, b))
        for ids in by_person.values()
        for a, b in itertools.combinations(ids, 2)
    }
    return rows, truth


def identities(rows: Iterable[dict[str, str]]) -> list[matching.Identity]:
    return [
        matching.Identity(
            key=row["record_id"],
            given_name=row["given_name"],
            father_name=row["father_name"],
            grandfather_name=row["grandfather_name"],
            sex=row["sex"],
            birth_year=int(row["birth_year"]) if row["birth_year"] else None,
            age_is_estimated=row["age_is_estimated"] == "1",
            nationality=row["nationality"],
        )
        for row in rows
    ]


def generator(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("person_matching_generate", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"Cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate(module: ModuleType, rows: int, seed: int, path: Path, names=None) -> Path:
    """A labelled file from generate.py, with other name lists when names is given."""
    saved = module.MALE, module.FEMALE
    if names:
        module.MALE, module.FEMALE = names
    try:
        module.main(rows, seed, str(path))
    finally:
        module.MALE, module.FEMALE = saved
    return path


# Scoring ---------------------------------------------------------------------------------


def pair_set(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(min(a, b), max(a, b)) for a, b in pairs}


def group_pairs(groups: Iterable[tuple]) -> set[tuple[str, str]]:
    return pair_set(pair for group in groups for pair in itertools.combinations(group, 2))


def evaluate(
    found: set[tuple[str, str]], truth: set[tuple[str, str]], among: set[str] | None = None
) -> tuple[float, float, float]:
    """Precision, recall, F1; among: only the pairs touching these records (a subset of the
    persons: a pair found with one record outside is a false one)."""
    if among is not None:
        found = {p for p in found if p[0] in among or p[1] in among}
        truth = {p for p in truth if p[0] in among}
    true = len(found & truth)
    precision = true / len(found) if found else 0.0
    recall = true / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load_average() -> str:
    try:
        return " ".join(f"{n:.1f}" for n in os.getloadavg())
    except OSError:
        return "unknown"


def timed(function: Callable, *args, **kwargs) -> tuple[object, float]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def line(label: str, figures: tuple[float, float, float], seconds: float, note: str = "") -> None:
    precision, recall, f1 = figures
    print(f"  {label:<38}{precision:>9.3f}{recall:>8.3f}{f1:>7.3f}{seconds:>9.1f}  {note}")


def header() -> None:
    print(f"  {'':<38}{'precision':>9}{'recall':>8}{'F1':>7}{'seconds':>9}")


# The runs --------------------------------------------------------------------------------


def ours(path: Path, truth: set[tuple[str, str]], rows: list[dict[str, str]]) -> dict:
    """Index, pairs() and groups() at their default thresholds, timed apart."""
    matcher, index_seconds = timed(matching.Matcher, identities(rows))
    pairs, pairs_seconds = timed(matcher.pairs)
    groups, groups_seconds = timed(matcher.groups)
    found_pairs = pair_set((p.key_a, p.key_b) for p in pairs)
    found_groups = group_pairs(groups)
    return {
        "matcher": matcher,
        "index": index_seconds,
        "pairs": (evaluate(found_pairs, truth), index_seconds + pairs_seconds),
        "groups": (evaluate(found_groups, truth), index_seconds + groups_seconds),
        "found_pairs": found_pairs,
        "found_groups": found_groups,
        "pairs_seconds": pairs_seconds,
        "groups_seconds": groups_seconds,
    }


def splink(script: Path, train: Path, test: Path | None = None) -> tuple[tuple, float]:
    """The fixed baseline, run in this process as its own command line would run it."""
    argv = [str(script), str(train)] + ([str(test)] if test else [])
    saved, sys.argv = sys.argv, argv
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output):
            result = runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = saved
    return (result["precision"], result["recall"], result["f1"]), result["seconds"]


def canonical_copy(path: Path, lists: tuple[dict, dict], out: Path) -> Path:
    """A copy of a generated file with each spelling replaced by its name's first spelling:
    what a perfect name normaliser would see (typos stay)."""
    canonical: dict[str, str] = {}
    for pools in lists:
        for pool in pools.values():
            for spellings in pool:
                for spelling in spellings:
                    canonical.setdefault(spelling.casefold(), spellings[0])
    rows, _ = load(path)
    for row in rows:
        for field in ("given_name", "father_name", "grandfather_name"):
            row[field] = canonical.get(row[field].casefold(), row[field])
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def report_file(
    title: str, path: Path, script: Path, train: Path, oracle: Path | None = None
) -> dict:
    rows, truth = load(path)
    print(f"\n{title}: {path.name} ({len(rows):,} registrations, {len(truth):,} true pairs)")
    header()
    result = ours(path, truth, rows)
    for use in ("pairs", "groups"):
        probability = matching.PAIR_PROBABILITY if use == "pairs" else matching.GROUP_PROBABILITY
        line(
            f"ours, {use}() p >= {probability}",
            *result[use],
            f"(index {result['index']:.1f} s + {result[use + '_seconds']:.1f} s)",
        )
    figures, seconds = splink(script, train, None if path == train else path)
    note = "" if path == train else f"(m from {train.name}'s labels)"
    line(f"Splink {SPLINK_VERSION} baseline", figures, seconds, note)
    if oracle:
        known = ours(oracle, truth, load(oracle)[0])
        for use in ("pairs", "groups"):
            line(f"ours, {use}(), names made canonical", *known[use], "(the spellings' lists)")
    result.update(rows=rows, truth=truth, splink=figures, splink_seconds=seconds)
    return result


def separability(path: Path) -> None:
    """How many pairs of different persons look like a true pair whatever the matcher: the
    names made canonical (a perfect normaliser) and every other field compatible."""

    def compatible(a: dict[str, str], b: dict[str, str]) -> bool:
        if a["sex"] != b["sex"] or (
            a["nationality"] and b["nationality"] and a["nationality"] != b["nationality"]
        ):
            return False
        grandfathers = a["grandfather_name"], b["grandfather_name"]
        if all(grandfathers) and grandfathers[0] != grandfathers[1]:
            return False
        if a["birth_year"] and b["birth_year"]:
            gap = abs(int(a["birth_year"]) - int(b["birth_year"]))
            if "1" in (a["age_is_estimated"], b["age_is_estimated"]):
                return gap <= 13
            return gap in (0, 1, 7, 8)
        return True

    rows, _ = load(path)
    blocks = defaultdict(list)
    for row in rows:
        blocks[tuple(sorted((row["given_name"], row["father_name"])))].append(row)
    counts: Counter[tuple[bool, bool]] = Counter()
    for block in blocks.values():
        for a, b in itertools.combinations(block, 2):
            if compatible(a, b):
                both = bool(a["grandfather_name"] and b["grandfather_name"])
                counts[a["person_id"] == b["person_id"], both] += 1
    print(
        "  With the names made canonical, pairs sharing the given and father's names and "
        "compatible in\n  every other field (sex, nationality, grandfather's name, years as "
        "the rules allow):\n"
        f"    both with a grandfather's name: {counts[True, True]:,} true pairs, "
        f"{counts[False, True]:,} of different persons;\n"
        f"    one without: {counts[True, False]:,} true pairs, {counts[False, False]:,} of "
        "different persons."
    )


def held_out(dev: dict) -> None:
    """Thresholds on half of the persons against the other half."""
    rows, truth, matcher = dev["rows"], dev["truth"], dev["matcher"]
    tuning = {r["record_id"] for r in rows if zlib.crc32(r["person_id"].encode()) % 2 == 0}
    held = {r["record_id"] for r in rows} - tuning
    print(
        "\nHeld out: the thresholds were chosen on half of the persons (tuning), by a hash of "
        "person_id;\nthe F1 of the other half (held out) at each threshold:"
    )
    print(f"  {'':<14}{'pairs()':>24}{'groups()':>26}")
    print(f"  {'probability':<14}{'tuning':>14}{'held out':>10}{'tuning':>16}{'held out':>10}")
    lowest = matcher.pairs(min(THRESHOLDS))
    for probability in THRESHOLDS:
        found = pair_set((p.key_a, p.key_b) for p in lowest if p.probability >= probability)
        grouped = group_pairs(matcher.groups(probability))
        marks = []
        for default in (matching.PAIR_PROBABILITY, matching.GROUP_PROBABILITY):
            marks.append("*" if probability == default else " ")
        print(
            f"  {probability:<14}"
            f"{evaluate(found, truth, tuning)[2]:>13.3f}{marks[0]}"
            f"{evaluate(found, truth, held)[2]:>10.3f}"
            f"{evaluate(grouped, truth, tuning)[2]:>15.3f}{marks[1]}"
            f"{evaluate(grouped, truth, held)[2]:>10.3f}"
        )
    print("  (* the default threshold)")


def unseen_third(dev: dict, module: ModuleType) -> None:
    """A random third of the given names (each with all its spellings) held out."""
    canonical: dict[str, str] = {}
    for pools in (module.MALE, module.FEMALE):
        for pool in pools.values():
            for spellings in pool:
                for spelling in spellings:
                    canonical.setdefault(spelling.casefold(), spellings[0])
    rows, truth = dev["rows"], dev["truth"]
    names_of = defaultdict(Counter)
    for row in rows:
        name = canonical.get(row["given_name"].casefold())
        if name:
            names_of[row["person_id"]][name] += 1
    person_name = {person: names.most_common(1)[0][0] for person, names in names_of.items()}
    names = sorted(set(person_name.values()))
    third = set(random.Random(SEED).sample(names, len(names) // 3))  # noqa: S311 - a sample
    inside = {r["record_id"] for r in rows if person_name.get(r["person_id"]) in third}
    outside = {r["record_id"] for r in rows} - inside
    print(
        f"\nNames never tuned on: a random third of the given names ({len(third)} of "
        f"{len(names)}, with all their spellings;\n{len(inside):,} registrations) against the "
        "rest, at the default thresholds:"
    )
    header()
    for label, found in (("pairs()", dev["found_pairs"]), ("groups()", dev["found_groups"])):
        line(f"ours, {label}, the third held out", evaluate(found, truth, inside), 0.0)
        line(f"ours, {label}, the other names", evaluate(found, truth, outside), 0.0)


def name_rules_on_new_names() -> None:
    """How the name rules alone fare on the names written here."""
    groups = [
        spellings for pools in (NEW_MALE, NEW_FEMALE) for p in pools.values() for spellings in p
    ]
    levels = Counter()
    for spellings in groups:
        for a, b in itertools.combinations(spellings, 2):
            levels[matching.name_level(matching.fold(a), matching.fold(b))] += 1
    clashes = []
    for first, second in itertools.combinations(groups, 2):
        if any(
            matching.name_level(matching.fold(a), matching.fold(b)) == matching.SAME
            for a in first
            for b in second
        ):
            clashes.append(f"{first[0]}/{second[0]}")
    within = sum(levels.values())
    different = len(groups) * (len(groups) - 1) // 2
    print(
        f"  name rules alone: of {within} pairs of spellings of one name, "
        f"{levels[matching.SAME] / within:.0%} SAME, {levels[matching.CLOSE] / within:.0%} CLOSE, "
        f"{levels[matching.DIFFERENT] / within:.0%} DIFFERENT;\n"
        f"  {len(clashes)} of {different:,} pairs of different names have a spelling in common "
        f"at SAME ({', '.join(clashes[:8])}{', ...' if len(clashes) > 8 else ''})"
    )


def batch(module: ModuleType, rows: int, folder: Path) -> tuple[float, float]:
    path = generate(module, rows, 4, folder / f"batch-{rows}.csv")
    data, truth = load(path)
    print(f"\nBatch: {rows:,} registrations from generate.py (seed 4), {len(truth):,} true pairs")
    header()
    result = ours(path, truth, data)
    for use in ("pairs", "groups"):
        probability = matching.PAIR_PROBABILITY if use == "pairs" else matching.GROUP_PROBABILITY
        line(
            f"ours, {use}() p >= {probability}",
            *result[use],
            f"(index {result['index']:.1f} s + {result[use + '_seconds']:.1f} s)",
        )
    return result["pairs"][1], result["groups"][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA / "dev-20k.csv", help="labelled CSV")
    parser.add_argument(
        "--generator", type=Path, default=None, help="generate.py (default: next to --data)"
    )
    parser.add_argument(
        "--splink-script", type=Path, default=None, help="splink_baseline.py (next to --data)"
    )
    parser.add_argument("--persons", type=int, default=100_000, help="registrations in the batch")
    args = parser.parse_args()
    generate_py = args.generator or args.data.parent / "generate.py"
    script = args.splink_script or args.data.parent / "splink_baseline.py"
    for path in (args.data, generate_py, script):
        if not path.exists():
            raise SystemExit(f"Not found: {path}")
    if importlib.util.find_spec("splink") is None:
        raise SystemExit(
            "Splink is not installed; the baseline needs it:\n"
            "    make bench-deps   (Splink and its dependencies, pinned in requirements-bench.lock)"
        )
    import duckdb
    import splink

    print("Machine:")
    for name, value in machine():
        print(f"  {name:<16}{value}")
    print(f"  {'Splink':<16}{splink.__version__} (DuckDB {duckdb.__version__})")
    print(f"  {'load average':<16}{load_average()} (other work on the machine slows the timings)")
    print(f"\nCommand: {' '.join([Path(sys.executable).name, *sys.argv])}")

    module = generator(generate_py)
    spellings = {
        s.casefold()
        for pools in (module.MALE, module.FEMALE)
        for p in pools.values()
        for group in p
        for s in group
    }
    new = {
        s.casefold()
        for pools in (NEW_MALE, NEW_FEMALE)
        for p in pools.values()
        for group in p
        for s in group
    }
    if spellings & new:
        raise SystemExit(f"The new names are in generate.py: {sorted(spellings & new)}")

    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as folder:
        work = Path(folder)
        lists = (module.MALE, module.FEMALE)
        canonical = canonical_copy(args.data, lists, work / "dev-canonical.csv")
        dev = report_file("Development set", args.data, script, args.data, canonical)
        separability(canonical)
        held_out(dev)
        unseen_third(dev, module)
        seeded = generate(module, 20_000, 2, work / "seed-2.csv")
        report_file("Another seed (generate.py 20000 2)", seeded, script, args.data)
        fresh = generate(module, 20_000, 3, work / "new-names.csv", (NEW_MALE, NEW_FEMALE))
        report_file(
            "New names (generate.py's conventions, names not in it, seed 3)",
            fresh,
            script,
            args.data,
            canonical_copy(fresh, (NEW_MALE, NEW_FEMALE), work / "new-canonical.csv"),
        )
        name_rules_on_new_names()
        pairs_seconds, groups_seconds = batch(module, args.persons, work)

    best = max(dev["pairs"][0][2], dev["groups"][0][2])
    print("\nTargets:")
    print(
        f"  F1 at least {TARGET_F1} on the development set: {best:.3f}, "
        f"{'met' if best >= TARGET_F1 else 'NOT met'}"
    )
    print(
        f"  above Splink's in the same run ({dev['splink'][2]:.3f}): "
        f"{'met' if best > dev['splink'][2] else 'NOT met'}"
    )
    slowest = max(pairs_seconds, groups_seconds)
    print(
        f"  the batch over {args.persons:,} under {TARGET_BATCH_SECONDS} s (index and batch): "
        f"{slowest:.1f} s, {'met' if slowest < TARGET_BATCH_SECONDS else 'NOT met'}"
    )
    print(f"  (load average at the end: {load_average()})")


if __name__ == "__main__":
    main()
