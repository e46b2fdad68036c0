//! Issue #17: the decoders that take input from outside never panic. Both
//! frame codecs (client frames in JSON and MessagePack), GIFT, Moodle XML,
//! the registrations CSV and BigBlueButton's webhook and analytics
//! callbacks get random bytes and mutations of valid samples (the protocol
//! vectors, the fixtures); each must answer `Ok` or an error. The board ZIP
//! import gets mutated archives over HTTP: a coded 4xx or a board. A bounded
//! pass (proptest, 256 cases each) runs with the normal suite; a failure is
//! shrunk and its case kept in `tests/fuzz.proptest-regressions`, replayed
//! first on every run.

use amphi::invitations::csv::Limits;
use amphi::quiz::ImportFormat;
use amphi_protocol::Format;
use proptest::prelude::*;

/// The client frames of the protocol vectors, in JSON and in MessagePack.
fn client_frames() -> Vec<(Format, Vec<u8>)> {
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("../protocol/vectors/v1.json")).expect("the vectors are JSON");
    let mut frames = Vec::new();
    for vector in vectors.as_array().expect("a list of vectors") {
        if vector["direction"] != "client" {
            continue;
        }
        frames.push((Format::Json, vector["message"].to_string().into_bytes()));
        let msgpack = hex::decode(vector["msgpack"].as_str().expect("msgpack in hex")).expect("hex");
        frames.push((Format::MsgPack, msgpack));
    }
    frames
}

/// Up to 8 edits at random places: a byte replaced, inserted or removed.
fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, byte, kind) in edits {
        let at = if bytes.is_empty() { 0 } else { at % (bytes.len() + 1) };
        match kind % 3 {
            0 if at < bytes.len() => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => bytes.push(byte),
        }
    }
    bytes
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..8)
}

/// Text heavy in the characters the formats give meaning to.
fn syntax_text(alphabet: &'static [char]) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(alphabet), 0..400).prop_map(String::from_iter)
}

const GIFT_CHARS: &[char] =
    &['{', '}', '=', '~', '#', ':', '%', '-', '>', '[', ']', '\\', '\n', ' ', 'a', '1', '.', '/', 'T', 'F', '$'];
const XML_CHARS: &[char] =
    &['<', '>', '/', '=', '"', '&', ';', '!', '[', ']', '?', ' ', '\n', 'q', 'u', 'e', 's', 't', 'i', 'o', 'n', 'x'];
const CSV_CHARS: &[char] = &[',', ';', '"', '\n', '\r', '@', '.', ' ', 'a', 'b', '\t', '=', 'é', '\u{feff}'];

const GIFT: &str = include_str!("fixtures/quiz/complete.gift");
const MOODLE_XML: &str = include_str!("fixtures/quiz/complete.xml");
const CSV: &str = "name,email,atelier\nCamille Martin,camille@example.org,a1\n\"Léa, B.\",lea@example.org,\n";
const WEBHOOK: &str = include_str!("fixtures/bbb/webhook_user_joined.form");
const ANALYTICS: &str = include_str!("fixtures/bbb/analytics_callback.json");

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn import(text: &str) {
    for format in [ImportFormat::Gift, ImportFormat::MoodleXml, ImportFormat::Json] {
        let _ = amphi::quiz::import(text, format);
    }
}

