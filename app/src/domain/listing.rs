//! The order and page of a long table of compared units, from the address's parameters
//! (`sort`, `dir`, `page`, `all`): plain links, so sorting and paging work with JavaScript
//! off and a sorted page can be bookmarked or sent.
use super::summary::ComparedUnit;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Rows a page of a long table shows.
pub const PAGE_ROWS: usize = 25;

/// A table of at most this many rows is shown whole: a second page of a few rows (a
/// province's 27 districts) would only hide them.
pub const SHORT_TABLE: usize = 30;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortKey {
    /// Vietnamese alphabetical order.
    #[default]
    Name,
    /// Satisfaction rate.
    Rate,
    /// The lower end of the rate's 95 % interval: a unit of few ballots ranks by what its
    /// ballots can vouch for.
    Interval,
    /// Ballots.
    Ballots,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [SortKey::Name, SortKey::Rate, SortKey::Interval, SortKey::Ballots];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Rate => "rate",
            SortKey::Interval => "interval",
            SortKey::Ballots => "ballots",
        }
    }

    /// Names A→Z first; figures highest first.
    fn descending_first(self) -> bool {
        self != SortKey::Name
    }
}

/// A table's order and page. Anything unknown in the address falls back to the default
/// (by name, first page): a hand-edited link still shows the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Listing {
    pub key: SortKey,
    pub descending: bool,
    /// From 1.
    pub page: usize,
    /// Every row on one page.
    pub all: bool,
}

impl Listing {
    pub fn from_params(sort: Option<&str>, dir: Option<&str>, page: Option<&str>, all: Option<&str>) -> Listing {
        let key = sort.and_then(|s| SortKey::ALL.into_iter().find(|k| k.as_str() == s.trim())).unwrap_or_default();
        let descending = match dir.map(str::trim) {
            Some("asc") => false,
            Some("desc") => true,
            _ => key.descending_first(),
        };
        let page = page.and_then(|p| p.trim().parse().ok()).filter(|p| *p >= 1).unwrap_or(1);
        Listing { key, descending, page, all: all.is_some_and(|a| a.trim() == "1") }
    }

    /// The parameters of this order (a page and "all" are added by the links that want them).
    pub fn order_params(&self) -> String {
        format!("sort={}&dir={}", self.key.as_str(), if self.descending { "desc" } else { "asc" })
    }

    /// The listing a column's heading links to: that column, first page; the column already
    /// sorted by turns around.
    pub fn by(&self, key: SortKey) -> Listing {
        let descending = if key == self.key { !self.descending } else { key.descending_first() };
        Listing { key, descending, page: 1, all: self.all }
    }

    pub fn pages(len: usize) -> usize {
        if len <= SHORT_TABLE {
            return 1;
        }
        len.div_ceil(PAGE_ROWS)
    }

    /// The rows of this page among `len` (a page past the last shows the last).
    pub fn window(&self, len: usize) -> std::ops::Range<usize> {
        if self.all || len <= SHORT_TABLE {
            return 0..len;
        }
        let page = self.page.min(Listing::pages(len));
        let start = (page - 1) * PAGE_ROWS;
        start..(start + PAGE_ROWS).min(len)
    }

