//! QR codes drawn with Unicode half blocks, for paying invoices from a phone.

use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode};

/// The QR code of a Lightning invoice, or `None` if it is too long to encode.
///
/// Bech32 is case-insensitive, so the invoice is upper-cased: QR alphanumeric
/// mode makes the code markedly smaller and easier to scan. Colours are
/// swapped so the code has the right polarity on the usual dark terminal
/// background (light glyphs on dark): light modules are drawn, dark ones blank.
pub fn invoice_qr(bolt11: &str) -> Option<String> {
    let data = format!("lightning:{bolt11}").to_uppercase();
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::L).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoices_render_as_square_blocks() {
        let qr = invoice_qr("lnbcrt10u1pexampleinvoicedata").unwrap_or_default();
        let lines: Vec<&str> = qr.lines().collect();
        assert!(lines.len() > 10, "{qr}");
        let width = lines[0].chars().count();
        assert!(lines.iter().all(|l| l.chars().count() == width));
        // Two rows per character: height ≈ width / 2.
        assert!(lines.len() * 2 >= width && lines.len() * 2 <= width + 2);
    }
}
