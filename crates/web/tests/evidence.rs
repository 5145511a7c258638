//! Evidence files over real HTTP: every allowed type and every kind of bad input, who may see
//! which file, and the dossier with its verifier. Each story runs with local storage
//! (`local_*`) and against the S3-compatible server of `REDRESS_TEST_S3_ENDPOINT` (`s3_*`;
//! required when `REDRESS_REQUIRE_S3=1`, as `.ci/run` sets it).

mod support;

use redress_app::blobs::original_key;
use redress_app::dossier::{Finding, verify};
use redress_app::evidence::EvidenceLimits;
use redress_domain::chain::ChainBreak;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::{Cursor, Write};
use support::{
    BOUNDARY, Fixture, Session, Storage, TestApp, edit_manifest, entry_names, multipart, read_zip, rewrite, zip_of,
};

macro_rules! on_local_and_s3 {
    ($($story:ident => $local:ident, $s3:ident;)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $local() {
                $story(Storage::Local).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $s3() {
                if let Some(storage) = support::s3_storage(stringify!($s3)) {
                    $story(storage).await;
                }
            }
        )*
    };
}

on_local_and_s3! {
    every_allowed_type_is_typed_by_its_bytes => local_every_allowed_type_is_typed_by_its_bytes, s3_every_allowed_type_is_typed_by_its_bytes;
    bad_input_is_refused_and_nothing_is_half_stored => local_bad_input_is_refused_and_nothing_is_half_stored, s3_bad_input_is_refused_and_nothing_is_half_stored;
    confidential_files_and_strangers => local_confidential_files_and_strangers, s3_confidential_files_and_strangers;
    twin_uploads_with_one_key_get_one_answer => local_twin_uploads_with_one_key_get_one_answer, s3_twin_uploads_with_one_key_get_one_answer;
    dossier_verifies_and_names_every_alteration => local_dossier_verifies_and_names_every_alteration, s3_dossier_verifies_and_names_every_alteration;
    large_video_goes_up_in_parts => local_large_video_goes_up_in_parts, s3_large_video_goes_up_in_parts;
    refused_uploads_keep_no_bytes => local_refused_uploads_keep_no_bytes, s3_refused_uploads_keep_no_bytes;
    orphaned_objects_are_collected_after_a_grace_period => local_orphaned_objects_are_collected_after_a_grace_period, s3_orphaned_objects_are_collected_after_a_grace_period;
}

/// Small limits, so "too big" is quick to show: 64 KiB per file, 20 MiB per video, 21 MiB per case.
fn limits() -> EvidenceLimits {
    EvidenceLimits { file_bytes: 64 << 10, video_bytes: 20 << 20, case_bytes: 21 << 20, ..Default::default() }
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

// ---------------------------------------------------------------------------------------------
// Samples, made here
// ---------------------------------------------------------------------------------------------

fn encode(img: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode sample");
    out.into_inner()
}

fn picture() -> image::DynamicImage {
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(40, 30, |x, y| {
        image::Rgb([(x * 6) as u8, (y * 8) as u8, 120])
    }))
}

