#!/usr/bin/env python3
"""Writes the Thanh Hóa demo province (server/demo/*.csv) in the import format.

Deterministic: the same files every run. What comes from the article (seed in
shared/seeds) and what is illustrative is listed in README.md under "Demo province".
"""
import csv, math, os, random

OUT = os.path.join(os.path.dirname(__file__), "..", "server", "demo")
rng = random.Random(20240203)  # the article's date
END = "2025-06-30"  # districts abolished and communes merged from 1 July 2025

# (code, name, kind, number of commune-level units)
DISTRICTS = [
    ("380", "Thanh Hóa", "thành phố", 34), ("381", "Bỉm Sơn", "thị xã", 7),
    ("382", "Sầm Sơn", "thành phố", 11), ("384", "Mường Lát", "huyện", 8),
    ("385", "Quan Hóa", "huyện", 15), ("386", "Bá Thước", "huyện", 21),
    ("387", "Quan Sơn", "huyện", 12), ("388", "Lang Chánh", "huyện", 10),
    ("389", "Ngọc Lặc", "huyện", 21), ("390", "Cẩm Thủy", "huyện", 17),
    ("391", "Thạch Thành", "huyện", 25), ("392", "Hà Trung", "huyện", 20),
    ("393", "Vĩnh Lộc", "huyện", 13), ("394", "Yên Định", "huyện", 26),
    ("395", "Thọ Xuân", "huyện", 30), ("396", "Thường Xuân", "huyện", 16),
    ("397", "Triệu Sơn", "huyện", 34), ("398", "Thiệu Hóa", "huyện", 25),
    ("399", "Hoằng Hóa", "huyện", 37), ("400", "Hậu Lộc", "huyện", 23),
    ("401", "Nga Sơn", "huyện", 24), ("402", "Như Xuân", "huyện", 16),
    ("403", "Như Thanh", "huyện", 14), ("404", "Nông Cống", "huyện", 29),
    ("405", "Đông Sơn", "huyện", 14), ("406", "Quảng Xương", "huyện", 26),
    ("407", "Nghi Sơn", "thị xã", 31),
]

# Communes the article names (and a few real neighbours); the rest are numbered.
NAMED = {
    "402": [("Yên Cát", "thị trấn"), ("Bình Lương", "xã"), ("Xuân Bình", "xã"), ("Hóa Quỳ", "xã"),
            ("Cát Vân", "xã"), ("Cát Tân", "xã"), ("Thượng Ninh", "xã"), ("Thanh Quân", "xã")],
    "395": [("Sao Vàng", "thị trấn"), ("Bắc Lương", "xã"), ("Xuân Hòa", "xã"), ("Tây Hồ", "xã"),
            ("Thọ Xuân", "thị trấn"), ("Lam Sơn", "thị trấn"), ("Xuân Giang", "xã"), ("Xuân Sinh", "xã"),
            ("Xuân Hưng", "xã"), ("Thọ Diên", "xã"), ("Thọ Lâm", "xã"), ("Xuân Phú", "xã"),
            ("Quảng Phú", "xã"), ("Thọ Lập", "xã"), ("Xuân Tín", "xã")],
    "405": [("Rừng Thông", "thị trấn"), ("Đông Văn", "xã"), ("Đông Hòa", "xã"), ("Đông Minh", "xã")],
    "385": [("Hồi Xuân", "thị trấn"), ("Phú Nghiêm", "xã"), ("Nam Xuân", "xã"), ("Nam Động", "xã"),
            ("Phú Thanh", "xã"), ("Phú Lệ", "xã"), ("Phú Sơn", "xã"), ("Phú Xuân", "xã")],
}

def commune_kind(district_kind):
    return "phường" if district_kind in ("thành phố", "thị xã") else "xã"

units = [dict(code="38", name="Thanh Hóa", level="province", parent_code="", kind="tỉnh",
              valid_from="", valid_to="", successor_code="")]
