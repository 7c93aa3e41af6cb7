//! `reformdash generate`: a realistic random country (or province) in the import format,
//! for trying the app at scale and for the benchmarks. Deterministic for a seed.
//!
//! What it looks like: provinces with districts of varied sizes, communes under them until
//! 30 June 2025, then merged about three to one into new communes directly under the
//! province (each old commune's `successor_code` names its new one), and the provinces merged
//! as the country's were (63 into 34: most kept, the rest two or three into one that keeps
//! the first one's code, the others' `successor_code` naming it, their new communes under
//! it); models adopted by a
//! few pilot communes first and spreading over the years, some never reaching a commune;
//! monthly survey counts for each model a commune runs and a quarterly count for its
//! service as a whole, 20–400 ballots each, satisfaction mostly 80–99% with some districts
//! worse, and about one report in twenty missing.
use std::io::Write;
use std::path::Path;

/// The size of the generated set.
#[derive(Clone, Debug)]
pub struct Shape {
    /// Provinces before the 2025 reorganisation.
    pub provinces: u32,
    /// Provinces after it: the others merged into these.
    pub provinces_after: u32,
    pub districts: u32,
    /// Communes before the 2025 reorganisation, over all districts.
    pub communes: u32,
    pub models: u32,
    /// Years of survey counts, ending with December 2025.
    pub years: u32,
    pub seed: u64,
}

/// What was written, for the command's last line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Generated {
    pub units: u64,
    pub adoptions: u64,
    pub surveys: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{0}")]
    Shape(&'static str),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Csv { path: String, source: csv::Error },
}

/// The last year surveyed; the reorganisation took effect half-way through it.
const LAST_YEAR: i32 = 2025;
/// The district level's and the old communes' last day, and the merged communes' first.
const REORGANISED_LAST_DAY: &str = "2025-06-30";
const REORGANISED_FIRST_DAY: &str = "2025-07-01";
/// Old communes per new one after the merger.
const MERGED: u32 = 3;

/// The provinces after the merger for `before` of them by default: the country's 63 → 34.
pub fn provinces_after(before: u32) -> u32 {
    ((f64::from(before) * 34.0 / 63.0).round() as u32).max(1)
}

/// How many consecutive provinces become each province of July 2025 (in order, summing to
/// `before`), as the country's 63 became 34: of the provinces that disappear, about four in
/// five joined one other and the rest made a group of three (52 into 23, 11 kept). A few
/// groups of four or more only when asked for far fewer provinces than that allows.
fn province_groups(rng: &mut Rng, before: u32, after: u32) -> Vec<u32> {
    let gone = before - after;
    // Groups that take in others: each absorbs one, and the rest of `gone` spread as thirds.
    let merged = ((f64::from(gone) * 23.0 / 29.0).round() as u32).max(gone.div_ceil(2)).min(after);
    let mut sizes = vec![1; after as usize];
    let mut left = gone;
    for size in sizes.iter_mut().take(merged as usize) {
        *size += 1;
        left -= 1;
    }
    let mut at = 0;
    while left > 0 {
        sizes[at % merged.max(1) as usize] += 1;
        left -= 1;
        at += 1;
    }
    // Spread the kept ones and the merged ones over the country, the same for a seed.
    for i in (1..sizes.len()).rev() {
        sizes.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    sizes
}

/// SplitMix64: small, fast and the same on every machine, which is all a generator needs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in lo..=hi.
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }
}

struct Commune {
    code: String,
    /// The district's satisfaction level.
    level: f64,
    /// Month index (from the first surveyed month) each model starts here, if it does.
    starts: Vec<Option<u32>>,
}

