//! The certificate of participation as a PDF (krilla; the DejaVu Sans font
//! embedded as a subset, so accents and « » print everywhere): who, which
//! training, when (in the tenant's local time), how long they were present,
//! the badge and its result, the issuing académie, and where to verify it
//! (the credential's URL, also as a QR code). French by default.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, TextDirection};

use crate::local_time::{self, Language};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A4 portrait, in points.
const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 60.0;
/// DSFR's "bleu France".
const BLUE: (u8, u8, u8) = (0, 0, 145);
/// A no-break space (before `:` and inside « »).
const NBSP: char = '\u{a0}';

/// What a certificate says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The participant's name ("" when unknown or purged).
    pub recipient: String,
    /// The activity's title.
    pub training: String,
    pub badge: String,
    /// When it was issued, in milliseconds since the epoch.
    pub issued_at: i64,
    /// The tenant's IANA time zone.
    pub zone: String,
    /// Time present, in minutes.
    pub minutes: i64,
    /// The completion's figures, when it counted some.
    pub score: Option<(i64, i64)>,
    /// The issuing académie, its web site and contact.
    pub issuer: String,
    pub issuer_url: String,
    pub issuer_email: String,
    /// Where anyone verifies it.
    pub verify_url: String,
}

impl Certificate {
    /// The lines of text, in order, with their size and weight.
    pub fn lines(&self) -> Vec<(f32, bool, String)> {
        let mut lines = vec![
            (12.0, true, self.issuer.clone()),
            (26.0, true, "Attestation de participation".to_string()),
            (12.0, false, String::new()),
            (12.0, false, "Nous attestons que".to_string()),
            (
                18.0,
                true,
                if self.recipient.trim().is_empty() { "la personne titulaire".into() } else { self.recipient.clone() },
            ),
            (12.0, false, "a participé à la formation".to_string()),
            (16.0, true, format!("«{NBSP}{}{NBSP}»", self.training)),
            (12.0, false, String::new()),
        ];
        let when = local_time::spoken(self.issued_at, &self.zone, Language::French);
        lines.push((12.0, false, format!("Attestation délivrée {when}.")));
        let minutes = self.minutes.max(0);
        let duration = if minutes <= 1 { format!("{minutes} minute") } else { format!("{minutes} minutes") };
        lines.push((12.0, false, format!("Durée de présence{NBSP}: {duration}")));
        lines.push((12.0, false, format!("Badge obtenu{NBSP}: {}", self.badge)));
        if let Some((score, max)) = self.score.filter(|(_, max)| *max > 0) {
            lines.push((12.0, false, format!("Résultat{NBSP}: {score}{NBSP}/{NBSP}{max}")));
        }
        lines.push((12.0, false, String::new()));
        lines.push((12.0, false, format!("Délivrée par{NBSP}: {}", self.issuer)));
        for contact in [&self.issuer_url, &self.issuer_email] {
            if !contact.is_empty() {
                lines.push((10.0, false, contact.clone()));
            }
        }
        lines.push((12.0, false, String::new()));
        lines.push((10.0, false, "Vérifier cette attestation (Open Badges 3.0)\u{a0}:".to_string()));
        lines.push((9.0, false, self.verify_url.clone()));
        lines
    }

    /// The PDF.
    pub fn render(&self) -> Result<Vec<u8>, String> {
        let regular = Font::new(REGULAR.into(), 0).ok_or("the embedded font does not read")?;
        let bold = Font::new(BOLD.into(), 0).ok_or("the embedded font does not read")?;
        let mut document = Document::new();
        document.set_metadata(
            Metadata::new()
                .title(format!("Attestation de participation — {}", self.training))
                .creator("amphi".into())
                .language("fr".into()),
        );
        let mut page = document.start_page_with(PageSettings::from_wh(WIDTH, HEIGHT).ok_or("page size")?);
        let mut surface = page.surface();
        // A band of the DSFR's blue across the top.
        if let Some(band) = rect_path(0.0, 0.0, WIDTH, 12.0) {
            surface.set_fill(Some(fill(BLUE)));
            surface.draw_path(&band);
        }
        let mut y = MARGIN + 20.0;
        for (size, strong, text) in self.lines() {
            let font = if strong { bold.clone() } else { regular.clone() };
            surface.set_fill(Some(fill(if size >= 16.0 { BLUE } else { (22, 22, 22) })));
            for line in wrap(&text, ((WIDTH - 2.0 * MARGIN) / (size * 0.58)) as usize) {
                y += size * 1.5;
                surface.draw_text(Point::from_xy(MARGIN, y), font.clone(), size, &line, false, TextDirection::Auto);
            }
            if text.is_empty() {
                y += size;
            }
        }
        // The verification URL as a QR code.
        let code = qrcode::QrCode::new(self.verify_url.as_bytes()).map_err(|e| e.to_string())?;
        let modules = code.width();
        let side = 120.0;
        let module = side / modules as f32;
        let (left, top) = (MARGIN, (y + 20.0).min(HEIGHT - MARGIN - side));
        let mut builder = PathBuilder::new();
        for (i, color) in code.to_colors().iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (col, row) = ((i % modules) as f32, (i / modules) as f32);
                if let Some(r) = Rect::from_xywh(left + col * module, top + row * module, module, module) {
                    builder.push_rect(r);
                }
            }
        }
        if let Some(path) = builder.finish() {
            surface.set_fill(Some(fill((0, 0, 0))));
            surface.draw_path(&path);
        }
        surface.finish();
        page.finish();
        document.finish().map_err(|e| format!("{e:?}"))
    }
}

fn fill((r, g, b): (u8, u8, u8)) -> Fill {
    Fill { paint: rgb::Color::new(r, g, b).into(), ..Fill::default() }
}

fn rect_path(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut builder = PathBuilder::new();
    builder.push_rect(Rect::from_xywh(x, y, w, h)?);
    builder.finish()
}

/// `text` cut at spaces into lines of at most `width` characters (a longer
/// word, such as a URL, is cut where it must).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(10);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_spaces_and_long_words_are_cut() {
        assert_eq!(wrap("un deux trois", 8), vec!["un deux", "trois"]);
        assert_eq!(wrap("https://example.org/badges/credentials/abc", 10).len(), 5);
        assert!(wrap("", 10).is_empty());
    }

    #[test]
    fn a_certificate_renders_as_a_pdf_with_its_font_embedded() {
        let certificate = Certificate {
            recipient: "Zoé Lefèvre".into(),
            training: "Sécurité numérique".into(),
            badge: "Réussite".into(),
            issued_at: 1_796_203_800_000,
            zone: "Europe/Paris".into(),
            minutes: 42,
            score: Some((12, 15)),
            issuer: "Académie de Lyon".into(),
            issuer_url: "https://www.ac-lyon.fr".into(),
            issuer_email: String::new(),
            verify_url: "https://amphi.example.org/badges/credentials/x".into(),
        };
        let lines: Vec<String> = certificate.lines().into_iter().map(|(_, _, text)| text).collect();
        assert!(lines.contains(&"«\u{a0}Sécurité numérique\u{a0}»".to_string()));
        assert!(lines.contains(&"Durée de présence\u{a0}: 42 minutes".to_string()));
        let pdf = certificate.render().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // A subset of the font, not all of it.
        assert!(pdf.len() < REGULAR.len() / 2, "{} bytes", pdf.len());
    }
}
