//! Vietnamese text: alphabetical order (a ă â b c d đ e ê …, tones after the base letter)
//! and the folding that lets `nhu xuan` find "Như Xuân".
use std::cmp::Ordering;

/// Each vowel of the alphabet with its five toned forms, in the dictionary's tone order:
/// level, grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot below (nặng).
const TONED_VOWELS: [&str; 12] = [
    "aàảãáạ", "ăằẳẵắặ", "âầẩẫấậ", "eèẻẽéẹ", "êềểễếệ", "iìỉĩíị", "oòỏõóọ", "ôồổỗốộ", "ơờởỡớợ", "uùủũúụ", "ưừửữứự",
    "yỳỷỹýỵ",
];

/// The Vietnamese alphabet, with the Latin letters it borrows (f, j, w, z) where Latin has them.
const ALPHABET: &str = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz";

/// A lowercase letter split into its base letter (with ă â đ ê ô ơ ư kept distinct) and tone.
fn split_tone(c: char) -> (char, u8) {
    for forms in TONED_VOWELS {
        if let Some(tone) = forms.chars().position(|f| f == c) {
            return (forms.chars().next().unwrap_or(c), tone as u8);
        }
    }
    (c, 0)
}

/// The letter without any mark: ă â → a, đ → d, ê → e, ô ơ → o, ư → u.
fn bare(base: char) -> char {
    match base {
        'ă' | 'â' => 'a',
        'đ' => 'd',
        'ê' => 'e',
        'ô' | 'ơ' => 'o',
        'ư' => 'u',
        other => other,
    }
}

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// The sort key of a text in Vietnamese alphabetical order: letters first (a < ă < â < b …
/// < d < đ …), then tones, then case, so "Đông Sơn" sorts after "Cẩm Thủy" and before
/// "Hà Trung", never after "Yên Định".
pub fn collation_key(text: &str) -> (Vec<u32>, Vec<u8>, Vec<bool>) {
    let mut letters = Vec::with_capacity(text.len());
    let mut tones = Vec::with_capacity(text.len());
    let mut cases = Vec::with_capacity(text.len());
    for c in text.chars() {
        let l = lower(c);
        let (base, tone) = split_tone(l);
        // Letters of the alphabet rank by their place in it; anything else (spaces, digits,
        // punctuation) before every letter, by code point, as dictionaries do.
        let rank = match ALPHABET.chars().position(|a| a == base) {
            Some(i) => 0x11_0000 + i as u32,
            None => base as u32,
        };
        letters.push(rank);
        tones.push(tone);
        cases.push(l != c);
    }
    (letters, tones, cases)
}

/// Compares two texts in Vietnamese alphabetical order.
pub fn vietnamese_cmp(a: &str, b: &str) -> Ordering {
    collation_key(a).cmp(&collation_key(b))
}

/// Sorts items by a name in Vietnamese alphabetical order, computing each key once.
pub fn sort_vietnamese<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by_cached_key(|item| collation_key(name(item)));
}

/// Lowercase, without tones or letter marks, spaces collapsed: what search compares.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(|c| bare(split_tone(lower(c)).0)));
    }
    out
}

/// True when every word of the query is found in the text, ignoring case and diacritics.
pub fn matches(query_folded: &str, text: &str) -> bool {
    let text = fold(text);
    !query_folded.is_empty() && query_folded.split(' ').all(|w| text.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_diacritics_and_case() {
        assert_eq!(fold("Như Xuân"), "nhu xuan");
        assert_eq!(fold("ĐÔNG  Sơn"), "dong son");
        assert_eq!(fold("Quảng Xương"), "quang xuong");
        assert_eq!(fold("Ngày không hẹn, không viết"), "ngay khong hen, khong viet");
        assert!(matches(&fold("nhu xuan"), "Huyện Như Xuân"));
        assert!(matches(&fold("dong son"), "Đông Sơn"));
        assert!(matches(&fold("xuan nhu"), "Như Xuân"), "words in any order");
        assert!(!matches(&fold("tho xuan"), "Như Xuân"));
        assert!(!matches("", "Như Xuân"));
    }

    #[test]
    fn vietnamese_alphabetical_order() {
        let mut names = vec!["Yên Định", "Đông Sơn", "Hà Trung", "Cẩm Thủy", "Bá Thước", "Bỉm Sơn", "Thọ Xuân", "Thạch Thành"];
        sort_vietnamese(&mut names, |n| n);
        assert_eq!(
            names,
            ["Bá Thước", "Bỉm Sơn", "Cẩm Thủy", "Đông Sơn", "Hà Trung", "Thạch Thành", "Thọ Xuân", "Yên Định"]
        );
        // d before đ, a < ă < â, o < ô < ơ, u < ư; tones only break ties of the letters.
        assert_eq!(vietnamese_cmp("Dương", "Đa"), Ordering::Less);
        assert_eq!(vietnamese_cmp("an", "ăn"), Ordering::Less);
        assert_eq!(vietnamese_cmp("ăn", "ân"), Ordering::Less);
        assert_eq!(vietnamese_cmp("ơ", "ôz"), Ordering::Greater);
        assert_eq!(vietnamese_cmp("tu", "tư"), Ordering::Less);
        assert_eq!(vietnamese_cmp("má", "mà"), Ordering::Greater, "grave before acute");
        assert_eq!(vietnamese_cmp("mạ", "mab"), Ordering::Less, "letters before tones");
        assert_eq!(vietnamese_cmp("Như Xuân", "như xuân"), Ordering::Greater, "case last");
        assert_eq!(vietnamese_cmp("Như Thanh 02", "Như Thanh 10"), Ordering::Less);
    }
}
