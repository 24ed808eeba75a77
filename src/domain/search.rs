//! Text search by bigrams, the rules (the index itself is `crate::search`): a text is
//! indexed as its pairs of adjacent characters; a search of n ≥ 2 characters can only
//! match a text that holds all its n − 1 pairs, and each such text is then confirmed to
//! hold the search as a substring (SQL `LIKE`). Pairs have their ASCII letters in lower
//! case, so they find at least what `LIKE` confirms on either engine (SQLite ignores
//! ASCII case, PostgreSQL does not). A single character has no pair: `LIKE` alone.

use std::collections::BTreeSet;

/// The most pairs of a search looked up in the index; `LIKE` checks the rest.
const MAX_GRAMS: usize = 8;

/// The pairs of adjacent characters of a text, ASCII letters in lower case.
pub fn bigrams(text: &str) -> impl Iterator<Item = String> {
    let chars: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    (0..chars.len().saturating_sub(1)).map(move |i| chars[i..i + 2].iter().collect())
}

/// The distinct pairs of several texts; no pair spans two of them.
pub fn bigrams_of<'a>(texts: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    texts.into_iter().flat_map(bigrams).collect()
}

/// A search as asked (`q`): its text, trimmed, and the pairs a match must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub text: String,
    /// Distinct, in the order they occur, at most [`MAX_GRAMS`]; empty for one character.
    pub grams: Vec<String>,
}

impl Search {
    /// The search `q` asks for; `None` when it is absent or blank.
    pub fn parse(q: Option<&str>) -> Option<Search> {
        let text = q.map(str::trim).filter(|t| !t.is_empty())?.to_string();
        let mut grams: Vec<String> = Vec::new();
        for g in bigrams(&text) {
            if grams.len() == MAX_GRAMS {
                break;
            }
            if !grams.contains(&g) {
                grams.push(g);
            }
        }
        Some(Search { text, grams })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_of_adjacent_characters_with_ascii_in_lower_case() {
        assert_eq!(bigrams("金茂路A1").collect::<Vec<_>>(), ["金茂", "茂路", "路a", "a1"]);
        assert_eq!(bigrams("燃").count(), 0);
        assert_eq!(bigrams("").count(), 0);
        let set = bigrams_of(["燃气", "气瓶"]);
        assert_eq!(set.into_iter().collect::<Vec<_>>(), ["气瓶", "燃气"], "no pair spans two texts");
    }

    #[test]
    fn a_search_is_trimmed_and_keeps_its_distinct_pairs() {
        assert_eq!(Search::parse(Some("  ")), None);
        assert_eq!(Search::parse(None), None);
        let one = Search::parse(Some(" 燃 ")).expect("search");
        assert_eq!((one.text.as_str(), one.grams.len()), ("燃", 0));
        let s = Search::parse(Some("哈哈哈")).expect("search");
        assert_eq!(s.grams, ["哈哈"]);
        let long = Search::parse(Some("一二三四五六七八九十甲乙")).expect("search");
        assert_eq!(long.grams.len(), MAX_GRAMS);
        assert_eq!(long.grams[0], "一二");
    }
}