communes = {}  # district code -> [commune code]
by_name = {}
for code, name, kind, n in DISTRICTS:
    units.append(dict(code=code, name=name, level="district", parent_code="38", kind=kind,
                      valid_from="", valid_to=END, successor_code=""))
    named = NAMED.get(code, [])
    communes[code] = []
    for i in range(1, n + 1):
        c_code = f"{code}-{i:02d}"
        if i <= len(named):
            c_name, c_kind = named[i - 1]
        else:
            c_name, c_kind = f"{name} {i:02d}", commune_kind(kind)
        units.append(dict(code=c_code, name=c_name, level="commune", parent_code=code, kind=c_kind,
                          valid_from="", valid_to=END, successor_code=""))
        communes[code].append(c_code)
        by_name[(code, c_name)] = c_code

MODELS = [
    ("CQTT", "Chính quyền thân thiện, vì Nhân dân phục vụ", "Thái độ phục vụ",
     "Friendly government, serving the people: staff help citizens through every procedure.", "2021-01-01"),
    ("NKV", "Ngày không viết", "Thủ tục hành chính",
     "No-writing day: staff fill in the forms for citizens.", "2022-06-01"),
    ("NKH", "Ngày không hẹn", "Thủ tục hành chính",
     "No-appointment day: results handed back the same day.", "2022-09-01"),
    ("NKHKV", "Ngày không hẹn, không viết", "Thủ tục hành chính",
     "No-appointment, no-writing day.", "2023-01-01"),
    ("QR", "Tra cứu thủ tục hành chính bằng mã QR", "Chuyển đổi số",
     "QR codes at the one-stop desk to look up procedures and register for online services.", "2023-03-01"),
    ("T7TN", "Ngày thứ Bảy tình nguyện", "Dịch vụ công trực tuyến",
     "Volunteer Saturday helping citizens with online public services.", "2023-04-01"),
    ("DVCTT", "Điểm dịch vụ công trực tuyến", "Dịch vụ công trực tuyến",
     "Online public-service point at the commune.", "2022-05-01"),
    ("TDHT", "Tổng đài hỗ trợ hướng dẫn thủ tục hành chính", "Hướng dẫn",
     "Procedure-guidance hotline.", "2023-07-01"),
]

adoptions, surveys = [], []

def adopt(unit, model, started, stage="pilot", steered="district", ended=""):
    adoptions.append(dict(unit_code=unit, model_code=model, started_on=started, ended_on=ended,
                          stage=stage, steered_by=steered))

def survey(unit, model, period, respondents, satisfied):
    assert 1 <= respondents and 0 <= satisfied <= respondents
    surveys.append(dict(unit_code=unit, model_code=model, period=period,
                        respondents=respondents, satisfied=satisfied))

def at_least_90(respondents):
    """Satisfied count for an illustrative survey at 90–100%."""
    return respondents - math.floor(respondents * rng.uniform(0.0, 0.09))

yen_cat, binh_luong = by_name[("402", "Yên Cát")], by_name[("402", "Bình Lương")]

# Friendly government: piloted at Yên Cát and Bình Lương; 98% in the first year (2022);
# 200 ballots at Yên Cát all satisfied (2023-Q4); 140 sites by the end of 2023, 15 steered
# by the province and 125 by districts, every one at 90% or more; in 2024 Như Xuân scales
# it to 7 commune-level units.
adopt(yen_cat, "CQTT", "2021-03-01")
adopt(binh_luong, "CQTT", "2021-03-01")
for unit, quarters in ((yen_cat, [(38, 37), (37, 37), (38, 37), (37, 37)]),
                       (binh_luong, [(38, 37), (37, 36), (38, 37), (37, 36)])):
    for q, (n, s) in enumerate(quarters, start=1):
        survey(unit, "CQTT", f"2022-Q{q}", n, s)  # 300 ballots, 294 satisfied: 98.00%
survey(yen_cat, "CQTT", "2023-Q4", 200, 200)
survey(binh_luong, "CQTT", "2023-Q4", 150, 144)

