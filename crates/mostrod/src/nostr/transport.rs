//! Mapping between the envelope's transport and the daemon's stored transport.

use mostro_protocol::envelope;

use crate::model::Transport;

/// The daemon transport of an envelope transport.
pub fn from_envelope(transport: envelope::Transport) -> Transport {
    match transport {
        envelope::Transport::V1 => Transport::GiftWrap,
        envelope::Transport::V2 => Transport::Nip44,
    }
}

/// The envelope transport of a daemon transport.
pub fn to_envelope(transport: Transport) -> envelope::Transport {
    match transport {
        Transport::GiftWrap => envelope::Transport::V1,
        Transport::Nip44 => envelope::Transport::V2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_versions_agree() {
        for t in [Transport::GiftWrap, Transport::Nip44] {
            assert_eq!(from_envelope(to_envelope(t)), t);
            assert_eq!(to_envelope(t).protocol_version(), t.version());
        }
    }
}
