//! Accounts a stranger might try to take over or probe: an invitation is accepted only with
//! its link or by the verified owner of its address; registration and login do not reveal
//! whether an address has an account. With a real SMTP server (aiosmtpd, a sink) for the
//! verification and invitation mail, and without one (CloudDeck's open mode).
#![allow(clippy::unwrap_used)]

mod api {
    pub mod harness;
}

use api::harness::{App, Backend, spawn_app, spawn_configured};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const REGISTER: &str = "mutation($e: String!, $p: String!) { registerUser(email: $e, name: \"Someone\", password: $p) { token user { id } verificationSent } }";
const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
const INVITE: &str =
    "mutation($e: String!) { inviteMember(organization: \"acme\", email: $e, role: DEVELOPER) { id acceptToken } }";
const ACCEPT: &str = "mutation($i: String!, $t: String) { acceptInvitation(invitationId: $i, token: $t) { slug } }";

async fn invite(app: &App, owner: &str, email: &str) -> (String, String) {
    let invited = app.ok(Some(owner), INVITE, json!({ "e": email })).await;
    (
        invited["inviteMember"]["id"].as_str().unwrap().to_string(),
        invited["inviteMember"]["acceptToken"].as_str().unwrap().to_string(),
    )
}

/// The median time of `n` logins.
async fn login_time(app: &App, email: &str, password: &str, n: usize) -> Duration {
    let mut times = Vec::new();
    for _ in 0..n {
        let started = Instant::now();
        let (_, body) = app.post(None, LOGIN, json!({ "e": email, "p": password })).await;
        times.push(started.elapsed());
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
    times.sort();
    times[n / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_mail_server_an_invitation_is_accepted_only_with_its_link() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    let owner = app.owner_of_acme("owner@example.com", Some("site")).await;
    let (id, token) = invite(&app, &owner, "bob@example.com").await;
    // the invitation's token is in the inviter's answer once, and nowhere after
    let listed =
        app.ok(Some(&owner), "{ organization(slug: \"acme\") { invitations { id acceptToken } } }", json!({})).await;
    assert_eq!(listed["organization"]["invitations"][0]["acceptToken"], Value::Null, "{listed}");
    // given a stranger registered the invited address (nothing proves they own it)
    let (squatter, _) = app.register("bob@example.com").await;
    // when they accept without the link, then they are refused
    let (_, answer) = app.post(Some(&squatter), ACCEPT, json!({ "i": id })).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "FORBIDDEN", "{answer}");
    // and with a guessed token too
    let (_, answer) = app.post(Some(&squatter), ACCEPT, json!({ "i": id, "t": "cdi_guess" })).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "FORBIDDEN", "{answer}");
    // while the holder of the link joins, once
    let (invitee, _) = app.register("bob.personal@example.com").await;
    app.ok(Some(&invitee), ACCEPT, json!({ "i": id, "t": token })).await;
    let (_, again) = app.post(Some(&squatter), ACCEPT, json!({ "i": id, "t": token })).await;
    assert_eq!(again["errors"][0]["extensions"]["code"], "CONFLICT", "{again}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_takes_as_long_for_an_unknown_address_as_for_a_wrong_password() {
    let app = spawn_app(Backend::Sqlite, 10_000.0, 10_000).await;
    app.register("known@example.com").await;
    let (_, unknown) = app.post(None, LOGIN, json!({ "e": "nobody@example.com", "p": "correct horse battery" })).await;
    let (_, wrong) = app.post(None, LOGIN, json!({ "e": "known@example.com", "p": "wrong horse battery" })).await;
    assert_eq!(unknown["errors"][0]["message"], wrong["errors"][0]["message"]);
    // an unknown address is checked against a decoy hash: it costs what a real check costs
    // (before, it answered in a fraction of a millisecond against ~50 ms)
    let known = login_time(&app, "known@example.com", "wrong horse battery", 7).await;
    let stranger = login_time(&app, "nobody@example.com", "wrong horse battery", 7).await;
    assert!(stranger * 2 > known, "unknown address {stranger:?} vs known {known:?}");
    app.stop().await;
}

/// A message's text with quoted-printable undone (soft line breaks joined, `=XX` decoded).
fn text_of(mail: &str) -> String {
    let joined = mail.replace("=\r\n", "").replace("=\n", "");
    let mut out = String::new();
    let mut rest = joined.as_str();
    while let Some(at) = rest.find('=') {
        out.push_str(&rest[..at]);
        match rest.get(at + 1..at + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
            Some(byte) => {
                out.push(byte as char);
                rest = &rest[at + 3..];
            }
            None => {
                out.push('=');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn token_in(mail: &str, prefix: &str) -> String {
    let mail = text_of(mail);
    let start = mail.find(prefix).unwrap_or_else(|| panic!("no {prefix} in {mail}"));
    mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || "._-".contains(*c)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_mail_server_addresses_are_proven_and_never_revealed() {
    let sink = clouddeck_testkit::SmtpSink::start();
    let url = sink.url();
    let app = spawn_configured(Backend::Sqlite, |config| {
        config.smtp_url = Some(url);
        config.public_url = Some("https://deploy.example.test".into());
    })
    .await;
    let password = "correct horse battery";
    // registering a new address and one that is taken answer alike
    let first = app.ok(None, REGISTER, json!({ "e": "alice@example.com", "p": password })).await;
    let again = app.ok(None, REGISTER, json!({ "e": "alice@example.com", "p": "another password!!" })).await;
    assert_eq!(first, again);
    assert_eq!(first["registerUser"], json!({ "token": null, "user": null, "verificationSent": true }));
    // the address gets a link, then a note that it has an account (and no second link)
    let mail = sink.wait_for("alice@example.com", 2);
    assert_eq!(mail.len(), 2, "{mail:?}");
    let mail: Vec<String> = mail.iter().map(|m| text_of(m)).collect();
    let link = mail.iter().find(|m| m.contains("verify-email")).unwrap();
    assert!(link.contains("https://deploy.example.test/verify-email?token=cdv."), "{link}");
    assert!(mail.iter().any(|m| m.contains("already has one")), "{mail:?}");
    // before the link is followed, signing in fails as a wrong password does
    let (_, refused) = app.post(None, LOGIN, json!({ "e": "alice@example.com", "p": password })).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    // a forged or wrong token does nothing
    for forged in ["cdv.x.y", "nonsense", &format!("cdv.{}.v_forged", uuid::Uuid::new_v4())] {
        let (_, answer) =
            app.post(None, "mutation($t: String!) { verifyEmail(token: $t) { token } }", json!({ "t": forged })).await;
        assert_eq!(answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{forged}: {answer}");
    }
    // following the link signs in, and then the password works
    let token = token_in(link, "cdv.");
    let verified =
        app.ok(None, "mutation($t: String!) { verifyEmail(token: $t) { token } }", json!({ "t": token })).await;
    let alice = verified["verifyEmail"]["token"].as_str().unwrap().to_string();
    app.ok(None, LOGIN, json!({ "e": "alice@example.com", "p": password })).await;

    // alice owns acme and invites two addresses; the invitations are mailed
    app.ok(Some(&alice), "mutation { createOrganization(slug: \"acme\", name: \"Acme\") { id } }", json!({})).await;
    let (bob_invitation, _) = invite(&app, &alice, "bob@example.com").await;
    let (carol_invitation, _) = invite(&app, &alice, "carol@example.com").await;
    let invitation_mail: Vec<String> = sink.wait_for("carol@example.com", 1).iter().map(|m| text_of(m)).collect();
    assert!(invitation_mail[0].contains(&format!("/invitations/{carol_invitation}?token=cdi_")), "{invitation_mail:?}");
    // bob registers and verifies his address: he may accept without the link
    app.ok(None, REGISTER, json!({ "e": "bob@example.com", "p": password })).await;
    let bob_link = sink.wait_for("bob@example.com", 2).into_iter().find(|m| m.contains("verify-email")).unwrap();
    let bob = app
        .ok(
            None,
            "mutation($t: String!) { verifyEmail(token: $t) { token } }",
            json!({ "t": token_in(&bob_link, "cdv.") }),
        )
        .await["verifyEmail"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    app.ok(Some(&bob), ACCEPT, json!({ "i": bob_invitation })).await;
    // carol accepts through the link she was sent
    app.ok(None, REGISTER, json!({ "e": "carol@example.com", "p": password })).await;
    let carol_link = sink.wait_for("carol@example.com", 2).into_iter().find(|m| m.contains("verify-email")).unwrap();
    let carol = app
        .ok(
            None,
            "mutation($t: String!) { verifyEmail(token: $t) { token } }",
            json!({ "t": token_in(&carol_link, "cdv.") }),
        )
        .await["verifyEmail"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let carol_token = token_in(&invitation_mail[0], "cdi_");
    app.ok(Some(&carol), ACCEPT, json!({ "i": carol_invitation, "t": carol_token })).await;
    let members =
        app.ok(Some(&alice), "{ organization(slug: \"acme\") { members { user { email } } } }", json!({})).await;
    assert_eq!(members["organization"]["members"].as_array().unwrap().len(), 3, "{members}");
    app.stop().await;
}