others = [c for d, cs in communes.items() for c in cs if c not in (yen_cat, binh_luong) and d != "402"]
sites = rng.sample(others, 138)
province_steered = set(rng.sample(sites, 15))
for i, unit in enumerate(sites):
    started = ["2021-06-01", "2022-03-01", "2022-09-01", "2023-03-01"][i % 4]
    steered = "province" if unit in province_steered else "district"
    adopt(unit, "CQTT", started, stage="scaled", steered=steered)
    for q in ("2023-Q2", "2023-Q4"):
        n = rng.randint(40, 160)
        survey(unit, "CQTT", q, n, at_least_90(n))
for unit in communes["402"][2:7]:
    adopt(unit, "CQTT", "2024-01-15", stage="scaled")
    n = rng.randint(60, 140)
    survey(unit, "CQTT", "2024-Q2", n, at_least_90(n))
survey(yen_cat, "CQTT", "2024-Q2", 180, 178)
survey(binh_luong, "CQTT", "2024-Q2", 160, 157)

def monthly(unit, model, months, low=0.85):
    for m in months:
        n = rng.randint(20, 90)
        survey(unit, model, m, n, n - math.floor(n * rng.uniform(0.0, 1 - low)))

bac_luong, xuan_hoa, tay_ho, sao_vang = (by_name[("395", n)] for n in ("Bắc Lương", "Xuân Hòa", "Tây Hồ", "Sao Vàng"))
adopt(bac_luong, "NKV", "2022-06-01")
monthly(bac_luong, "NKV", [f"2023-{m:02d}" for m in range(1, 13)])
adopt(xuan_hoa, "NKH", "2022-09-01")
monthly(xuan_hoa, "NKH", [f"2023-{m:02d}" for m in range(1, 13)])
adopt(tay_ho, "NKHKV", "2023-01-01")
monthly(tay_ho, "NKHKV", [f"2023-{m:02d}" for m in range(1, 13)])
adopt(sao_vang, "QR", "2023-03-01")
monthly(sao_vang, "QR", [f"2023-{m:02d}" for m in range(3, 13)])

# Volunteer Saturday: 15 points in 15 communes and townships of Thọ Xuân.
for unit in communes["395"][:15]:
    adopt(unit, "T7TN", "2023-04-01", stage="scaled", steered="district")
    n = rng.randint(30, 100)
    survey(unit, "T7TN", "2023-Q4", n, at_least_90(n))

# Online public-service point, Quan Hóa: a pilot that ended, then scaled out.
phu_nghiem = by_name[("385", "Phú Nghiêm")]
adopt(phu_nghiem, "DVCTT", "2022-05-01", ended="2022-12-31")
for unit in communes["385"][:8]:
    adopt(unit, "DVCTT", "2023-07-01", stage="scaled", steered="district")
    n = rng.randint(30, 90)
    survey(unit, "DVCTT", "2024-Q1", n, at_least_90(n))

# Procedure-guidance hotline: run by Đông Sơn district, and at Đông Văn commune.
dong_van = by_name[("405", "Đông Văn")]
adopt("405", "TDHT", "2023-07-01", stage="scaled", steered="district")
adopt(dong_van, "TDHT", "2023-07-01")
survey("405", "TDHT", "2023-Q4", 240, 226)
survey(dong_van, "TDHT", "2023-Q4", 85, 82)

# The one-stop desk as a whole (no model), per district, for 2024-Q1.
for code, *_ in DISTRICTS:
    n = rng.randint(150, 400)
    survey(code, "", "2024-Q1", n, n - math.floor(n * rng.uniform(0.0, 0.15)))

# --- After the reorganisation (illustrative): from 1 July 2025 no districts; the 559
# commune-level units merge into 166 directly under the province, each old unit pointing at
# its successor. A new unit takes consecutive old units of one district and the name of the
# first of them.
NEW_START = "2025-07-01"
total_old = sum(n for *_, n in DISTRICTS)
shares = {code: max(1, round(n * 166 / total_old)) for code, _, _, n in DISTRICTS}
# Round to exactly 166: adjust the largest districts first.
order = sorted(DISTRICTS, key=lambda d: -d[3])
i = 0
while sum(shares.values()) != 166:
    code = order[i % len(order)][0]
    shares[code] += 1 if sum(shares.values()) < 166 else -1
    i += 1
