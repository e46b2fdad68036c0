//! Open Badges 2.0, for the platforms that read no 3.0 credential yet
//! (Moodle's backpack support): the same award as a hosted `Assertion`
//! (its recipient the e-mail the platform gave at launch, hashed and
//! salted), its `BadgeClass` and `Issuer`, and the badge's PNG baked with
//! the assertion's URL (an `iTXt` chunk with the keyword `openbadges`,
//! written by the `png` crate). Pure: no store, no clock.

use serde_json::{Value, json};

use super::credential::{Achievement, Issuer, identity_hash, rfc3339};

/// The OB 2.0 context.
pub const CONTEXT: &str = "https://w3id.org/openbadges/v2";
/// The keyword of the chunk a baked PNG carries.
pub const BAKED_KEYWORD: &str = "openbadges";

/// The URLs of the 2.0 objects at one base.
pub struct Urls2<'a>(pub &'a str);

impl Urls2<'_> {
    pub fn assertion(&self, award: uuid::Uuid) -> String {
        format!("{}/badges/v2/assertions/{award}", self.0)
    }
    pub fn badge_class(&self, badge: uuid::Uuid) -> String {
        format!("{}/badges/v2/badges/{badge}", self.0)
    }
    pub fn issuer(&self, tenant: &str) -> String {
        format!("{}/badges/v2/issuers/{}", self.0, super::segment(tenant))
    }
    pub fn baked(&self, award: uuid::Uuid) -> String {
        format!("{}/badges/credentials/{award}/badge.png", self.0)
    }
}

/// What a hosted assertion states.
pub struct Assertion<'a> {
    pub id: String,
    pub badge_class: String,
    pub email: &'a str,
    pub salt: &'a str,
    pub issued_at: i64,
    pub expires_at: Option<i64>,
    pub image: String,
}

impl Assertion<'_> {
    /// The OB 2.0 `Assertion`, verified by being hosted at its `id`.
    pub fn json(&self) -> Value {
        let mut assertion = json!({
            "@context": CONTEXT,
            "type": "Assertion",
            "id": self.id,
            "recipient": {
                "type": "email",
                "hashed": true,
                "salt": self.salt,
                "identity": identity_hash(&self.email.trim().to_lowercase(), self.salt),
            },
            "badge": self.badge_class,
            "issuedOn": rfc3339(self.issued_at),
            "image": self.image,
            "verification": { "type": "hosted" },
        });
        if let Some(expires) = self.expires_at {
            assertion["expires"] = json!(rfc3339(expires));
        }
        assertion
    }
}

/// What a hosted assertion's URL answers once revoked (with 410 Gone).
pub fn revoked(id: &str, reason: Option<&str>) -> Value {
    json!({ "@context": CONTEXT, "id": id, "revoked": true, "revocationReason": reason.unwrap_or_default() })
}

/// The OB 2.0 `BadgeClass` of a badge whose image is at `image`.
pub fn badge_class(id: &str, achievement: &Achievement, image: &str, issuer: &str) -> Value {
    json!({
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": id,
        "name": achievement.name,
        "description": achievement.description,
        "image": image,
        "criteria": { "narrative": achievement.criteria },
        "issuer": issuer,
    })
}

/// The OB 2.0 `Issuer` profile (`url` is required: amphi's own when the
/// tenant has none).
pub fn issuer(id: &str, issuer: &Issuer, fallback_url: &str) -> Value {
    let mut profile = json!({
        "@context": CONTEXT,
        "type": "Issuer",
        "id": id,
        "name": issuer.name,
        "url": if issuer.url.is_empty() { fallback_url } else { &issuer.url },
    });
    if !issuer.email.is_empty() {
        profile["email"] = json!(issuer.email);
    }
    profile
}

/// Why an image could not be baked.
#[derive(Debug, thiserror::Error)]
pub enum BakeError {
    #[error("the badge's image is not a readable PNG: {0}")]
    Decode(#[from] png::DecodingError),
    #[error("the baked PNG could not be written: {0}")]
    Encode(#[from] png::EncodingError),
}

/// `image` (a PNG) baked with `assertion_url`: the same pixels, re-encoded
/// with an `iTXt` chunk `openbadges` holding the URL (OB 2.0 §Baking).
pub fn bake(image: &[u8], assertion_url: &str) -> Result<Vec<u8>, BakeError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(image));
    decoder.set_transformations(png::Transformations::IDENTITY);
    let mut reader = decoder.read_info()?;
    let mut pixels = vec![0; reader.output_buffer_size().unwrap_or_default()];
    let frame = reader.next_frame(&mut pixels)?;
    let info = reader.info();
    let mut baked = Vec::with_capacity(image.len() + assertion_url.len() + 64);
    {
        let mut encoder = png::Encoder::new(&mut baked, frame.width, frame.height);
        encoder.set_color(frame.color_type);
        encoder.set_depth(frame.bit_depth);
        if let Some(palette) = &info.palette {
            encoder.set_palette(palette.to_vec());
        }
        if let Some(trns) = &info.trns {
            encoder.set_trns(trns.to_vec());
        }
        encoder.add_itxt_chunk(BAKED_KEYWORD.to_string(), assertion_url.to_string())?;
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pixels[..frame.buffer_size()])?;
        writer.finish()?;
    }
    Ok(baked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template_png() -> Vec<u8> {
        let mut png = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut png, 3, 2);
            encoder.set_color(png::ColorType::Rgba);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().unwrap();
            writer.write_image_data(&[7u8; 3 * 2 * 4]).unwrap();
        }
        png
    }

    #[test]
    fn a_baked_png_keeps_its_pixels_and_carries_the_assertion_url() {
        let url = "https://amphi.ac-lyon.fr/badges/v2/assertions/4f1c";
        let baked = bake(&template_png(), url).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&baked));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((frame.width, frame.height), (3, 2));
        assert_eq!(&pixels[..frame.buffer_size()], &[7u8; 24]);
        let texts = &reader.info().utf8_text;
        assert_eq!(texts.len(), 1);
        assert_eq!(texts[0].keyword, BAKED_KEYWORD);
        assert_eq!(texts[0].get_text().unwrap(), url);
    }

    #[test]
    fn what_is_not_a_png_is_refused() {
        assert!(matches!(bake(b"GIF89a not a png", "u"), Err(BakeError::Decode(_))));
        let mut cut = template_png();
        cut.truncate(cut.len() - 20);
        assert!(bake(&cut, "u").is_err());
    }

    #[test]
    fn the_assertion_hashes_the_lowercased_email_with_its_salt() {
        let assertion = Assertion {
            id: "https://a/badges/v2/assertions/1".into(),
            badge_class: "https://a/badges/v2/badges/2".into(),
            email: " Sam.Stagiaire@AC-Lyon.fr ",
            salt: "0011",
            issued_at: 1_796_191_745_123,
            expires_at: None,
            image: "https://a/badges/credentials/1/badge.png".into(),
        }
        .json();
        assert_eq!(assertion["recipient"]["identity"], identity_hash("sam.stagiaire@ac-lyon.fr", "0011"));
        assert_eq!(assertion["recipient"]["type"], "email");
        assert_eq!(assertion["verification"]["type"], "hosted");
        assert_eq!(assertion["issuedOn"], "2026-12-02T06:09:05Z");
        assert!(assertion.get("expires").is_none());
    }
}