/// Writes units.csv, models.csv, adoptions.csv and surveys.csv into `out` (created), rows
/// as they are made: memory stays small whatever the size. `progress(done, all)` counts communes.
pub fn generate(shape: &Shape, out: &Path, progress: &dyn Fn(u64, u64)) -> Result<Generated, GenerateError> {
    if shape.provinces == 0 || shape.districts < shape.provinces || shape.communes < shape.districts {
        return Err(GenerateError::Shape(
            "need at least one province, a district per province and a commune per district",
        ));
    }
    if shape.provinces_after == 0 || shape.provinces_after > shape.provinces {
        return Err(GenerateError::Shape("need at least one province after the merger, and no more than before"));
    }
    if shape.models == 0 || !(1..=50).contains(&shape.years) {
        return Err(GenerateError::Shape("need at least one model, and 1 to 50 years"));
    }
    std::fs::create_dir_all(out).map_err(|source| GenerateError::Io { path: out.display().to_string(), source })?;
    let mut rng = Rng(shape.seed);
    let mut done = Generated::default();
    let first_year = LAST_YEAR - shape.years as i32 + 1;
    let months = shape.years * 12;
    // The month index of July 2025: from then on only the merged communes exist.
    let merger = months - 6;
    let month_text = |i: u32| format!("{}-{:02}", first_year + (i / 12) as i32, i % 12 + 1);

    let mut units = Table::create(
        out,
        "units.csv",
        &["code", "name", "level", "parent_code", "kind", "valid_from", "valid_to", "successor_code"],
    )?;
    let mut models = Table::create(out, "models.csv", &["code", "name", "category", "launched_on"])?;
    let mut adoptions = Table::create(
        out,
        "adoptions.csv",
        &["unit_code", "model_code", "started_on", "ended_on", "stage", "steered_by"],
    )?;
    let mut surveys =
        Table::create(out, "surveys.csv", &["unit_code", "model_code", "period", "respondents", "satisfied"])?;

    // Each model: when it was launched, how fast it spreads, how far it gets.
    let mut spread = Vec::new();
    for m in 0..shape.models {
        // Launched in the first half of the years, taken up by 60–95% of the communes
        // within a few months to three years, as a province scales what it backs.
        let launch = rng.between(0, (months / 2).max(1) - 1);
        spread.push((launch, 2.0 + rng.unit() * 10.0, 0.6 + rng.unit() * 0.35));
        let launched = format!("{}-01", month_text(launch));
        models.row(&[
            &format!("M{m:02}"),
            &format!("Mô hình thử nghiệm {}", m + 1),
            "cải cách hành chính",
            &launched,
        ])?;
    }

    let districts_of = |p: u32| shape.districts / shape.provinces + u32::from(p < shape.districts % shape.provinces);
    let mut communes_left = shape.communes;
    let mut communes_done = 0;
    let mut districts_left = shape.districts;
    // Each province's successor after the merger: the first of its group, which goes on.
    let mut successors = Vec::new();
    for size in province_groups(&mut rng, shape.provinces, shape.provinces_after) {
        let first = successors.len() as u32;
        successors.extend((0..size).map(|_| format!("T{:02}", first + 1)));
    }
    for p in 0..shape.provinces {
        let province = format!("T{:02}", p + 1);
        let successor = &successors[p as usize];
        let (valid_to, successor_code) =
            if *successor == province { ("", "") } else { (REORGANISED_LAST_DAY, successor.as_str()) };
        units.row(&[&province, &format!("Tỉnh {}", p + 1), "province", "", "tỉnh", "", valid_to, successor_code])?;
        done.units += 1;
        let mut old = Vec::new();
        for d in 0..districts_of(p) {
            // Varied sizes: half to one and a half times the average, at least one commune.
            let average = f64::from(communes_left) / f64::from(districts_left);
            let size = if districts_left == 1 {
                communes_left
            } else {
                ((average * (0.5 + rng.unit())).round() as u32).clamp(1, communes_left - (districts_left - 1))
            };
            communes_left -= size;
            districts_left -= 1;
            let district = format!("{province}-H{:03}", d + 1);
            let kind = if d == 0 {
                "thành phố"
            } else if rng.unit() < 0.1 {
                "thị xã"
            } else {
                "huyện"
            };
            units.row(&[
                &district,
                &format!("Huyện {} ({province})", d + 1),
                "district",
                &province,
                kind,
                "",
                REORGANISED_LAST_DAY,
                "",
            ])?;
            done.units += 1;
            // One district in eight is clearly worse than the rest.
            let level = if rng.unit() < 0.125 { 0.62 + rng.unit() * 0.15 } else { 0.82 + rng.unit() * 0.15 };
            for c in 0..size {
                let code = format!("{district}-X{:03}", c + 1);
                let starts = spread
                    .iter()
                    .map(|&(launch, pace, reach)| {
                        (rng.unit() < reach).then(|| launch + (rng.unit() * pace * 3.0) as u32).filter(|&s| s < months)
                    })
                    .collect();
                old.push((Commune { code, level, starts }, district.clone()));
            }
        }
        // The merger: consecutive old communes (of one district, mostly) become one new one,
        // under the province this one became.
        for (n, group) in old.chunks(MERGED as usize).enumerate() {
            let new_code = format!("{province}-M{:04}", n + 1);
            let level = group.iter().map(|(c, _)| c.level).sum::<f64>() / group.len() as f64;
            for (c, district) in group {
                let kind = if rng.unit() < 0.05 { "thị trấn" } else { "xã" };
                let name = format!("Xã {}", c.code);
                units.row(&[&c.code, &name, "commune", district, kind, "", REORGANISED_LAST_DAY, &new_code])?;
                let life = Life { from: 0, to: merger, ended_on: REORGANISED_LAST_DAY };
                write_commune(&mut rng, c, &life, &month_text, &mut adoptions, &mut surveys, &mut done)?;
            }
            let kind = if rng.unit() < 0.2 { "phường" } else { "xã" };
            let name = format!("Xã mới {} ({province})", n + 1);
            units.row(&[&new_code, &name, "commune", successor, kind, REORGANISED_FIRST_DAY, "", ""])?;
            done.units += group.len() as u64 + 1;
            // The new commune runs what any of its predecessors ran, from the merger on.
            let starts = (0..spread.len())
                .map(|m| group.iter().filter_map(|(c, _)| c.starts[m]).min().map(|s| s.max(merger)))
                .collect();
            let merged = Commune { code: new_code, level, starts };
            let life = Life { from: merger, to: months, ended_on: "" };
            write_commune(&mut rng, &merged, &life, &month_text, &mut adoptions, &mut surveys, &mut done)?;
            communes_done += group.len() as u64;
            progress(communes_done, shape.communes.into());
        }
    }
    for t in [units, models, adoptions, surveys] {
        t.finish()?;
    }
    Ok(done)
}