unit_by_code = {u["code"]: u for u in units}
new_units = []  # (code, [old codes])
seq = 0
for code, name, kind, n in DISTRICTS:
    olds = communes[code]
    k = shares[code]
    for j in range(k):
        part = olds[j * len(olds) // k:(j + 1) * len(olds) // k]
        seq += 1
        new_code = f"38-{seq:03d}"
        first = unit_by_code[part[0]]
        units.append(dict(code=new_code, name=first["name"], level="commune", parent_code="38",
                          kind="phường" if first["kind"] == "phường" else "xã",
                          valid_from=NEW_START, valid_to="", successor_code=""))
        for old in part:
            unit_by_code[old]["successor_code"] = new_code
        new_units.append((new_code, part))
assert seq == 166

# Districts that serve citizens less well, so the charts have something to tell.
WEAKER = {"384", "387", "388", "396"}
base = {}
for code, cs in communes.items():
    for c in cs:
        base[c] = rng.uniform(0.74, 0.84) if code in WEAKER else rng.uniform(0.83, 0.93)
cqtt_start = {a["unit_code"]: a["started_on"] for a in adoptions if a["model_code"] == "CQTT"}

def general_rate(unit, period_start, base_rate):
    """The service as a whole: a slow rise over the years, and a few points more once the
    commune runs Friendly government (illustrative)."""
    year = int(period_start[:4]) + (int(period_start[5:7]) - 1) / 12
    rate = base_rate + 0.006 * (year - 2020)
    if unit in cqtt_start and cqtt_start[unit] <= period_start:
        rate += 0.04
    return min(rate, 0.995)

def general_survey(unit, period, period_start, base_rate, low=40, high=160):
    n = rng.randint(low, high)
    p = general_rate(unit, period_start, base_rate)
    satisfied = min(n, max(0, round(n * p + rng.gauss(0, 2))))
    survey(unit, "", period, n, satisfied)

# Old communes: the one-stop desk as a whole, quarterly from 2020-Q3 to 2025-Q2, a few
# quarters unreported.
for code, cs in communes.items():
    for c in cs:
        for year in range(2020, 2026):
            for q in range(1, 5):
                if (year, q) < (2020, 3) or (year, q) > (2025, 2) or rng.random() < 0.04:
                    continue
                general_survey(c, f"{year}-Q{q}", f"{year}-{3 * q - 2:02d}-01", base[c])

# New communes: monthly from 2025-07 to 2026-11; some have not reported in recent months.
late = set(rng.sample([u for u, _ in new_units], 14))
for new_code, part in new_units:
    b = sum(base[o] for o in part) / len(part)
    if any(o in cqtt_start for o in part):
        cqtt_start[new_code] = NEW_START
        adopt(new_code, "CQTT", NEW_START, stage="scaled", steered="province")
        for year, q in [(2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3)]:
            n = rng.randint(60, 200)
            survey(new_code, "CQTT", f"{year}-Q{q}", n, at_least_90(n))
    for year, month in [(2025, m) for m in range(7, 13)] + [(2026, m) for m in range(1, 12)]:
        if new_code in late and (year, month) >= (2026, 9):
            continue
        general_survey(new_code, f"{year}-{month:02d}", f"{year}-{month:02d}-01", b, 60, 240)

def write(name, rows, columns):
    with open(os.path.join(OUT, name), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)

os.makedirs(OUT, exist_ok=True)
write("units.csv", units, ["code", "name", "level", "parent_code", "kind", "valid_from", "valid_to", "successor_code"])
write("models.csv", [dict(zip(["code", "name", "category", "description", "launched_on"], m)) for m in MODELS],
      ["code", "name", "category", "description", "launched_on"])
write("adoptions.csv", adoptions, ["unit_code", "model_code", "started_on", "ended_on", "stage", "steered_by"])
write("surveys.csv", surveys, ["unit_code", "model_code", "period", "respondents", "satisfied"])
print(f"{len(units)} units, {len(MODELS)} models, {len(adoptions)} adoptions, {len(surveys)} surveys")
