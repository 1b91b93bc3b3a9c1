//! Relative times: "in 23 h", "5 min ago".

/// `at` relative to `now` (unix seconds), in the largest fitting unit.
pub fn relative(at: u64, now: u64) -> String {
    let (delta, future) = if at >= now {
        (at - now, true)
    } else {
        (now - at, false)
    };
    let span = if delta < 60 {
        return if future { "in <1 min" } else { "just now" }.to_owned();
    } else if delta < 3600 {
        format!("{} min", delta / 60)
    } else if delta < 2 * 86_400 {
        format!("{} h", delta / 3600)
    } else {
        format!("{} d", delta / 86_400)
    };
    if future {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_pick_the_largest_unit() {
        let now = 1_000_000;
        for (at, text) in [
            (now + 30, "in <1 min"),
            (now - 10, "just now"),
            (now + 5 * 60, "in 5 min"),
            (now + 23 * 3600 + 59, "in 23 h"),
            (now - 3 * 86_400, "3 d ago"),
        ] {
            assert_eq!(relative(at, now), text);
        }
    }
}