/// The months `from..to` a commune exists, and the day its adoptions end (empty: running).
struct Life {
    from: u32,
    to: u32,
    ended_on: &'static str,
}

/// One commune's adoptions and survey counts over its life.
fn write_commune(
    rng: &mut Rng,
    c: &Commune,
    life: &Life,
    month_text: &dyn Fn(u32) -> String,
    adoptions: &mut Table,
    surveys: &mut Table,
    done: &mut Generated,
) -> Result<(), GenerateError> {
    let mut counts = |rng: &mut Rng, model: &str, period: &str| -> Result<(), GenerateError> {
        if rng.unit() < 0.05 {
            return Ok(()); // not reported
        }
        let respondents = rng.between(20, 400);
        let rate = (c.level + (rng.unit() - 0.5) * 0.08).clamp(0.0, 1.0);
        let satisfied = ((f64::from(respondents) * rate).round() as u32).min(respondents);
        done.surveys += 1;
        surveys.row(&[&c.code, model, period, &respondents.to_string(), &satisfied.to_string()])
    };
    let (from, to) = (life.from, life.to);
    for (m, start) in c.starts.iter().enumerate() {
        let Some(start) = *start else { continue };
        if start >= to {
            continue;
        }
        let model = format!("M{m:02}");
        let pilot = rng.unit() < 0.15;
        let steered = if rng.unit() < 0.1 { "province" } else { "district" };
        let started = format!("{}-01", month_text(start.max(from)));
        adoptions.row(&[&c.code, &model, &started, life.ended_on, if pilot { "pilot" } else { "scaled" }, steered])?;
        done.adoptions += 1;
        for i in start.max(from)..to {
            counts(rng, &model, &month_text(i))?;
        }
    }
    // The service as a whole, quarterly: the quarters wholly inside the commune's life.
    let first_quarter = from.div_ceil(3);
    for q in first_quarter..to / 3 {
        let year = month_text(q * 3)[..4].to_string();
        counts(rng, "", &format!("{year}-Q{}", q % 4 + 1))?;
    }
    Ok(())
}

/// One CSV file being written.
struct Table {
    path: String,
    writer: csv::Writer<std::io::BufWriter<std::fs::File>>,
}

impl Table {
    fn create(dir: &Path, name: &str, header: &[&str]) -> Result<Table, GenerateError> {
        let path = dir.join(name);
        let shown = path.display().to_string();
        let file = std::fs::File::create(&path).map_err(|source| GenerateError::Io { path: shown.clone(), source })?;
        let mut t =
            Table { path: shown, writer: csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 16, file)) };
        t.row(header)?;
        Ok(t)
    }

    fn row(&mut self, cells: &[&str]) -> Result<(), GenerateError> {
        self.writer.write_record(cells).map_err(|source| GenerateError::Csv { path: self.path.clone(), source })
    }

    fn finish(self) -> Result<(), GenerateError> {
        let path = self.path;
        let mut inner =
            self.writer.into_inner().map_err(|e| GenerateError::Io { path: path.clone(), source: e.into_error() })?;
        inner.flush().map_err(|source| GenerateError::Io { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provinces_merge_as_the_country_did() {
        assert_eq!(provinces_after(63), 34);
        assert_eq!(provinces_after(1), 1);
        let groups = province_groups(&mut Rng(1), 63, 34);
        assert_eq!((groups.len(), groups.iter().sum::<u32>()), (34, 63));
        let count = |n: u32| groups.iter().filter(|&&g| g == n).count();
        // 11 kept, 17 pairs and 6 threes: 52 provinces into 23.
        assert_eq!((count(1), count(2), count(3)), (11, 17, 6));
        assert_eq!(province_groups(&mut Rng(1), 5, 5), vec![1; 5]);
        assert_eq!(province_groups(&mut Rng(1), 3, 1), vec![3]);
        let few = province_groups(&mut Rng(1), 10, 2);
        assert_eq!((few.len(), few.iter().sum::<u32>()), (2, 10));
    }

    #[test]
    fn the_generator_is_the_same_for_a_seed_and_differs_for_another() {
        let (a, b) = (Rng(7).next(), Rng(7).next());
        assert_eq!(a, b);
        assert_ne!(Rng(7).next(), Rng(8).next());
        let mut r = Rng(1);
        for _ in 0..1000 {
            let x = r.between(20, 400);
            assert!((20..=400).contains(&x));
            assert!((0.0..1.0).contains(&r.unit()));
        }
    }
}
