//! The schema files in schema/avro are the contract: each Rust type round-trips through
//! its file, each file has its type, and bytes written under older versions still read.
//!
//! `CLOUDDECK_BLESS=1 cargo test -p clouddeck-events --test schemas` rewrites the schema
//! files from the Rust types after an intended change (then add the old file to history/).

use apache_avro::Schema;
use apache_avro::schema::RecordSchema;
use apache_avro::types::Value;
use clouddeck_events::{CodecError, EVENT_TYPES, Event, ProjectCreated, codec, decode, encode};
use std::path::PathBuf;

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/avro")
}

fn blessing() -> bool {
    std::env::var("CLOUDDECK_BLESS").is_ok_and(|v| v == "1")
}

#[test]
fn every_rust_type_matches_its_schema_file() {
    let mut drifted = Vec::new();
    for info in EVENT_TYPES {
        let derived = (info.derived_schema)();
        let path = schema_dir().join(format!("{}.avsc", info.name));
        if blessing() {
            let json = serde_json::to_string_pretty(&derived).expect("schema serializes");
            std::fs::write(&path, json + "\n").expect("write schema file");
            continue;
        }
        let committed =
            Schema::parse_str(info.schema_json).unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
        if committed.canonical_form() != derived.canonical_form() {
            drifted.push(info.name);
        }
    }
    assert!(drifted.is_empty(), "Rust types and schema files differ for {drifted:?}");
    assert!(codec::schema_problems().is_empty(), "{:?}", codec::schema_problems());
}

#[test]
fn every_schema_file_has_its_rust_type() {
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(schema_dir()).expect("schema/avro exists") {
        let path = entry.expect("readable entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(event_type) = name.strip_suffix(".avsc") else {
            continue;
        };
        if !EVENT_TYPES.iter().any(|info| info.name == event_type) {
            orphans.push(event_type.to_string());
        }
    }
    assert!(orphans.is_empty(), "schema files without a Rust type: {orphans:?}");
    let files = std::fs::read_dir(schema_dir()).expect("dir").count();
    assert!(files > EVENT_TYPES.len(), "expected every event type to have a file");
}

/// A value for every field of a schema, varied by `seed`, so that optional fields are
/// exercised both empty and set.
fn sample(schema: &Schema, seed: usize, field: &str) -> Value {
    match schema {
        Schema::String => Value::String(format!("{field}-{seed}-✓")),
        Schema::Long => Value::Long(-(seed as i64) * 1_000_003 + 7),
        Schema::Int => Value::Int(seed as i32 * 31 - 5),
        Schema::Boolean => Value::Boolean(seed.is_multiple_of(2)),
        Schema::Array(array) => {
            Value::Array((0..seed % 3 + 1).map(|i| sample(&array.items, seed + i, field)).collect())
        }
        Schema::Union(union) => {
            let variants = union.variants();
            let index = seed % variants.len();
            Value::Union(index as u32, Box::new(sample(&variants[index], seed, field)))
        }
        Schema::Null => Value::Null,
        Schema::Record(RecordSchema { fields, .. }) => {
            Value::Record(fields.iter().map(|f| (f.name.clone(), sample(&f.schema, seed, &f.name))).collect())
        }
        other => panic!("no sample for schema {other:?}: extend the test"),
    }
}

#[test]
fn every_rust_type_round_trips_through_its_schema_file() {
    for info in EVENT_TYPES {
        let schema = Schema::parse_str(info.schema_json).expect("schema parses");
        for seed in 0..4 {
            let value = sample(&schema, seed, info.name);
            let bytes = {
                let datum = apache_avro::to_avro_datum(&schema, value.clone())
                    .unwrap_or_else(|e| panic!("{}: sample does not fit: {e}", info.name));
                let known = codec::current_schema(info.name).expect("registered");
                [&[0xC3, 0x01][..], &known.fingerprint, &datum].concat()
            };
            // given bytes written with the schema file, when decoded into the Rust type
            let event = decode(info.name, &bytes).unwrap_or_else(|e| panic!("{}: {e}", info.name));
            assert_eq!(event.event_type(), info.name);
            assert_eq!(event.schema_version(), info.schema_version);
            // then encoding the Rust value again gives the very same bytes
            assert_eq!(encode(&event).expect("encodes"), bytes, "{} seed {seed}", info.name);
            assert_eq!(codec::decode_self_describing(&bytes).expect("self-describing"), event);
        }
    }
}

const V1_FIXTURE: &str = "fixtures/project.created.v1.bin";

#[test]
fn bytes_written_under_project_created_v1_still_read() {
    let path = schema_dir().join(V1_FIXTURE);
    if blessing() {
        let v1 =
            Schema::parse_str(include_str!("../../schema/avro/history/project.created.v1.avsc")).expect("v1 parses");
        let value = Value::Record(vec![
            ("project_id".into(), Value::String("p-1".into())),
            ("organization_id".into(), Value::String("o-1".into())),
            ("slug".into(), Value::String("blog".into())),
            ("name".into(), Value::String("Blog".into())),
            ("framework".into(), Value::Union(1, Box::new(Value::String("vite".into())))),
        ]);
        let datum = apache_avro::to_avro_datum(&v1, value).expect("v1 datum");
        let fingerprint = v1.fingerprint::<apache_avro::rabin::Rabin>().bytes;
        std::fs::write(&path, [&[0xC3, 0x01][..], &fingerprint, &datum].concat()).expect("write");
    }
    // given bytes a version-1 writer committed, without production_branch
    let bytes = std::fs::read(&path).expect("fixture committed");
    let writer = codec::writer_schema(&bytes).expect("fingerprint of a known schema");
    assert_eq!((writer.event_type, writer.schema_version), ("project.created", 1));
    // when read under the current schema, then the new field takes its default
    let event = decode("project.created", &bytes).expect("v1 resolves to v2");
    assert_eq!(
        event,
        Event::ProjectCreated(ProjectCreated {
            project_id: "p-1".into(),
            organization_id: "o-1".into(),
            slug: "blog".into(),
            name: "Blog".into(),
            framework: Some("vite".into()),
            production_branch: "main".into(),
        })
    );
}

