//! Per-board switches over real WebSockets: documents switched off at
//! creation, links, sound, images and comments switched off live by the
//! trainer; a participant's post, edit or comment of a switched-off kind
//! refused with `switched_off` (the type of an upload read from its
//! content, not from what the client says), while leaders still may and
//! posts keep what they had, each refusal counted in
//! `amphi_errors_total{code="switched_off"}`; a participant may not switch;
//! the switches go through the ZIP export and its import.

use amphi_protocol::board::{BoardCommand, BoardEvent, Contribution, File, Image, PostContent};
use amphi_protocol::{ErrorCode, Format, Role, ServerMessage};
use serde_json::{Value, json};

use crate::board_reactions::{board, board_event, create_board};
use crate::util::*;

/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

/// Uploads a file whose content is of type `sniffed`; its blob id.
async fn upload(base: &str, token: &str, room: &str, name: &str, bytes: Vec<u8>, sniffed: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/boards/{room}/uploads?name={name}"))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["content_type"], sniffed, "{body}");
    body["blob"].as_str().unwrap().to_string()
}

fn titled(title: &str) -> PostContent {
    PostContent { title: title.into(), ..PostContent::default() }
}

fn post(content: PostContent) -> BoardCommand {
    BoardCommand::Post { section: None, before: None, content }
}

/// A file part as a client sends it: the type it claims is not believed.
fn file(blob: &str, name: &str) -> Option<File> {
    Some(File { blob: blob.into(), name: name.into(), content_type: "image/png".into(), size: 1 })
}

#[tokio::test]
async fn switched_off_kinds_are_refused_to_participants_with_their_code_and_travel_with_the_export() {
    let server = TestServer::start().await;
    let base = server.url("");
    let token = server.token(Role::Trainer, "Mme Durand");
    let room = create_board(&base, &token, json!({ "settings": { "switched_off": ["documents"] } })).await;
    let (room_id, code) = (room_id(&room), join_code(&room));
    let mut trainer = server.connect(Format::MsgPack).await;
    trainer.hello_token(&token).await;
    let snapshot = trainer.join(&room_id).await;
    let off: Vec<Contribution> = snapshot.board.unwrap().settings.switched_off.into_iter().collect();
    assert_eq!(off, [Contribution::Documents]);
    let mut phone = server.connect(Format::Json).await;
    let (welcome, _) = phone.hello_guest(&code, "Camille").await;
    let ServerMessage::Welcome { resume_token, .. } = welcome else { unreachable!() };

    let pdf_bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nune page".to_vec();
    let pdf = upload(&base, &resume_token, &room_id, "cours.pdf", pdf_bytes, "application/pdf").await;
    let mp3_bytes = [b"ID3\x03\0\0\0\0\0\0".as_slice(), &[0u8; 64]].concat();
    let mp3 = upload(&base, &resume_token, &room_id, "voix.mp3", mp3_bytes, "audio/mpeg").await;
    let png = upload(&base, &resume_token, &room_id, "schema.png", PNG.to_vec(), "image/png").await;

    // A PDF, whatever type the client claims, is a document: refused.
    let message = board(&mut phone, &room_id, post(PostContent { file: file(&pdf, "cours.pdf"), ..titled("Cours") }));
    assert_eq!(phone.refused(message).await, ErrorCode::SwitchedOff);
    // Sound and images still go.
    let message = board(&mut phone, &room_id, post(PostContent { file: file(&mp3, "voix.mp3"), ..titled("Ma voix") }));
    phone.ok(message).await;
    let image = Some(Image { blob: png.clone(), alt: "Un schéma".into() });
    let message = board(&mut phone, &room_id, post(PostContent { image: image.clone(), ..titled("Schéma") }));
    phone.ok(message).await;
    let schema = match board_event(
        &mut trainer,
        |e| matches!(e, BoardEvent::PostAdded { post } if post.content.title == "Schéma"),
    )
    .await
    {
        BoardEvent::PostAdded { post } => post.id,
        _ => unreachable!(),
    };

    // The trainer switches links, sound, images and comments off, live;
    // a participant may not.
    let message = board(&mut phone, &room_id, BoardCommand::Switch { contribution: Contribution::Links, on: false });
    assert_eq!(phone.refused(message).await, ErrorCode::Forbidden);
    for contribution in [Contribution::Links, Contribution::Audio, Contribution::Files, Contribution::Comments] {
        let message = board(&mut trainer, &room_id, BoardCommand::Switch { contribution, on: false });
        trainer.ok(message).await;
    }
    let settings = board_event(
        &mut phone,
        |e| matches!(e, BoardEvent::Settings { settings } if settings.switched_off.contains(&Contribution::Comments)),
    )
    .await;
    assert!(matches!(settings, BoardEvent::Settings { settings } if settings.switched_off.len() == 5));

    let refused = [
        post(PostContent { link: Some("https://eduscol.education.fr/".into()), ..titled("Lien") }),
        post(PostContent { file: file(&mp3, "voix.mp3"), ..titled("Encore ma voix") }),
        post(PostContent { image: image.clone(), ..titled("Autre schéma") }),
        BoardCommand::Comment { post: schema.clone(), text: "Bien vu".into() },
    ];
    for command in refused {
        let message = board(&mut phone, &room_id, command.clone());
        assert_eq!(phone.refused(message).await, ErrorCode::SwitchedOff, "{command:?}");
    }
    // Each refusal counted: the PDF, the four above.
    let metrics = reqwest::get(server.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("amphi_errors_total{code=\"switched_off\"} 5"), "each refusal counted");
    // Text still goes; an edit keeping the post's image goes; the trainer
    // still posts a link and comments.
    let message = board(&mut phone, &room_id, post(titled("Du texte")));
    phone.ok(message).await;
    let edit = BoardCommand::Edit {
        post: schema.clone(),
        version: 1,
        content: PostContent { image: image.clone(), ..titled("Schéma, légendé") },
    };
    let message = board(&mut phone, &room_id, edit);
    phone.ok(message).await;
    let link = PostContent { link: Some("https://eduscol.education.fr/".into()), ..titled("Lien du formateur") };
    let message = board(&mut trainer, &room_id, post(link));
    trainer.ok(message).await;
    let message = board(&mut trainer, &room_id, BoardCommand::Comment { post: schema.clone(), text: "Merci".into() });
    trainer.ok(message).await;

    // The existing posts stay, with their parts.
    let mut late = server.connect(Format::Json).await;
    let (_, snapshot) = late.hello_guest(&code, "Léa").await;
    let titles: Vec<String> = snapshot.board.unwrap().posts.iter().map(|p| p.content.title.clone()).collect();
    assert_eq!(titles, ["Ma voix", "Schéma, légendé", "Du texte", "Lien du formateur"]);

    // The switches go through the ZIP and its import.
    let http = reqwest::Client::new();
    let zip = http.get(format!("{base}/api/v1/boards/{room_id}/export.zip")).bearer_auth(&token).send().await.unwrap();
    let zip = zip.bytes().await.unwrap();
    let imported = http.post(format!("{base}/api/v1/boards/import")).bearer_auth(&token).body(zip.to_vec()).send();
    let imported: Value = imported.await.unwrap().json().await.unwrap();
    let snapshot = trainer.join(imported["id"].as_str().unwrap()).await;
    assert_eq!(snapshot.board.unwrap().settings.switched_off.len(), 5, "every switch kept");
    // An unknown kind at creation is refused.
    let response = http
        .post(format!("{base}/api/v1/rooms"))
        .bearer_auth(&token)
        .json(&json!({ "title": "X", "kind": "board", "board": { "settings": { "switched_off": ["gifs"] } } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
