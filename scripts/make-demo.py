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