fn registrations(bytes: &[u8]) {
    let _ = amphi::invitations::csv::parse(bytes, Limits { max_name_chars: 40, max_rows: 50 });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn client_frames_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for format in Format::ALL {
            let _ = format.decode_client(&bytes);
        }
    }

    #[test]
    fn mutated_client_frames_never_panic(index in any::<usize>(), edits in edits()) {
        let frames = client_frames();
        let (format, frame) = &frames[index % frames.len()];
        let _ = format.decode_client(&mutate(frame.clone(), &edits));
    }

    #[test]
    fn gift_never_panics(text in syntax_text(GIFT_CHARS)) {
        let _ = amphi::quiz::import(&text, ImportFormat::Gift);
    }

    #[test]
    fn moodle_xml_never_panics(text in syntax_text(XML_CHARS)) {
        let _ = amphi::quiz::import(&text, ImportFormat::MoodleXml);
    }

    #[test]
    fn mutated_quiz_files_never_panic(gift in edits(), xml in edits()) {
        import(&lossy(&mutate(GIFT.as_bytes().to_vec(), &gift)));
        import(&lossy(&mutate(MOODLE_XML.as_bytes().to_vec(), &xml)));
    }

    #[test]
    fn registrations_csv_never_panics(text in syntax_text(CSV_CHARS), bytes in proptest::collection::vec(any::<u8>(), 0..256), edits in edits()) {
        registrations(text.as_bytes());
        registrations(&bytes);
        registrations(&mutate(CSV.as_bytes().to_vec(), &edits));
    }

    #[test]
    fn bigbluebutton_callbacks_never_panic(webhook in edits(), analytics in edits(), bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = amphi::bbb::webhooks::parse_callback(&mutate(WEBHOOK.trim().as_bytes().to_vec(), &webhook));
        let _ = amphi::bbb::analytics::parse_analytics(&mutate(ANALYTICS.as_bytes().to_vec(), &analytics));
        let _ = amphi::bbb::webhooks::parse_callback(&bytes);
        let _ = amphi::bbb::analytics::parse_analytics(&bytes);
    }
}

#[test]
fn the_seeds_are_valid() {
    // Mutations start from inputs that decode: otherwise they would test
    // only the first error path.
    for (format, frame) in client_frames() {
        format.decode_client(&frame).unwrap_or_else(|e| panic!("{format:?}: {e:?}"));
    }
    assert!(amphi::quiz::import(GIFT, ImportFormat::Gift).is_ok());
    assert!(amphi::quiz::import(MOODLE_XML, ImportFormat::MoodleXml).is_ok());
    assert!(amphi::invitations::csv::parse(CSV.as_bytes(), Limits { max_name_chars: 40, max_rows: 50 }).is_ok());
    assert!(amphi::bbb::webhooks::parse_callback(WEBHOOK.trim().as_bytes()).is_ok());
    assert!(amphi::bbb::analytics::parse_analytics(ANALYTICS.as_bytes()).is_ok());
}

/// A board export as `POST /api/v1/boards/import` reads it: `board.json`
/// (mutated by `edits`) and the PNG one post shows.
fn board_zip(edits: &[(usize, u8, u8)]) -> Vec<u8> {
    use std::io::Write;
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";
    let blob = "ab".repeat(32);
    let board = serde_json::json!({
        "title": "Modèle", "sections": ["A", "B"], "settings": {},
        "posts": [{ "section": 1, "author_name": "x", "title": "t", "image": { "blob": blob, "alt": "" } }]
    });
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("board.json", options).unwrap();
    zip.write_all(&mutate(board.to_string().into_bytes(), edits)).unwrap();
    zip.start_file(format!("files/{blob}"), options).unwrap();
    zip.write_all(PNG).unwrap();
    zip.finish().unwrap().into_inner()
}

/// The board ZIP import, over HTTP on a real server: a mutated archive, or
/// an archive of a mutated `board.json`, is imported (201) or refused with
/// a coded 4xx; never a 5xx, never a dead server.
#[test]
fn board_zip_imports_are_answered_with_a_code() {
    use proptest::test_runner::{Config, TestRunner};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(crate::util::TestServer::start());
    let token = server.token(amphi_protocol::Role::Trainer, "Mme Durand");
    let http = reqwest::Client::new();
    let import = |body: Vec<u8>| {
        runtime.block_on(async {
            let response = http.post(server.url("/api/v1/boards/import")).bearer_auth(&token).body(body).send().await;
            let response = response.expect("the server answers");
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.expect("a JSON body");
            (status, body)
        })
    };
    let (status, body) = import(board_zip(&[]));
    assert_eq!(status, 201, "the seed imports: {body}");
    let mut runner = TestRunner::new(Config { cases: 64, ..Config::default() });
    runner
        .run(&(edits(), edits()), |(in_json, in_zip)| {
            for archive in [board_zip(&in_json), mutate(board_zip(&[]), &in_zip)] {
                let (status, body) = import(archive);
                prop_assert!(
                    status == 201 || ((400..500).contains(&status) && body["code"].is_string()),
                    "{status} {body}"
                );
            }
            Ok(())
        })
        .unwrap();
}
