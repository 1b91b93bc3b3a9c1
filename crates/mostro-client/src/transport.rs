//! Per-daemon transport and proof-of-work choices (PROTOCOL.md §1.5, §1.6).

use mostro_protocol::envelope::Transport;
use mostro_protocol::events::InfoEvent;

/// The transport to speak with a daemon: the override if given, otherwise
/// what its info event advertises (`protocol_version` 1 ⇒ gift wrap, 2 ⇒
/// kind 14; absent tag or no info event ⇒ v1). A version newer than 2 is
/// answered with v2, the newest transport we know.
pub fn choose_transport(info: Option<&InfoEvent>, override_: Option<Transport>) -> Transport {
    if let Some(forced) = override_ {
        return forced;
    }
    match info.map(|i| i.protocol_version) {
        Some(v) if v >= 2 => Transport::V2,
        _ => Transport::V1,
    }
}

/// NIP-13 difficulty to mine for an event.
///
/// Every event needs `pow`. An event from a trade key the daemon may not know
/// yet (`first_contact`) needs `pow_first_contact`; when the node does not
/// advertise it, at least `pow` is mined (absent means unknown, §1.6).
pub fn pow_for(info: Option<&InfoEvent>, first_contact: bool) -> u8 {
    let Some(info) = info else { return 0 };
    if first_contact {
        info.pow.max(info.pow_first_contact.unwrap_or(info.pow))
    } else {
        info.pow
    }
}
