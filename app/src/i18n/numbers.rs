//! Numbers and dates as the reader's language writes them on screen.
use super::Lang;
use crate::domain::Percent;

/// A percentage for the screen: Vietnamese writes the decimal separator as a comma.
/// (Downloads always use `.`, as the contract says.)
pub fn show_percent(lang: Lang, p: Option<Percent>) -> String {
    match p {
        None => "—".to_string(),
        Some(p) if lang == Lang::Vi => p.to_2dp().replace('.', ","),
        Some(p) => p.to_2dp(),
    }
}

/// A whole number with the thousands separator of the language (1.234 / 1,234).
pub fn show_count(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let sep = if lang == Lang::Vi { '.' } else { ',' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// An interval for the screen: `95,71 – 99,08`, or a dash when undefined.
pub fn show_interval(lang: Lang, low: Option<Percent>, high: Option<Percent>) -> String {
    match (low, high) {
        (Some(lo), Some(hi)) => format!("{} – {}", show_percent(lang, Some(lo)), show_percent(lang, Some(hi))),
        _ => "—".to_string(),
    }
}

/// A date for the screen: `dd/mm/yyyy` in Vietnamese, ISO in English.
pub fn show_date(lang: Lang, iso: &str) -> String {
    match (lang, iso.split('-').collect::<Vec<_>>().as_slice()) {
        (Lang::Vi, [y, m, d]) => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(show_count(Lang::Vi, 1_234_567), "1.234.567");
        assert_eq!(show_count(Lang::En, 1_234), "1,234");
        assert_eq!(show_count(Lang::En, 999), "999");
        assert_eq!(show_percent(Lang::Vi, Percent::from_ratio(1, 3)), "33,33");
        assert_eq!(show_percent(Lang::En, Percent::from_ratio(1, 3)), "33.33");
        assert_eq!(show_percent(Lang::En, None), "—");
        assert_eq!(show_date(Lang::Vi, "2025-07-01"), "01/07/2025");
        assert_eq!(show_date(Lang::En, "2025-07-01"), "2025-07-01");
    }
}