/// A JPEG carrying an EXIF block with a GPS position, as phones write them.
fn jpeg_with_gps() -> Vec<u8> {
    let plain = encode(picture(), image::ImageFormat::Jpeg);
    let mut exif = b"Exif\0\0II*\0GPSLatitude 31.2304N GPSLongitude 121.4737E".to_vec();
    exif.resize(64, b' ');
    let len = (exif.len() + 2) as u16;
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// An ISO BMFF file: an `ftyp` box with these brands, then an `mdat` box.
fn bmff(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
    let size = 16 + 4 * compatible.len() as u32;
    let mut out = size.to_be_bytes().to_vec();
    out.extend_from_slice(b"ftyp");
    out.extend_from_slice(major);
    out.extend_from_slice(&[0, 0, 2, 0]);
    for brand in compatible {
        out.extend_from_slice(*brand);
    }
    out.extend_from_slice(&[0, 0, 0, 16]);
    out.extend_from_slice(b"mdat");
    out.extend_from_slice(&[0x11; 8]);
    out
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A decompression bomb: a few hundred bytes declaring a 100000×100000 RGBA image (40 GB of pixels).
fn png_bomb() -> Vec<u8> {
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(png_chunk(b"IHDR", &ihdr));
    // A valid zlib stream of zeros (stored block), far too short for the declared size.
    out.extend(png_chunk(b"IDAT", &[0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0, 0, 0, 0, 0, 0x04, 0x00, 0x01]));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// A well-formed `side`×`side` RGBA16 PNG of zeros (8 bytes a pixel): at 11999 it is about a
/// megabyte and decodes to 1.15 GB. Its IDAT repeats one fully flushed deflate block of zeros.
fn png_rgba16(side: u32) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let raw = u64::from(side) * (1 + u64::from(side) * 8);
    let deflate = |input: &[u8], flush: FlushCompress| -> Vec<u8> {
        let mut c = Compress::new(Compression::best(), false);
        let mut out = Vec::with_capacity(input.len() / 100 + 1024);
        c.compress_vec(input, &mut out, flush).unwrap();
        out
    };
    const BLOCK: u64 = 1 << 20;
    let zeros = vec![0u8; BLOCK as usize];
    let block = deflate(&zeros, FlushCompress::Full);
    let mut idat = vec![0x78, 0xDA];
    for _ in 0..raw / BLOCK {
        idat.extend_from_slice(&block);
    }
    idat.extend(deflate(&zeros[..(raw % BLOCK) as usize], FlushCompress::Finish));
    // Adler-32 of `raw` zero bytes: a = 1, b = raw mod 65521.
    idat.extend_from_slice(&((((raw % 65521) as u32) << 16) | 1).to_be_bytes());
    let mut ihdr = side.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[16, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(png_chunk(b"IHDR", &ihdr));
    out.extend(png_chunk(b"IDAT", &idat));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

// ---------------------------------------------------------------------------------------------
// Uploading
// ---------------------------------------------------------------------------------------------

async fn post_raw(who: &Session, case: &str, body: Vec<u8>, key: Option<&str>) -> (StatusCode, Value) {
    let mut request = who
        .raw(reqwest::Method::POST, &format!("/api/v1/cases/{case}/evidence"))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.expect("upload");
    let status = response.status();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    // A file added (or its answer replayed) says where it is.
    if status == StatusCode::CREATED {
        let file = body["evidence_id"].as_str().unwrap();
        assert_eq!(location, Some(format!("/api/v1/cases/{case}/evidence/{file}")), "{body}");
    }
    (status, body)
}

/// Uploads `bytes` under a misleading name and Content-Type: only the bytes decide the type.
async fn upload(
    who: &Session,
    case: &str,
    bytes: &[u8],
    kind: &str,
    caption: &str,
    confidential: bool,
) -> (StatusCode, Value) {
    let confidential = if confidential { "true" } else { "false" };
    let body = multipart(&[
        ("kind", None, kind.as_bytes()),
        ("caption", None, caption.as_bytes()),
        ("confidential", None, confidential.as_bytes()),
        ("file", Some(("证据.exe", "application/octet-stream")), bytes),
    ]);
    post_raw(who, case, body, None).await
}

/// Uploads sent at once with one `Idempotency-Key` (a client retrying before the first answer)
/// all get the first answer: one file, one 201 (the trial saw 500 for the twins).
async fn twin_uploads_with_one_key_get_one_answer(storage: Storage) {
    let (_t, f, case) = setup(storage).await;
    let picture = encode(picture(), image::ImageFormat::Png);
    let body = multipart(&[
        ("kind", None, b"photo"),
        ("caption", None, "同一张照片".as_bytes()),
        ("file", Some(("photo.png", "image/png")), &picture),
    ]);
    let twins = (0..4).map(|_| post_raw(&f.buyer, &case, body.clone(), Some("twin-upload-1")));
    let answers = futures_util::future::join_all(twins).await;
    for (status, answer) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{answer}");
        assert_eq!(answer["evidence_id"], answers[0].1["evidence_id"], "{answer}");
    }
    let listed = f.buyer.get(&format!("/api/v1/cases/{case}/evidence")).await;
    assert_eq!(listed.1["items"].as_array().unwrap().len(), 1, "{listed:?}");
    // The key with the same file said of differently (the trial's finding: it replayed the first
    // answer as if the new caption had been taken) is a key reused for another upload.
    for (what, fields) in [
        ("another caption", [("kind", "photo"), ("caption", "另一张照片"), ("confidential", "false")]),
        ("another kind", [("kind", "other"), ("caption", "同一张照片"), ("confidential", "false")]),
        ("confidential now", [("kind", "photo"), ("caption", "同一张照片"), ("confidential", "true")]),
    ] {
        let body = multipart(&[
            (fields[0].0, None, fields[0].1.as_bytes()),
            (fields[1].0, None, fields[1].1.as_bytes()),
            (fields[2].0, None, fields[2].1.as_bytes()),
            ("file", Some(("photo.png", "image/png")), &picture),
        ]);
        let (status, answer) = post_raw(&f.buyer, &case, body, Some("twin-upload-1")).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")),
            "{what}: {answer}"
        );
    }
    let listed = f.buyer.get(&format!("/api/v1/cases/{case}/evidence")).await;
    assert_eq!(listed.1["items"][0]["caption"], "同一张照片", "{listed:?}");
}

async fn uploaded(who: &Session, case: &str, bytes: &[u8], kind: &str, caption: &str, confidential: bool) -> Value {
    let (status, body) = upload(who, case, bytes, kind, caption, confidential).await;
    assert_eq!(status, StatusCode::CREATED, "{caption}: {body}");
    body
}

async fn fetch(who: &Session, path: &str) -> (StatusCode, Vec<u8>, String) {
    let response = who.raw(reqwest::Method::GET, path).send().await.expect("GET");
    let status = response.status();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (status, response.bytes().await.expect("body").to_vec(), content_type)
}

async fn setup(storage: Storage) -> (TestApp, Fixture, String) {
    setup_with(storage, limits()).await
}

async fn setup_with(storage: Storage, limits: EvidenceLimits) -> (TestApp, Fixture, String) {
    let t = TestApp::start_with(storage, limits).await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-EVIDENCE-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    (t, f, case)
}

fn types(detail: &Value) -> Vec<String> {
    detail["timeline"].as_array().unwrap().iter().map(|e| e["body"]["type"].as_str().unwrap().to_owned()).collect()
}

// ---------------------------------------------------------------------------------------------
// Stories
// ---------------------------------------------------------------------------------------------

async fn every_allowed_type_is_typed_by_its_bytes(storage: Storage) {
    let (t, f, case) = setup(storage).await;
    let samples: Vec<(&str, Vec<u8>, &str, bool)> = vec![
        ("jpeg", jpeg_with_gps(), "image/jpeg", true),
        ("png", encode(picture(), image::ImageFormat::Png), "image/png", true),
        ("webp", encode(picture(), image::ImageFormat::WebP), "image/webp", true),
        ("gif", encode(picture(), image::ImageFormat::Gif), "image/gif", true),
        ("heic", bmff(b"heic", &[b"mif1", b"heic"]), "image/heic", false),
        ("pdf", PDF.to_vec(), "application/pdf", false),
        ("mp4", bmff(b"isom", &[b"isom", b"iso2", b"mp41"]), "video/mp4", false),
        ("mov", bmff(b"qt  ", &[b"qt  "]), "video/quicktime", false),
        (
            "text",
            "11月20日 09:12 买家:耳机左耳无声\n11月20日 09:30 商家:请寄回检测\n".as_bytes().to_vec(),
            "text/plain; charset=utf-8",
            false,
        ),
    ];
    // Every answer's type is one the OpenAPI document lists for its operation (schemathesis
    // found a PNG download and a JPEG preview undocumented).
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", t.base)).await.unwrap().json().await.unwrap();
    let documented = |path: &str, content_type: &str| {
        doc["paths"][path]["get"]["responses"]["200"]["content"].get(content_type).is_some()
    };
    for (name, bytes, media_type, has_preview) in &samples {
        let kind = if media_type.starts_with("video/") {
            "video"
        } else if media_type.starts_with("image/") {
            "photo"
        } else if *name == "text" {
            "chat_record"
        } else {
            "invoice"
        };
        let body = uploaded(&f.buyer, &case, bytes, kind, &format!("{name} 样本"), false).await;
        assert_eq!(body["media_type"], *media_type, "{name}: {body}");
        assert_eq!(body["sha256"], sha256(bytes), "{name}");
        assert_eq!(body["size"], bytes.len(), "{name}");
        assert_eq!(body["kind"], kind, "{name}");
        assert_eq!(body["has_preview"], *has_preview, "{name}");
        let id = body["evidence_id"].as_str().unwrap();
        // The original comes back byte for byte, to the merchant as well.
        let (status, original, content_type) = fetch(&f.shop, &format!("/api/v1/cases/{case}/evidence/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert_eq!(&original, bytes, "{name}: original unchanged");
        assert_eq!(content_type, *media_type, "{name}");
        assert!(documented("/api/v1/cases/{id}/evidence/{eid}", &content_type), "{name}: {content_type} undocumented");
        let (status, preview, preview_type) =
            fetch(&f.shop, &format!("/api/v1/cases/{case}/evidence/{id}/preview")).await;
        if *has_preview {
            assert_eq!(status, StatusCode::OK, "{name}");
            assert!(documented("/api/v1/cases/{id}/evidence/{eid}/preview", &preview_type), "{name}: {preview_type}");
            let img =
                image::load_from_memory_with_format(&preview, image::ImageFormat::Jpeg).expect("preview is a JPEG");
            assert_eq!((img.width(), img.height()), (40, 30), "{name}");
            assert!(
                !contains(&preview, b"Exif") && !contains(&preview, b"GPS"),
                "{name}: the preview keeps no metadata"
            );
        } else {
            assert_eq!(status, StatusCode::NOT_FOUND, "{name}");
        }
    }
    // The original JPEG still has its EXIF block; only the preview dropped it.
    assert!(contains(&samples[0].1, b"GPSLatitude"));
    // Each file is fixed in the chain by an event carrying its hash.
    let detail = f.buyer.case(&case).await;
    let added: Vec<&Value> =
        detail["timeline"].as_array().unwrap().iter().filter(|e| e["body"]["type"] == "evidence_added").collect();
    assert_eq!(added.len(), samples.len());
    for (entry, (_, bytes, _, _)) in added.iter().zip(&samples) {
        assert_eq!(entry["body"]["file"]["sha256"], sha256(bytes));
    }
    let (_, chain) = f.buyer.get(&format!("/api/v1/cases/{case}/chain")).await;
    assert_eq!(chain["intact"], true);

    // A message may cite files of the case.
    let first = added[0]["body"]["file"]["evidence_id"].clone();
    let detail = f.buyer.ok(&case, "message", json!({ "text": "见第一张照片", "evidence": [first] })).await;
    assert_eq!(detail["events"].as_array().unwrap().last().unwrap()["body"]["evidence"], json!([first]));
    let (status, body) =
        f.buyer.act(&case, "message", json!({ "text": "见附件", "evidence": [uuid::Uuid::now_v7()] })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")), "{body}");

    // The same upload retried with its Idempotency-Key is added once.
    let text = b"retried upload".to_vec();
    let form = || multipart(&[("kind", None, b"other"), ("file", Some(("a.txt", "text/plain")), &text)]);
    let (s1, b1) = post_raw(&f.buyer, &case, form(), Some("upload-1")).await;
    let (s2, b2) = post_raw(&f.buyer, &case, form(), Some("upload-1")).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED), "{b1} {b2}");
    assert_eq!(b1, b2, "the retry gets the first answer");
    // ... marked as replayed, like every other keyed retry.
    let retry = f
        .buyer
        .raw(reqwest::Method::POST, &format!("/api/v1/cases/{case}/evidence"))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .header("idempotency-key", "upload-1")
        .body(form())
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers().get("idempotent-replayed").map(|v| v.as_bytes()), Some(&b"true"[..]));
    let (_, list) = f.buyer.get(&format!("/api/v1/cases/{case}/evidence")).await;
    assert_eq!(list["items"].as_array().unwrap().len(), samples.len() + 1);
    drop(t);
}

async fn bad_input_is_refused_and_nothing_is_half_stored(storage: Storage) {
    let (t, f, case) = setup(storage).await;
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.resize(256, 0);
    let zip = {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("a.txt", zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(b"hello").unwrap();
        w.finish().unwrap().into_inner()
    };
    let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".to_vec();
    let mut corrupt_jpeg = encode(picture(), image::ImageFormat::Jpeg);
    corrupt_jpeg.truncate(40);
    let mut truncated_png = encode(picture(), image::ImageFormat::Png);
    truncated_png.truncate(100);
    let png_signature_only = [b"\x89PNG\r\n\x1a\n".as_slice(), b"hello"].concat();
    let too_big = vec![b'a'; (64 << 10) + 1];
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        ("too big", too_big, StatusCode::PAYLOAD_TOO_LARGE, "evidence_too_large"),
        ("ELF program", elf, StatusCode::UNSUPPORTED_MEDIA_TYPE, "evidence_unsupported_type"),
        ("ZIP archive", zip, StatusCode::UNSUPPORTED_MEDIA_TYPE, "evidence_unsupported_type"),
        ("HTML page", html, StatusCode::UNSUPPORTED_MEDIA_TYPE, "evidence_unsupported_type"),
        ("text with NUL", b"abc\0def".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "evidence_unsupported_type"),
        ("empty", Vec::new(), StatusCode::UNPROCESSABLE_ENTITY, "evidence_empty"),
        ("decompression bomb", png_bomb(), StatusCode::UNPROCESSABLE_ENTITY, "evidence_image_too_large"),
        ("corrupt JPEG", corrupt_jpeg, StatusCode::UNPROCESSABLE_ENTITY, "evidence_corrupt"),
        ("truncated PNG", truncated_png, StatusCode::UNPROCESSABLE_ENTITY, "evidence_corrupt"),
        ("PNG signature only", png_signature_only, StatusCode::UNPROCESSABLE_ENTITY, "evidence_corrupt"),
    ];
    for (name, bytes, status, code) in &cases {
        let (got, body) = upload(&f.buyer, &case, bytes, "photo", name, false).await;
        assert_eq!((got, body["code"].as_str()), (*status, Some(*code)), "{name}: {body}");
        assert_eq!(body["status"], status.as_u16(), "{name}");
        assert!(body["title"].is_string() && body["detail"].is_string(), "{name}: {body}");
        // The caller reads Chinese: no English inside (the trial's "binary data of an unknown type").
        let detail = body["detail"].as_str().unwrap();
        assert!(!detail.contains("binary") && !detail.contains("unknown"), "{name}: {body}");
        if !bytes.is_empty() {
            let stored = t.app.blobs.size(&original_key(&sha256(bytes))).await.unwrap();
            assert_eq!(stored, None, "{name}: nothing stored");
        }
    }
    // A video may be larger than a photo, up to its own limit.
    let mut video = bmff(b"isom", &[b"isom"]);
    video.resize(100 << 10, 7);
    let body = uploaded(&f.buyer, &case, &video, "video", "开箱视频", false).await;
    assert_eq!(body["media_type"], "video/mp4");
    // The kind must fit the bytes: a text file is no photo, a photo no video (the trial's).
    for (kind, bytes, detail) in [
        ("photo", b"a chat record, typed".to_vec(), "text/plain"),
        ("video", encode(picture(), image::ImageFormat::Png), "image/png"),
    ] {
        let (status, body) = upload(&f.buyer, &case, &bytes, kind, "mislabelled", false).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")),
            "{body}"
        );
        assert!(body["detail"].as_str().unwrap().contains(detail), "{body}");
        assert_eq!(t.app.blobs.size(&original_key(&sha256(&bytes))).await.unwrap(), None, "{kind}: nothing stored");
    }

    // An upload cut off before the end of the multipart body.
    let mut truncated = multipart(&[
        ("kind", None, b"photo"),
        ("file", Some(("a.txt", "text/plain")), b"the beginning of a long chat record"),
    ]);
    truncated.truncate(truncated.len() - 30);
    let (status, body) = post_raw(&f.buyer, &case, truncated, None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("evidence_incomplete")), "{body}");
    // Form mistakes.
    let (status, body) =
        post_raw(&f.buyer, &case, multipart(&[("file", Some(("a.txt", "text/plain")), b"no kind")]), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")), "{body}");
    let (status, body) = post_raw(
        &f.buyer,
        &case,
        multipart(&[("kind", None, b"selfie"), ("file", Some(("a.txt", "text/plain")), b"x")]),
        None,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")), "{body}");
    let (status, body) =
        f.buyer.post(&format!("/api/v1/cases/{case}/evidence"), json!({ "file": "not multipart" })).await;
    // A body that is no upload at all is of the wrong media type, not bad input of the right one.
    let unsupported = (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type"));
    assert_eq!((status, body["code"].as_str()), unsupported, "{body}");

    // Only the accepted video left a trace in the case.
    let detail = f.buyer.case(&case).await;
    assert_eq!(types(&detail), ["filed", "evidence_added"]);

    // The per-case total: 21 MiB; the video took 100 KiB, a 20 MiB video fits, then nothing more.
    let mut big = bmff(b"mp42", &[b"mp42"]);
    big.resize(20 << 20, 3);
    uploaded(&f.buyer, &case, &big, "video", "完整开箱视频", false).await;
    let mut more = bmff(b"mp42", &[b"mp42"]);
    more.resize(2 << 20, 4);
    let (status, body) = upload(&f.buyer, &case, &more, "video", "再来一段", false).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("evidence_case_full")), "{body}");
    assert_eq!(t.app.blobs.size(&original_key(&sha256(&more))).await.unwrap(), None);
    // A stranger's upload never reaches the case; a closed case takes files from the platform only.
    let (status, _) = upload(&f.other_buyer, &case, b"hello", "other", "x", false).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    f.buyer.ok(&case, "withdraw", json!({})).await;
    let (status, body) = upload(&f.buyer, &case, b"after close", "other", "x", false).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("case_closed")), "{body}");
    uploaded(&f.agent, &case, b"refund receipt", "payment_record", "平台补充:退款凭证", false).await;
}

