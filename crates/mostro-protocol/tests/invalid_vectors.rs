//! `invalid_messages.json`: every case is refused at its recorded stage
//! (`parse`, `verify` or `get_rating`) and accepted by every earlier stage.

mod common;

use common::{cases, load_vectors, str_field};
use mostro_protocol::Message;

#[test]
fn invalid_messages_are_refused_at_their_stage() {
    let file = load_vectors("invalid_messages.json");
    let mut failures = Vec::new();
    let mut seen_stages = [0usize; 3];
    for case in cases(&file, "cases") {
        let name = str_field(case, "name");
        let input = str_field(case, "input_json");
        let stage = str_field(case, "stage");
        let parsed = Message::from_json(input);
        match (stage, parsed) {
            ("parse", Ok(msg)) => {
                failures.push(format!("{name}: should not parse, got {}", msg.as_json()));
            }
            ("parse", Err(_)) => seen_stages[0] += 1,
            ("verify", Ok(msg)) => {
                seen_stages[1] += 1;
                if msg.verify() {
                    failures.push(format!("{name}: verify() should be false"));
                }
                check_canonical(name, case, &msg, &mut failures);
            }
            ("get_rating", Ok(msg)) => {
                seen_stages[2] += 1;
                if !msg.verify() {
                    failures.push(format!("{name}: should verify"));
                }
                if let Ok(rating) = msg.inner().rating() {
                    failures.push(format!("{name}: rating() accepted {rating}"));
                }
                check_canonical(name, case, &msg, &mut failures);
            }
            (_, Err(e)) => failures.push(format!("{name}: should parse: {e:?}")),
            (other, Ok(_)) => failures.push(format!("{name}: unknown stage {other}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        seen_stages.iter().all(|&n| n > 0),
        "every stage must be exercised: {seen_stages:?}"
    );
}

fn check_canonical(
    name: &str,
    case: &serde_json::Value,
    msg: &Message,
    failures: &mut Vec<String>,
) {
    if let Some(canonical) = case["canonical_json"].as_str() {
        let out = msg.as_json();
        if out != canonical {
            failures.push(format!("{name}: got\n  {out}\nexpected\n  {canonical}"));
        }
    }
}
