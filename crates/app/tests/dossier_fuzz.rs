//! Fuzzing `redress verify` as an ordinary test: a dossier (made here: a hash chain with an
//! evidence file, its index page and manifest) with random bytes flipped, cut short or its
//! manifest's text edited, and plain garbage, is read without a panic; an untouched one is intact,
//! a changed file is always named and a changed manifest never carries a valid seal. Longer run:
//! `PROPTEST_CASES=100000 cargo test -p redress-app --test dossier_fuzz` (docs/reliability.md).

use proptest::prelude::*;
use redress_app::dossier::{FORMAT, Finding, INDEX, MANIFEST, Manifest, ManifestFile, verify};
use redress_app::seal::{SEAL, SealKey};
use redress_domain::chain::{self, Link};
use redress_domain::evidence::EvidenceFile;
use redress_domain::vocabulary::EvidenceKind;
use redress_domain::{Actor, CaseId, Event, EventBody, EvidenceId, Party, UserId};
use std::io::{Cursor, Write};

const FILE: &[u8] = "聊天记录:商家承认发错货".as_bytes();

fn dossier(file: &[u8]) -> Vec<u8> {
    let at: jiff::Timestamp = "2026-03-02T02:00:00Z".parse().unwrap();
    let actor = Actor::Buyer { user: UserId(uuid::Uuid::from_u128(1)) };
    let evidence = EvidenceFile {
        evidence_id: EvidenceId(uuid::Uuid::from_u128(7)),
        sha256: chain::sha256_hex(FILE),
        kind: EvidenceKind::ChatRecord,
        caption: "聊天记录".into(),
        size: FILE.len() as u64,
        media_type: "text/plain; charset=utf-8".into(),
        confidential: false,
    };
    let contents = [
        "{\"filed\":1}".to_owned(),
        serde_json::to_string(&Event {
            at,
            actor,
            body: EventBody::EvidenceAdded { file: evidence.clone() },
            transition: None,
        })
        .unwrap(),
        "{\"message\":\"你好\"}".to_owned(),
    ];
    let mut links: Vec<Link> = Vec::new();
    for (i, content) in contents.into_iter().enumerate() {
        let prev = links.last().map_or(chain::GENESIS.to_owned(), |l| l.hash.clone());
        links.push(chain::next_link(&prev, i as i64 + 1, content));
    }
    let index = "<html><body>证据材料包</body></html>";
    let path = "evidence/file.txt".to_owned();
    let manifest = Manifest {
        format: FORMAT.into(),
        case_id: CaseId(uuid::Uuid::from_u128(30)),
        generated_at: at,
        prepared_for: Party::Buyer,
        hash_rule: String::new(),
        event_count: links.len(),
        head_hash: links.last().unwrap().hash.clone(),
        events: links,
        redacted: Vec::new(),
        files: vec![ManifestFile {
            evidence_id: evidence.evidence_id,
            event_seq: 2,
            path: path.clone(),
            sha256: evidence.sha256.clone(),
            size: evidence.size,
            media_type: evidence.media_type.clone(),
            commitment: None,
        }],
        withheld: Vec::new(),
        index_sha256: chain::sha256_hex(index.as_bytes()),
        negotiation: None,
    };
    let manifest = serde_json::to_vec_pretty(&manifest).unwrap();
    let seal = serde_json::to_vec(&SealKey::generate().seal(&manifest)).unwrap();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, data) in [
        (INDEX.to_owned(), index.as_bytes().to_vec()),
        (MANIFEST.to_owned(), manifest),
        (SEAL.to_owned(), seal),
        (path, file.to_vec()),
    ] {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(&data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn the_fixture_is_intact() {
    let report = verify(Cursor::new(dossier(FILE)), None).unwrap();
    assert!(report.intact(), "{:?}", report.findings);
    assert_eq!((report.events, report.files), (3, 1));
}

proptest! {
    // 256 cases by default; PROPTEST_CASES sets more.
    #[test]
    fn flipped_bytes_are_read_without_panic(flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut bytes = dossier(FILE);
        let len = bytes.len();
        for (at, x) in flips {
            bytes[at % len] ^= x | 1;
        }
        let _ = verify(Cursor::new(bytes), None);
    }

    #[test]
    fn cut_dossiers_and_garbage_are_read_without_panic(
        cut in any::<usize>(),
        garbage in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut bytes = dossier(FILE);
        bytes.truncate(cut % (bytes.len() + 1));
        let _ = verify(Cursor::new(bytes), None);
        let _ = verify(Cursor::new(garbage), None);
    }

    #[test]
    fn an_edited_manifest_is_read_without_panic(at in any::<usize>(), text in ".{0,12}", drop in 0usize..30) {
        let entries = dossier(FILE);
        let mut archive = zip::ZipArchive::new(Cursor::new(&entries)).unwrap();
        let mut manifest = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(MANIFEST).unwrap(), &mut manifest).unwrap();
        let mut chars: Vec<char> = manifest.chars().collect();
        let at = at % chars.len();
        let end = (at + drop).min(chars.len());
        chars.splice(at..end, text.chars());
        let edited: String = chars.into_iter().collect();
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).unwrap();
            let name = entry.name().unwrap().into_owned();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
            zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(if name == MANIFEST { edited.as_bytes() } else { &data }).unwrap();
        }
        let report = verify(Cursor::new(zip.finish().unwrap().into_inner()), None);
        if edited != manifest {
            let unsealed = report.unwrap().findings.iter().any(|f| matches!(f, Finding::SealBroken(_)));
            prop_assert!(unsealed, "an edited manifest keeps no valid seal");
        }
    }

    /// Any change to the evidence file's bytes is named.
    #[test]
    fn a_changed_file_is_always_named(at in any::<usize>(), x in 1u8..=255) {
        let mut file = FILE.to_vec();
        let len = file.len();
        file[at % len] ^= x;
        let report = verify(Cursor::new(dossier(&file)), None).unwrap();
        let altered = report.findings.iter().any(|f| matches!(f, Finding::FileAltered { .. }));
        prop_assert!(altered, "{:?}", report.findings);
    }
}
