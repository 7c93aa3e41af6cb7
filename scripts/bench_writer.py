#!/usr/bin/env python3
"""Survey writes at a steady rate through the write API, for the benchmark's mixed runs
(scripts/bench.sh): each write a new key of the period the readers read, and every tenth
read back at once through the figures API, which must already count it.

    bench_writer.py --keys SURVEYS_CSV YEAR... > KEYS    the new keys, once (reads the whole
                                                        set), those of each year in turn
    bench_writer.py BASE TOKEN KEYS RATE SECONDS SKIP

Prints one line: writes, refused, the writes' p50 and p99 in ms, reads back checked, and
how many of those missed their write (must be 0). SKIP keys are passed over first, so that
runs one after another write keys of their own. Standard library only.
"""
import csv
import json
import sys
import time
import urllib.error
import urllib.request



def new_keys(surveys, year):
    """(unit, model, month) of `year` that no survey of the unit and model covers yet (a
    month inside a stored quarter would count twice, and is refused): every unit that
    reports in the year, each model the set has, each month."""
    covered, units, models = set(), set(), set()
    with open(surveys, newline="") as f:
        for row in csv.DictReader(f):
            period = row["period"]
            if not (period == year or period.startswith(year + "-")):
                continue
            if period == year:
                months = range(1, 13)
            elif "-Q" in period:
                quarter = int(period[-1])
                months = range(quarter * 3 - 2, quarter * 3 + 1)
            else:
                months = [int(period[5:7])]
            for month in months:
                covered.add((row["unit_code"], row["model_code"], month))
            units.add(row["unit_code"])
            models.add(row["model_code"])
    for month in range(1, 13):
        for model in sorted(models):
            for unit in sorted(units):
                if (unit, model, month) not in covered:
                    yield (unit, model, f"{year}-{month:02}")


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def respondents(unit, period):
    status, body = call("GET", f"/api/v1/figures/trend?unit={unit}&from={period}&to={period}")
    assert status == 200, (status, body)
    return json.loads(body)[0]["respondents"]


if sys.argv[1] == "--keys":
    keys = (key for year in sys.argv[3:] for key in new_keys(sys.argv[2], year))
    for n, key in enumerate(keys):
        if n == 100_000:
            break
        print(",".join(key))
    sys.exit(0)

base, token, keys_file, rate, seconds, skip = sys.argv[1:7]
rate, seconds, skip = float(rate), float(seconds), int(skip)
keys = (tuple(line.rstrip("\n").split(",")) for line in open(keys_file))
for _ in range(skip):
    next(keys)
latencies, refused, checked, missed = [], 0, 0, 0
start = time.monotonic()
n = 0
while rate > 0 and time.monotonic() - start < seconds:
    due = start + n / rate
    now = time.monotonic()
    if due > now:
        time.sleep(due - now)
    unit, model, period = next(keys)
    check = n % 10 == 9
    before = respondents(unit, period) if check else 0
    row = {"unit_code": unit, "period": period, "respondents": 120, "satisfied": 100}
    if model:
        row["model_code"] = model
    t = time.monotonic()
    status, body = call("POST", "/api/v1/surveys", {"rows": [row], "reason": "benchmark"})
    latencies.append((time.monotonic() - t) * 1000)
    if status != 201:
        refused += 1
    elif check:
        checked += 1
        if respondents(unit, period) != before + 120:
            missed += 1
    n += 1
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0
print(f"{len(latencies)} {refused} {pick(0.5):.1f} {pick(0.99):.1f} {checked} {missed}")
