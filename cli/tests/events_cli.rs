//! `clouddeck events tail` and `events verify` as a user runs them.
#![allow(clippy::unwrap_used)]

use clouddeck_eventlog::sqlite::SqliteEventStore;
use clouddeck_eventlog::{EventStore, ExpectedVersion, NewEvent};
use clouddeck_events::{Actor, DeploymentReady, Event, Provenance};
use clouddeck_testkit::Scratch;
use std::process::{Command, Output};

fn clouddeck(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clouddeck")).args(args).env("CLOUDDECK_DATABASE_URL", url).output().unwrap()
}

async fn store_with_events(scratch: &Scratch) -> (String, SqliteEventStore) {
    let url = scratch.sqlite_url("clouddeck");
    let store = SqliteEventStore::connect(&url).await.unwrap();
    let provenance = Provenance::new(Actor::User("alice".into()));
    for n in 0..3 {
        let event = Event::DeploymentReady(DeploymentReady {
            deployment_id: format!("d{n}"),
            url: format!("http://d{n}.localhost"),
        });
        store
            .append("deployment-x", ExpectedVersion::Any, vec![NewEvent::new(&event, provenance.clone()).unwrap()])
            .await
            .unwrap();
    }
    (url, store)
}

#[tokio::test]
async fn tail_json_prints_one_object_a_line() {
    let scratch = Scratch::new();
    let (url, _store) = store_with_events(&scratch).await;
    let out = clouddeck(&url, &["events", "tail", "--json", "--from", "1"]);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["position"], 2);
    assert_eq!(lines[0]["stream"], "deployment-x");
    assert_eq!(lines[0]["version"], 2);
    assert_eq!(lines[0]["type"], "deployment.ready");
    assert_eq!(lines[0]["actor"], "user:alice");
    assert_eq!(lines[0]["payload"]["url"], "http://d1.localhost");
    assert!(lines[0]["event_id"].as_str().unwrap().len() == 36);
    assert!(lines[0]["recorded_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn verify_passes_a_sound_log_and_names_each_fault() {
    let scratch = Scratch::new();
    let (url, store) = store_with_events(&scratch).await;
    let out = clouddeck(&url, &["events", "verify"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 events in 1 streams: ok"));

    // given a payload that is not Avro, a corrupt row, a skipped version and a gap
    let insert = |position: i64, event_id: &str, version: i64, actor: &str, payload: &[u8]| {
        sqlx::query("INSERT INTO events VALUES ($1, $2, 'deployment-x', $3, 'deployment.ready', 1, 0, $4, NULL, '0190a0a0-0000-7000-8000-000000000000', $5)")
            .bind(position).bind(event_id.to_string()).bind(version).bind(actor.to_string()).bind(payload.to_vec())
    };
    insert(4, "0190a0a0-0000-7000-8000-000000000004", 4, "system:x", b"{not avro}")
        .execute(store.pool())
        .await
        .unwrap();
    insert(5, "0190a0a0-0000-7000-8000-000000000005", 5, "nobody", b"").execute(store.pool()).await.unwrap();
    let good = store.read_all(0, 1).await.unwrap().remove(0).payload;
    insert(6, "0190a0a0-0000-7000-8000-000000000006", 9, "system:x", &good).execute(store.pool()).await.unwrap();
    insert(9, "0190a0a0-0000-7000-8000-000000000009", 10, "system:x", &good).execute(store.pool()).await.unwrap();

    // when verified, then each fault is named by position and the exit code is non-zero
    let out = clouddeck(&url, &["events", "verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.contains("position 4: event at position 4 cannot be decoded"), "{stdout}");
    assert!(stdout.contains("position 5: corrupt row"), "{stdout}");
    assert!(stdout.contains("position 6: deployment-x jumps from version 4 to 9"), "{stdout}");
    assert!(stdout.contains("position 9: gap: positions 7..8 are missing"), "{stdout}");
    assert!(stdout.contains("4 faults"), "{stdout}");
}
