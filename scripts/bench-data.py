#!/usr/bin/env python3
"""Writes a synthetic province-scale (or larger) import set for timing import and figures.

    python3 scripts/bench-data.py OUT_DIR [--districts 27] [--communes 20] [--models 8] [--years 5]

Monthly surveys for every (commune, model) pair: districts × communes × models × years × 12
rows. Figures are random; only the sizes matter.
"""
import argparse, csv, os, random

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--districts", type=int, default=27)
ap.add_argument("--communes", type=int, default=20)
ap.add_argument("--models", type=int, default=8)
ap.add_argument("--years", type=int, default=5)
a = ap.parse_args()
rng = random.Random(1)
os.makedirs(a.out, exist_ok=True)

def writer(name, header):
    f = open(os.path.join(a.out, name), "w", newline="", encoding="utf-8")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    return f, w

f, w = writer("units.csv", ["code", "name", "level", "parent_code", "kind"])
w.writerow(["P", "Tỉnh thử", "province", "", "tỉnh"])
communes = []
for d in range(a.districts):
    w.writerow([f"D{d:03d}", f"Huyện {d}", "district", "P", "huyện"])
    for c in range(a.communes):
        code = f"D{d:03d}C{c:03d}"
        communes.append(code)
        w.writerow([code, f"Xã {d}-{c}", "commune", f"D{d:03d}", "xã"])
f.close()
f, w = writer("models.csv", ["code", "name"])
for m in range(a.models):
    w.writerow([f"M{m}", f"Mô hình {m}"])
f.close()
f, w = writer("adoptions.csv", ["unit_code", "model_code", "started_on", "stage"])
for code in communes:
    for m in range(a.models):
        if rng.random() < 0.5:
            w.writerow([code, f"M{m}", f"{2020 + rng.randrange(a.years)}-{rng.randrange(1, 13):02d}-01", "scaled"])
f.close()
f, w = writer("surveys.csv", ["unit_code", "model_code", "period", "respondents", "satisfied"])
for code in communes:
    for m in range(a.models):
        for y in range(2020, 2020 + a.years):
            for mo in range(1, 13):
                n = rng.randint(20, 200)
                w.writerow([code, f"M{m}", f"{y}-{mo:02d}", n, n - rng.randint(0, n // 5)])
f.close()