    /// Sorts the rows: a unit without the figure (no ballot) last whichever the direction,
    /// ties by name.
    pub fn sort(&self, rows: &mut Vec<ComparedUnit>) {
        let figure = |r: &ComparedUnit| -> Option<f64> {
            let f = &r.figures;
            match self.key {
                SortKey::Name => None,
                SortKey::Rate => f.satisfaction_rate.map(|p| p.value()),
                SortKey::Interval => f.ci_low.map(|p| p.value()),
                SortKey::Ballots => Some(f.respondents as f64),
            }
        };
        // Each name's sort key once: worked out inside the comparison it cost a country's
        // dashboard a key per comparison, for every recomputation.
        let mut keyed: Vec<_> =
            std::mem::take(rows).into_iter().map(|r| (figure(&r), super::text::collation_key(&r.name), r)).collect();
        keyed.sort_by(|(fa, na, _), (fb, nb, _)| {
            let primary = if self.key == SortKey::Name {
                na.cmp(nb)
            } else {
                match (fa, fb) {
                    (Some(x), Some(y)) => x.total_cmp(y),
                    (Some(_), None) => return Ordering::Less,
                    (None, Some(_)) => return Ordering::Greater,
                    (None, None) => Ordering::Equal,
                }
            };
            let primary = if self.descending { primary.reverse() } else { primary };
            primary.then_with(|| na.cmp(nb))
        });
        *rows = keyed.into_iter().map(|(_, _, r)| r).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::summary::tests::unit;

    fn names(rows: &[ComparedUnit]) -> Vec<&str> {
        rows.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn the_address_chooses_the_order_and_the_page() {
        let l = Listing::from_params(Some("rate"), None, Some("3"), None);
        assert_eq!((l.key, l.descending, l.page, l.all), (SortKey::Rate, true, 3, false), "figures highest first");
        let l = Listing::from_params(Some("name"), Some("desc"), None, Some("1"));
        assert_eq!((l.key, l.descending, l.page, l.all), (SortKey::Name, true, 1, true));
        // Nonsense falls back to the default.
        assert_eq!(Listing::from_params(Some("DROP"), Some("up"), Some("-2"), Some("yes")), Listing::from_params(None, None, None, None));
        assert_eq!(Listing::from_params(None, None, None, None).page, 1);
        // A heading turns its own column around and starts another from its first page.
        let by_rate = Listing::from_params(Some("rate"), None, Some("4"), None);
        assert_eq!(by_rate.by(SortKey::Rate).order_params(), "sort=rate&dir=asc");
        assert_eq!(by_rate.by(SortKey::Name).order_params(), "sort=name&dir=asc");
        assert_eq!(by_rate.by(SortKey::Name).page, 1);
    }

    #[test]
    fn pages_hold_25_rows_and_all_holds_every_one() {
        let l = |page| Listing { page, ..Listing::from_params(None, None, None, None) };
        assert_eq!(Listing::pages(166), 7);
        assert_eq!(Listing::pages(0), 1);
        assert_eq!((Listing::pages(30), l(1).window(30)), (1, 0..30), "a short table is shown whole");
        assert_eq!((Listing::pages(31), l(2).window(31)), (2, 25..31));
        assert_eq!(l(1).window(166), 0..25);
        assert_eq!(l(7).window(166), 150..166);
        assert_eq!(l(99).window(166), 150..166, "past the last page: the last");
        assert_eq!(Listing { all: true, ..l(3) }.window(166), 0..166);
    }

    #[test]
    fn rows_sort_by_each_column_with_the_unrated_last() {
        let mut rows = vec![
            unit("Yên Định", 1, 1, 100, 90),
            unit("Đông Sơn", 1, 1, 40, 40),
            unit("Bá Thước", 1, 1, 400, 380),
            unit("Ân", 1, 1, 0, 0),
        ];
        let sorted = |rows: &mut Vec<ComparedUnit>, sort: &str, dir: Option<&str>| {
            Listing::from_params(Some(sort), dir, None, None).sort(rows);
            names(rows).join(", ")
        };
        assert_eq!(sorted(&mut rows, "name", None), "Ân, Bá Thước, Đông Sơn, Yên Định");
        assert_eq!(sorted(&mut rows, "rate", None), "Đông Sơn, Bá Thước, Yên Định, Ân");
        assert_eq!(sorted(&mut rows, "rate", Some("asc")), "Yên Định, Bá Thước, Đông Sơn, Ân", "no ballot stays last");
        // 40 of 40 has the widest interval: by its lower end it ranks below 380 of 400.
        assert_eq!(sorted(&mut rows, "interval", None), "Bá Thước, Đông Sơn, Yên Định, Ân");
        assert_eq!(sorted(&mut rows, "ballots", None), "Bá Thước, Yên Định, Đông Sơn, Ân");
    }
}