#[test]
fn bad_bytes_are_clear_errors_not_panics() {
    let good = encode(&Event::ProjectCreated(ProjectCreated {
        project_id: "p".into(),
        organization_id: "o".into(),
        slug: "s".into(),
        name: "n".into(),
        framework: None,
        production_branch: "main".into(),
    }))
    .expect("encodes");
    assert_eq!(decode("project.created", b"{\"json\":1}"), Err(CodecError::NotSingleObject));
    assert!(matches!(decode("no.such", &good), Err(CodecError::UnknownEventType(_))));
    assert!(matches!(decode("deployment.ready", &good), Err(CodecError::TypeMismatch { .. })));
    let mut unknown = good.clone();
    unknown[5] ^= 0xff;
    assert!(matches!(decode("project.created", &unknown), Err(CodecError::UnknownSchema(_))));
    // every truncation and every flipped byte is an error or a value, never a panic
    for cut in 0..good.len() {
        let _ = decode("project.created", &good[..cut]);
    }
    assert!(matches!(decode("project.created", &good[..good.len() - 1]), Err(CodecError::Invalid { .. })));
    let mut trailing = good.clone();
    trailing.push(0);
    assert!(matches!(decode("project.created", &trailing), Err(CodecError::Invalid { .. })));
    for i in 10..good.len() {
        let mut flipped = good.clone();
        flipped[i] = 0xff;
        let _ = decode("project.created", &flipped);
    }
}

#[test]
fn plan_changed_written_under_v1_reads_with_no_terms() {
    // given a version-1 writer's bytes (before Enterprise terms existed)
    let v1 = Schema::parse_str(include_str!("../../schema/avro/history/billing.plan_changed.v1.avsc")).expect("v1");
    let value = Value::Record(vec![
        ("organization_id".into(), Value::String("o-1".into())),
        ("from_plan".into(), Value::String("free".into())),
        ("to_plan".into(), Value::String("pro".into())),
    ]);
    let datum = apache_avro::to_avro_datum(&v1, value).expect("v1 datum");
    let fingerprint = v1.fingerprint::<apache_avro::rabin::Rabin>().bytes;
    let bytes = [&[0xC3, 0x01][..], &fingerprint, &datum].concat();
    // when read now, then the terms are null
    let Event::PlanChanged(event) = decode("billing.plan_changed", &bytes).expect("v1 resolves to v2") else {
        panic!("not a plan change")
    };
    assert_eq!((event.to_plan.as_str(), event.price_cents, event.builds_per_month), ("pro", None, None));
}

#[test]
fn push_received_written_under_v1_reads_with_no_delivery() {
    // given a version-1 writer's bytes (before deliveries were deduplicated)
    let v1 = Schema::parse_str(include_str!("../../schema/avro/history/source.push_received.v1.avsc")).expect("v1");
    let value = Value::Record(vec![
        ("project_id".into(), Value::String("p-1".into())),
        ("repository".into(), Value::String("https://example.com/r.git".into())),
        ("branch".into(), Value::String("main".into())),
        ("commit_sha".into(), Value::String("a".repeat(40))),
        ("pusher".into(), Value::String("octocat".into())),
        ("signature_valid".into(), Value::Boolean(false)),
    ]);
    let datum = apache_avro::to_avro_datum(&v1, value).expect("v1 datum");
    let fingerprint = v1.fingerprint::<apache_avro::rabin::Rabin>().bytes;
    let bytes = [&[0xC3, 0x01][..], &fingerprint, &datum].concat();
    // when read now, then the delivery and the push time take their defaults
    let Event::PushReceived(event) = decode("source.push_received", &bytes).expect("v1 resolves to v2") else {
        panic!("not a push")
    };
    assert_eq!((event.delivery_id.as_str(), event.pushed_at, event.branch.as_str()), ("", 0, "main"));
}

#[test]
fn every_field_that_looks_secret_is_declared_masked_or_said_safe() {
    let looks_secret = |name: &str| {
        ["secret", "password", "sealed", "token", "hash", "sha", "key", "credential", "signature", "private"]
            .iter()
            .any(|word| name.contains(word))
    };
    let mut undeclared = Vec::new();
    for info in EVENT_TYPES {
        let schema = Schema::parse_str(info.schema_json).expect("schema parses");
        let Schema::Record(RecordSchema { fields, .. }) = schema else { continue };
        for field in fields {
            let masked = clouddeck_events::sensitive_fields(info.name).contains(&field.name.as_str());
            let safe = clouddeck_events::sensitive::NOT_SENSITIVE.iter().any(|(name, _)| *name == field.name);
            if looks_secret(&field.name) && !masked && !safe {
                undeclared.push(format!("{}.{}", info.name, field.name));
            }
        }
    }
    assert!(undeclared.is_empty(), "declare these in events/src/sensitive.rs: {undeclared:?}");
    // and a declared field is masked in what people see
    let shown = clouddeck_events::masked(
        "project.git_connected",
        serde_json::json!({ "project_id": "p", "sealed_webhook_secret": "v1:abc", "repository_url": "https://x" }),
    );
    assert_eq!(shown["sealed_webhook_secret"], clouddeck_events::sensitive::MASK);
    assert_eq!(shown["repository_url"], "https://x");
}
