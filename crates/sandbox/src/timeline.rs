//! The readable timeline of the scripted trade: elapsed time, who, what.

use std::time::Instant;

/// Prints timeline lines on stdout, timed from its creation.
#[derive(Debug)]
pub struct Timeline {
    start: Instant,
}

impl Default for Timeline {
    fn default() -> Self {
        Self::new()
    }
}

impl Timeline {
    /// A timeline starting now.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }

    /// A section heading.
    pub fn section(&self, title: &str) {
        println!("\n== {title}");
    }

    /// One event: `[  12.3s] who      | text`.
    pub fn say(&self, who: &str, text: impl AsRef<str>) {
        let secs = self.start.elapsed().as_secs_f64();
        println!("[{secs:7.1}s] {who:<8} | {}", text.as_ref());
    }
}

/// `12345` as `12,345`.
pub fn sats(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A signed balance change: `+1,234` or `-1,234`.
pub fn delta(before: u64, after: u64) -> String {
    if after >= before {
        format!("+{}", sats(after - before))
    } else {
        format!("-{}", sats(before - after))
    }
}

/// The first `n` characters of `s`, with `…` when cut (for invoices in the timeline).
pub fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(n).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sats_groups_thousands() {
        assert_eq!(sats(0), "0");
        assert_eq!(sats(999), "999");
        assert_eq!(sats(1_000), "1,000");
        assert_eq!(sats(50_150), "50,150");
        assert_eq!(sats(10_000_000), "10,000,000");
    }

    #[test]
    fn delta_has_a_sign() {
        assert_eq!(delta(100, 400), "+300");
        assert_eq!(delta(50_150, 0), "-50,150");
        assert_eq!(delta(7, 7), "+0");
    }

    #[test]
    fn short_cuts_long_text_only() {
        assert_eq!(short("lnbcrt1", 20), "lnbcrt1");
        assert_eq!(short("lnbcrt500u1pabcdef", 6), "lnbcrt…");
    }
}