async fn confidential_files_and_strangers(storage: Storage) {
    let (t, f, case) = setup(storage).await;
    let open = uploaded(&f.buyer, &case, &encode(picture(), image::ImageFormat::Png), "photo", "破损照片", false).await;
    let medical =
        uploaded(&f.buyer, &case, b"Outpatient record: allergic rash", "medical_record", "门诊病历", true).await;
    let invoice = uploaded(&f.shop, &case, PDF, "invoice", "进货发票", true).await;
    let url = |e: &Value| format!("/api/v1/cases/{case}/evidence/{}", e["evidence_id"].as_str().unwrap());
    let ids = |list: &Value| -> Vec<String> {
        list["items"].as_array().unwrap().iter().map(|e| e["evidence_id"].as_str().unwrap().to_owned()).collect()
    };
    let id = |e: &Value| e["evidence_id"].as_str().unwrap().to_owned();

    // Each side sees its own confidential file, never the other side's; the platform sees all.
    let (_, list) = f.buyer.get(&format!("/api/v1/cases/{case}/evidence")).await;
    assert_eq!(ids(&list), [id(&open), id(&medical)]);
    let (_, list) = f.shop.get(&format!("/api/v1/cases/{case}/evidence")).await;
    assert_eq!(ids(&list), [id(&open), id(&invoice)]);
    let (_, list) = f.other_agent.get(&format!("/api/v1/cases/{case}/evidence")).await;
    assert_eq!(ids(&list), [id(&open), id(&medical), id(&invoice)]);
    assert_eq!(fetch(&f.buyer, &url(&invoice)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(fetch(&f.shop, &url(&medical)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(fetch(&f.buyer, &url(&medical)).await.0, StatusCode::OK);
    assert_eq!(fetch(&f.shop, &url(&invoice)).await.0, StatusCode::OK);
    assert_eq!(fetch(&f.agent, &url(&invoice)).await.0, StatusCode::OK);
    assert_eq!(fetch(&f.admin, &url(&medical)).await.0, StatusCode::OK);
    // A stranger gets 404 for every file, confidential or not, original or preview.
    for who in [&f.other_buyer, &f.other_shop, &t.anonymous()] {
        for e in [&open, &medical, &invoice] {
            let (status, body, _) = fetch(who, &url(e)).await;
            assert!(matches!(status, StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED), "{status}");
            assert!(!contains(&body, b"Outpatient") && !contains(&body, b"%PDF"));
            assert_eq!(fetch(who, &format!("{}/preview", url(e))).await.0, status);
        }
        let (status, _) = who.get(&format!("/api/v1/cases/{case}/evidence")).await;
        assert!(matches!(status, StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED));
    }
    // The timeline fixes every file by hash, but the other side's confidential caption and kind
    // are not shown: the shop never reads "门诊病历", the buyer never reads "进货发票".
    let shop_view = f.shop.case(&case).await["timeline"].to_string();
    assert!(!shop_view.contains("门诊病历") && !shop_view.contains("medical_record"), "{shop_view}");
    let buyer_view = f.buyer.case(&case).await["timeline"].to_string();
    assert!(!buyer_view.contains("进货发票") && buyer_view.contains("门诊病历"));
    assert!(f.agent.case(&case).await["timeline"].to_string().contains("进货发票"));
    // Nor anything else of it: not its id, hash, size or type; only that a file was withheld.
    let medical_file = b"Outpatient record: allergic rash";
    let shop_detail = f.shop.case(&case).await;
    for secret in [id(&medical), sha256(medical_file), "text/plain".to_owned()] {
        assert!(!shop_detail.to_string().contains(&secret), "{secret} in {shop_detail}");
    }
    let withheld = |detail: &Value| types(detail).iter().filter(|t| *t == "evidence_withheld").count();
    assert_eq!(withheld(&shop_detail), 1, "the buyer's medical record");
    assert_eq!(withheld(&f.buyer.case(&case).await), 1, "the shop's invoice");
    assert_eq!(withheld(&f.agent.case(&case).await), 0);
    // A message may cite only files its sender may see; the other side's confidential file is
    // refused as if it were not on the case.
    let cite = |e: &Value| json!({ "text": "见附件", "evidence": [id(e)] });
    let (status, problem) = f.shop.act(&case, "message", cite(&medical)).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")),
        "{problem}"
    );
    let (status, problem) = f.buyer.act(&case, "message", cite(&invoice)).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")),
        "{problem}"
    );
    f.shop.ok(&case, "message", cite(&invoice)).await;
    f.buyer.ok(&case, "message", cite(&medical)).await;
    f.shop.ok(&case, "message", cite(&open)).await;
    f.agent.ok(&case, "message", cite(&medical)).await;
    // An id that is not on the case is simply not found.
    assert_eq!(
        fetch(&f.agent, &format!("/api/v1/cases/{case}/evidence/{}", uuid::Uuid::now_v7())).await.0,
        StatusCode::NOT_FOUND
    );

    // The buyer's dossier leaves the shop's confidential invoice out and still verifies.
    let buyer_zip = fetch(&f.buyer, &format!("/api/v1/cases/{case}/dossier")).await;
    assert_eq!(buyer_zip.0, StatusCode::OK);
    assert_eq!(buyer_zip.2, "application/zip");
    let report = verify(Cursor::new(&buyer_zip.1), None).unwrap();
    assert!(report.intact(), "{:?}", report.findings);
    assert_eq!((report.files, report.withheld), (2, 1));
    let names = entry_names(&buyer_zip.1);
    assert!(!names.iter().any(|n| n.contains(&id(&invoice))), "{names:?}");
    assert!(names.iter().any(|n| n.contains(&id(&medical))), "{names:?}");
    let shop_zip = fetch(&f.shop, &format!("/api/v1/cases/{case}/dossier")).await;
    let report = verify(Cursor::new(&shop_zip.1), None).unwrap();
    assert!(report.intact(), "{:?}", report.findings);
    assert!(!entry_names(&shop_zip.1).iter().any(|n| n.contains(&id(&medical))));
    // No entry of a party's dossier (index.html, manifest.json, the files) carries the other
    // side's confidential caption or kind: only that a file with this hash was withheld.
    let leaks = |zip: &[u8], secrets: &[&str]| -> Vec<String> {
        read_zip(zip)
            .into_iter()
            .flat_map(|(name, data)| {
                secrets
                    .iter()
                    .filter(|s| contains(&data, s.as_bytes()))
                    .map(move |s| format!("{name}: {s}"))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    assert_eq!(leaks(&buyer_zip.1, &["进货发票", "\"invoice\"", "发票"]), Vec::<String>::new());
    assert_eq!(leaks(&shop_zip.1, &["门诊病历", "medical_record", "医疗记录", "allergic"]), Vec::<String>::new());
    assert!(leaks(&buyer_zip.1, &["门诊病历"]).len() >= 2, "the buyer's own confidential file stays described");
    assert_eq!((report.files, report.withheld, report.redacted), (2, 1, 1));
    // A redaction may hide only the other side's withheld confidential file.
    let entries = read_zip(&buyer_zip.1);
    let forged = edit_manifest(&entries, |m| m["redacted"] = json!([1]));
    let report = verify(Cursor::new(forged), None).unwrap();
    assert!(report.findings.contains(&Finding::RedactionUnexpected { seq: 1 }), "{:?}", report.findings);
    let agent_zip = fetch(&f.agent, &format!("/api/v1/cases/{case}/dossier")).await;
    let report = verify(Cursor::new(&agent_zip.1), None).unwrap();
    assert_eq!((report.intact(), report.files, report.withheld, report.redacted), (true, 3, 0, 0));
    assert_eq!(leaks(&agent_zip.1, &["进货发票", "门诊病历"]).len(), 4, "the platform's dossier has everything");
    assert_eq!(fetch(&f.other_buyer, &format!("/api/v1/cases/{case}/dossier")).await.0, StatusCode::NOT_FOUND);

    // Nor the other side's file's hash (a reader could hash a photo seen elsewhere and confirm
    // what was withheld): the withheld file is listed under the platform's keyed commitment,
    // which the platform's and the uploader's dossiers list beside the file.
    assert_eq!(leaks(&buyer_zip.1, &[&sha256(PDF)]), Vec::<String>::new());
    assert_eq!(leaks(&shop_zip.1, &[&sha256(medical_file)]), Vec::<String>::new());
    let manifest = |zip: &[u8]| -> Value {
        serde_json::from_slice(&read_zip(zip).into_iter().find(|(n, _)| n == "manifest.json").unwrap().1).unwrap()
    };
    let (buyers, shops, agents) = (manifest(&buyer_zip.1), manifest(&shop_zip.1), manifest(&agent_zip.1));
    let listed = |m: &Value, e: &Value| -> Value {
        m["files"].as_array().unwrap().iter().find(|f| f["evidence_id"] == e["evidence_id"]).unwrap()["commitment"]
            .clone()
    };
    let commitment = buyers["withheld"][0]["commitment"].clone();
    assert_eq!(commitment.as_str().map(str::len), Some(64), "{buyers}");
    assert_eq!(buyers["withheld"][0]["evidence_id"], invoice["evidence_id"]);
    assert_eq!((listed(&shops, &invoice), listed(&agents, &invoice)), (commitment.clone(), commitment));
    assert_eq!(shops["withheld"][0]["commitment"], listed(&agents, &medical));
    assert_eq!(listed(&agents, &open), Value::Null, "a file both sides see needs no commitment");
}

async fn dossier_verifies_and_names_every_alteration(storage: Storage) {
    let (t, f, case) = setup(storage).await;
    // The demo's whole path: messages, rejection, escalation, evidence on request, decision, refund.
    let photo = uploaded(&f.buyer, &case, &jpeg_with_gps(), "photo", "左耳无声的耳机", false).await;
    f.buyer.ok(&case, "message", json!({ "text": "左耳没有声音,见照片", "evidence": [photo["evidence_id"]] })).await;
    f.shop.ok(&case, "reject", json!({ "reason": "used_or_damaged_by_buyer", "text": "耳机有进水痕迹" })).await;
    f.buyer.ok(&case, "escalate", json!({ "text": "商家拒绝,申请平台介入" })).await;
    f.agent.ok(&case, "request-evidence", json!({ "party": "buyer", "what": "请上传开箱视频" })).await;
    let video = uploaded(&f.buyer, &case, &bmff(b"isom", &[b"isom"]), "video", "开箱视频", false).await;
    f.buyer.ok(&case, "submit-evidence", json!({ "text": "已上传开箱视频" })).await;
    uploaded(&f.shop, &case, b"internal QA log: batch B17 passed", "inspection_report", "出厂检测记录", true).await;
    f.agent
        .ok(&case, "decide", json!({ "remedy": { "kind": "refund", "amount": 39900 }, "liable": "merchant", "rationale": "视频显示开箱即无声,非人为损坏", "cited_rule": "《消费者权益保护法》第二十四条" }))
        .await;
    t.tick().await;
    assert_eq!(f.buyer.case(&case).await["case"]["outcome"], "refunded");

    let (status, zip_bytes, _) = fetch(&f.buyer, &format!("/api/v1/cases/{case}/dossier")).await;
    assert_eq!(status, StatusCode::OK);
    let report = verify(Cursor::new(&zip_bytes), None).unwrap();
    assert!(report.intact(), "{:?}", report.findings);
    assert_eq!((report.files, report.withheld), (2, 1));
    let entries = read_zip(&zip_bytes);
    let index = String::from_utf8(entries.iter().find(|(n, _)| n == "index.html").unwrap().1.clone()).unwrap();
    for expected in [
        "证据清单",
        "左耳无声的耳机",
        "开箱视频",
        "视频显示开箱即无声",
        "第二十四条",
        "申请平台介入",
        photo["sha256"].as_str().unwrap(),
    ] {
        assert!(index.contains(expected), "index.html lacks {expected}");
    }
    let photo_path = format!("evidence/{}.jpg", photo["evidence_id"].as_str().unwrap());
    assert!(entries.iter().any(|(n, b)| *n == photo_path && *b == jpeg_with_gps()));

    // One byte of one evidence file flipped.
    let altered = rewrite(&entries, |name, bytes| {
        if name == photo_path {
            bytes[100] ^= 0x01;
        }
    });
    let report = verify(Cursor::new(&altered), None).unwrap();
    assert!(
        matches!(report.findings.as_slice(), [Finding::FileAltered { path, .. }] if *path == photo_path),
        "{:?}",
        report.findings
    );

    // One event (#10) deleted from the manifest.
    let removed = edit_manifest(&entries, |m| {
        m["events"].as_array_mut().unwrap().remove(9);
    });
    let report = verify(Cursor::new(&removed), None).unwrap();
    assert!(
        report.findings.contains(&Finding::Chain(ChainBreak::SequenceGap { expected: 10, found: 11 })),
        "{:?}",
        report.findings
    );
    println!("{}", report.findings.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "));

    // A message edited in the manifest.
    let edited = edit_manifest(&entries, |m| {
        let event = m["events"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|e| e["content"].as_str().unwrap().contains("左耳没有声音"))
            .unwrap();
        let content = event["content"].as_str().unwrap().replace("左耳没有声音", "耳机一切正常");
        event["content"] = content.into();
    });
    let report = verify(Cursor::new(&edited), None).unwrap();
    assert!(matches!(report.findings.as_slice(), [Finding::SealBroken(_), _]), "{:?}", report.findings);
    assert_eq!(report.findings[1], Finding::Chain(ChainBreak::ContentAltered { seq: 3 }));

    // A file slipped in, a file taken out, the page rewritten.
    let added = {
        let mut e = entries.clone();
        e.push(("evidence/forged.jpg".into(), b"forged".to_vec()));
        zip_of(&e)
    };
    let report = verify(Cursor::new(&added), None).unwrap();
    assert_eq!(report.findings, [Finding::FileAdded { path: "evidence/forged.jpg".into() }]);
    let video_path = format!("evidence/{}.mp4", video["evidence_id"].as_str().unwrap());
    let taken = zip_of(&entries.iter().filter(|(n, _)| *n != video_path).cloned().collect::<Vec<_>>());
    let report = verify(Cursor::new(&taken), None).unwrap();
    assert_eq!(report.findings, [Finding::FileRemoved { path: video_path }]);
    let page = rewrite(&entries, |name, bytes| {
        if name == "index.html" {
            *bytes =
                String::from_utf8(bytes.clone()).unwrap().replace("视频显示开箱即无声", "买家自行损坏").into_bytes();
        }
    });
    assert_eq!(verify(Cursor::new(&page), None).unwrap().findings, [Finding::IndexAltered]);

    // The page rewritten and its hash in the manifest rewritten to match (the outsider trial's
    // forgery): the platform's seal over the manifest no longer holds.
    let page_entries = read_zip(&page);
    let index_hash = hex::encode(Sha256::digest(&page_entries.iter().find(|(n, _)| n == "index.html").unwrap().1));
    let matched = edit_manifest(&page_entries, |m| m["index_sha256"] = json!(index_hash));
    let report = verify(Cursor::new(&matched), None).unwrap();
    assert!(matches!(report.findings.as_slice(), [Finding::SealBroken(_)]), "{:?}", report.findings);

    // The seal is made with the key the platform publishes, to anyone.
    let (status, key) = t.anonymous().get("/api/v1/dossier-key").await;
    assert_eq!((status, key["algorithm"].as_str()), (StatusCode::OK, Some("ed25519")), "{key}");
    let platform_key = key["public_key"].as_str().unwrap();
    let report = verify(Cursor::new(&zip_bytes), Some(platform_key)).unwrap();
    assert_eq!((report.intact(), report.sealed_by.as_deref()), (true, Some(platform_key)), "{:?}", report.findings);
    let again = fetch(&f.agent, &format!("/api/v1/cases/{case}/dossier")).await;
    assert!(verify(Cursor::new(&again.1), Some(platform_key)).unwrap().intact(), "one key for every dossier");
    // A forger who seals the rewritten manifest with a key of their own passes only a check that
    // does not compare keys, and says whose key it was.
    let manifest = &read_zip(&matched).into_iter().find(|(n, _)| n == "manifest.json").unwrap().1;
    let forged_seal = serde_json::to_vec(&redress_app::seal::SealKey::generate().seal(manifest)).unwrap();
    let resealed = rewrite(&read_zip(&matched), |name, bytes| {
        if name == "seal.json" {
            *bytes = forged_seal.clone();
        }
    });
    let report = verify(Cursor::new(&resealed), None).unwrap();
    assert!(report.intact() && report.sealed_by.as_deref() != Some(platform_key), "{:?}", report.findings);
    let report = verify(Cursor::new(&resealed), Some(platform_key)).unwrap();
    assert!(
        matches!(report.findings.as_slice(), [Finding::SealedByAnotherKey { expected, .. }] if expected == platform_key),
        "{:?}",
        report.findings
    );
    // A dossier without its seal is not the platform's.
    let unsealed = zip_of(&entries.iter().filter(|(n, _)| n != "seal.json").cloned().collect::<Vec<_>>());
    assert_eq!(verify(Cursor::new(&unsealed), None).unwrap().findings, [Finding::Unsealed]);
}

/// A video above the single-request size goes up as a multipart upload and comes back whole.
async fn large_video_goes_up_in_parts(storage: Storage) {
    let (_t, f, case) = setup(storage).await;
    let mut video = bmff(b"isom", &[b"isom", b"mp41"]);
    video.extend((0..(19u32 << 20)).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let body = uploaded(&f.buyer, &case, &video, "video", "完整开箱视频", false).await;
    assert_eq!(body["sha256"], sha256(&video));
    let (status, original, _) =
        fetch(&f.agent, &format!("/api/v1/cases/{case}/evidence/{}", body["evidence_id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(original.len(), video.len());
    assert!(original == video);
}

/// An upload refused after its bytes arrived leaves nothing in storage: a caption too long, a
/// case already full, and uploads racing for a case's last room (whichever lose).
async fn refused_uploads_keep_no_bytes(storage: Storage) {
    let small = EvidenceLimits { file_bytes: 64 << 10, case_bytes: 100 << 10, ..limits() };
    let (t, f, case) = setup_with(storage, small).await;
    let stored = |bytes: &[u8]| {
        let key = original_key(&sha256(bytes));
        let blobs = t.app.blobs.clone();
        async move { blobs.size(&key).await.unwrap() }
    };
    let text = vec![b'a'; 1000];
    let (status, body) = upload(&f.buyer, &case, &text, "other", &"长".repeat(300), false).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")), "{body}");
    assert_eq!(stored(&text).await, None, "a caption too long stores nothing");
    let picture = encode(picture(), image::ImageFormat::Png);
    let (status, _) = upload(&f.buyer, &case, &picture, "photo", &"长".repeat(300), false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(t.app.blobs.size(&redress_app::blobs::preview_key(&sha256(&picture))).await.unwrap(), None);

    // Five uploads of 30 KiB race for 100 KiB: three fit, and the two refused leave no bytes.
    let files: Vec<Vec<u8>> = (0..5u8).map(|i| vec![b'b' + i; 30 << 10]).collect();
    let answers = futures_util::future::join_all(
        files
            .iter()
            .enumerate()
            .map(|(i, bytes)| upload(&f.buyer, &case, bytes, "other", ["一", "二", "三", "四", "五"][i], false)),
    )
    .await;
    let mut kept = 0;
    for ((status, body), bytes) in answers.iter().zip(&files) {
        match *status {
            StatusCode::CREATED => {
                kept += 1;
                assert_eq!(stored(bytes).await, Some(30 << 10));
            }
            _ => {
                assert_eq!(body["code"], "evidence_case_full", "{body}");
                assert_eq!(stored(bytes).await, None, "a refused upload keeps no bytes");
            }
        }
    }
    assert_eq!(kept, 3);
    // A refused copy of a file on record leaves the recorded one's object alone.
    let (status, _) = upload(&f.buyer, &case, &files[0], "other", "再传一次", false).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let recorded: Vec<Vec<u8>> =
        files.iter().zip(&answers).filter(|(_, (s, _))| *s == StatusCode::CREATED).map(|(b, _)| b.clone()).collect();
    for bytes in &recorded {
        assert_eq!(stored(bytes).await, Some(30 << 10));
    }
}

/// What a crash between storing and recording leaves (an object no evidence names) is deleted by
/// the collector once older than the grace period; files on record and recent objects stay.
async fn orphaned_objects_are_collected_after_a_grace_period(storage: Storage) {
    let (t, f, case) = setup(storage).await;
    let kept = encode(picture(), image::ImageFormat::Png);
    uploaded(&f.buyer, &case, &kept, "photo", "留存", false).await;
    let orphan = b"bytes stored before a crash".to_vec();
    let orphan_key = original_key(&sha256(&orphan));
    let orphan_preview = redress_app::blobs::preview_key(&sha256(&orphan));
    t.app.blobs.put_bytes(&orphan_key, orphan.clone().into()).await.unwrap();
    t.app.blobs.put_bytes(&orphan_preview, b"jpeg".to_vec().into()).await.unwrap();
    // Within the grace period (an upload may be in flight): kept.
    let an_hour_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    assert_eq!(t.app.collect_unreferenced_blobs(an_hour_ago).await.unwrap(), 0);
    assert!(t.app.blobs.size(&orphan_key).await.unwrap().is_some());
    // Past it: the orphan and its preview go, the recorded file and its preview stay.
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(1);
    assert_eq!(t.app.collect_unreferenced_blobs(later).await.unwrap(), 2);
    assert_eq!(t.app.blobs.size(&orphan_key).await.unwrap(), None);
    assert_eq!(t.app.blobs.size(&orphan_preview).await.unwrap(), None);
    assert!(t.app.blobs.size(&original_key(&sha256(&kept))).await.unwrap().is_some());
    assert!(t.app.blobs.size(&redress_app::blobs::preview_key(&sha256(&kept))).await.unwrap().is_some());
    let (status, _, _) = fetch(&f.buyer, &format!("/api/v1/cases/{case}/evidence")).await;
    assert_eq!(status, StatusCode::OK);
}

/// Within the side limit, but 1.15 GB once decoded: refused by its decoded size, before any
/// pixel buffer is allocated, and nothing is stored. A small 16-bit image still goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_a_bomb_of_many_bytes_per_pixel_is_refused_by_its_decoded_size() {
    let (t, f, case) = setup_with(Storage::Local, EvidenceLimits::default()).await;
    let bomb = png_rgba16(11_999);
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    let (status, body) = upload(&f.buyer, &case, &bomb, "photo", "16 位图片", false).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("evidence_image_too_large")),
        "{body}"
    );
    assert_eq!(t.app.blobs.size(&original_key(&sha256(&bomb))).await.unwrap(), None);
    let small = uploaded(&f.buyer, &case, &png_rgba16(64), "photo", "小图", false).await;
    assert_eq!(small["media_type"], "image/png");
}

#[tokio::test]
async fn merchants_see_a_masked_phone_and_the_address_once_goods_travel() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "SH-PRIVACY-1").await;
    let case = f.file(&order, "return_refund", "quality_defect", 39900).await;
    let detail = f.shop.case(&case).await;
    assert_eq!(detail["parties"]["buyer"]["phone"], "138****1234");
    assert_eq!(detail["parties"]["buyer"]["address"], Value::Null);
    let mine = f.buyer.case(&case).await;
    assert_eq!(mine["parties"]["buyer"]["phone"], "13812341234");
    assert_eq!(mine["parties"]["buyer"]["address"], "上海市浦东新区");
    assert_eq!(mine["parties"]["merchant"]["address"], "杭州市西湖区");
    // Approving a return puts goods on the road: the merchant now sees where they come from.
    f.shop.ok(&case, "approve", json!({})).await;
    let detail = f.shop.case(&case).await;
    assert_eq!(detail["case"]["state"], "awaiting_return_shipment");
    assert_eq!(detail["parties"]["buyer"]["address"], "上海市浦东新区");
    assert_eq!(detail["parties"]["buyer"]["phone"], "138****1234");
    assert_eq!(f.agent.case(&case).await["parties"]["buyer"]["phone"], "13812341234");
}

// ---------------------------------------------------------------------------------------------
// ZIP surgery
// ---------------------------------------------------------------------------------------------
