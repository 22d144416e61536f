//! Mutations: each sends one command to the command handler, which decides and enforces
//! roles; then waits for the read models to show the write before answering.

use crate::access::{self, principal};
use crate::auth::{Principal, SESSION_PREFIX, TOKEN_PREFIX};
use crate::error::{UNAUTHENTICATED, bad_input, coded, db, domain, internal, not_found};
use crate::lookup;
use crate::state::now_ms;
use crate::state::{iso, state};
use crate::types::*;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use clouddeck_artifacts::{FileEntry, Manifest, normalize_path};
use clouddeck_command_handlers::deployment::{DeploymentCommand, RequestDeployment};
use clouddeck_command_handlers::organization::OrganizationCommand as Org;
use clouddeck_command_handlers::project::ProjectCommand;
use clouddeck_command_handlers::user::{User as UserAggregate, UserCommand, user_id_for};
use clouddeck_command_handlers::{DomainError, Outcome};
use clouddeck_events::{Actor, ProjectSettingsChanged, Provenance, Target};
use clouddeck_projections::queries;
use clouddeck_secrets::{hash_password, new_secret, sha256_hex, verify_password};
use uuid::Uuid;

#[derive(Default)]
pub struct MutationRoot;

const MAX_ENV_VALUE: usize = 64 * 1024;

#[derive(SimpleObject)]
pub struct Session {
    /// The bearer token for this session: shown once.
    pub token: String,
    pub user: User,
}

/// What registering answers: with a mail server, only that a link was sent (whatever the
/// address); without one, the new account's session.
#[derive(SimpleObject)]
pub struct Registration {
    /// The bearer token of the new session (shown once); null until the address is verified.
    pub token: Option<String>,
    pub user: Option<User>,
    /// A link went to the address: follow it (`verifyEmail`) to sign in.
    pub verification_sent: bool,
}

/// Email verification tokens: `cdv.<user id>.<secret>`.
const VERIFICATION_PREFIX: &str = "cdv";
/// Invitation tokens.
const INVITATION_PREFIX: &str = "cdi";

#[derive(SimpleObject)]
pub struct GitConnection {
    /// Where GitHub sends push events (append it to this API's address).
    pub webhook_path: String,
    /// The webhook's secret: shown once, stored sealed.
    pub secret: String,
}

#[derive(SimpleObject)]
pub struct CreatedApiToken {
    pub token: ApiToken,
    /// The secret: shown once, stored only as a hash.
    pub secret: String,
}

/// A file of a deployment: its path in the site and the blob already uploaded for it.
#[derive(InputObject, serde::Deserialize)]
pub struct DeployFileInput {
    pub path: String,
    pub sha256: String,
    pub size: i64,
}

/// The most files one deployment may hold.
const MAX_FILES: usize = 100_000;
/// The largest file list (`fileList`) read, in bytes.
const MAX_FILE_LIST_BYTES: u64 = 64 << 20;
/// The most blobs a file list may be split into.
const MAX_FILE_LIST_PARTS: usize = 1_000;

#[derive(InputObject, Default)]
pub struct ProjectSettingsInput {
    pub name: Option<String>,
    pub framework: Option<String>,
    pub install_command: Option<String>,
    pub build_command: Option<String>,
    pub output_directory: Option<String>,
    pub root_directory: Option<String>,
    pub production_branch: Option<String>,
}

/// `provenance` with the request's correlation id when it has one (a keyed request), so that
/// a takeover of its Idempotency-Key can find what this request wrote.
/// Errors: the request is keyed and this process is fenced (it could not write its heartbeat
/// lately, so another may take its claims over): `INTERNAL`, nothing written, retry.
fn correlated(ctx: &Context<'_>, mut provenance: Provenance) -> Result<Provenance> {
    if let Some(correlation) = ctx.data_opt::<crate::idempotency::RequestCorrelation>() {
        if correlation.1.fenced() {
            return Err(internal("this API process cannot reach its database lately; retry the request"));
        }
        provenance.correlation_id = correlation.0;
    }
    Ok(provenance)
}

/// Sends a command through `run`, then waits for the read models to catch up.
pub(crate) async fn apply<F, Fut>(ctx: &Context<'_>, run: F) -> Result<Outcome>
where
    F: FnOnce(Provenance) -> Fut,
    Fut: Future<Output = Result<Outcome, clouddeck_command_handlers::DomainError>>,
{
    let provenance = correlated(ctx, principal(ctx).provenance()?)?;
    let outcome = run(provenance).await.map_err(domain)?;
    state(ctx).caught_up(outcome).await?;
    Ok(outcome)
}

/// Requests a deployment of a project and answers with it once the read models show it.
async fn request_deployment(ctx: &Context<'_>, project_id: &str, request: RequestDeployment) -> Result<Deployment> {
    let deployment_id = request.deployment_id.clone();
    apply(ctx, |p| async move { state(ctx).handler.request_deployment(project_id, request, &p, now_ms()).await })
        .await?;
    Deployment::load(&state(ctx).read_db, &deployment_id)
        .await?
        .ok_or_else(|| internal("deployment missing from read models"))
}

async fn load_user(ctx: &Context<'_>, user_id: &str) -> Result<User> {
    let found: Option<User> = queries::identity::user(&state(ctx).read_db, user_id).await.map_err(db)?;
    found.ok_or_else(|| internal("user missing from read models"))
}

async fn start_session(ctx: &Context<'_>, user_id: &str) -> Result<Session> {
    let token = new_secret(SESSION_PREFIX);
    let command =
        UserCommand::StartSession { session_id: Uuid::now_v7().to_string(), secret_sha256: sha256_hex(&token) };
    let provenance = correlated(ctx, Provenance::new(Actor::User(user_id.to_string())))?;
    let outcome = state(ctx).handler.user(user_id, command, &provenance, now_ms()).await.map_err(domain)?;
    state(ctx).caught_up(outcome).await?;
    Ok(Session { token, user: load_user(ctx, user_id).await? })
}

fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < 10 || password.len() > 256 {
        return Err(bad_input("password", "must be 10 to 256 characters"));
    }
    Ok(())
}

#[Object]
impl MutationRoot {
    /// Creates an account. Without a mail server (see mail.rs) it is signed in at once and the
    /// answer carries its session. With one, the answer is the same whether or not the address
    /// is taken (`verificationSent`, no session): a link goes to the address (a new account's
    /// verification, or a note that it has one), and `verifyEmail` with that link's token
    /// signs in.
    async fn register_user(
        &self,
        ctx: &Context<'_>,
        email: String,
        name: String,
        password: String,
    ) -> Result<Registration> {
        check_password(&password)?;
        let user_id = user_id_for(&email);
        let hash =
            tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(internal)?.map_err(internal)?;
        let command =
            UserCommand::Register { user_id: user_id.clone(), email: email.clone(), name, password_hash: Some(hash) };
        let provenance = correlated(ctx, Provenance::new(Actor::User(user_id.clone())))?;
        let registered = state(ctx).handler.user(&user_id, command, &provenance, now_ms()).await;
        let Some(mailer) = state(ctx).mailer.clone() else {
            state(ctx).caught_up(registered.map_err(domain)?).await?;
            let session = start_session(ctx, &user_id).await?;
            return Ok(Registration { token: Some(session.token), user: Some(session.user), verification_sent: false });
        };
        match registered {
            Ok(_) => {
                // In the background, like the mail for a taken address: the answer takes as long.
                let api = state(ctx).clone();
                tokio::spawn(async move {
                    let token = format!("{VERIFICATION_PREFIX}.{user_id}.{}", new_secret("v"));
                    let command = UserCommand::SendEmailVerification { secret_sha256: sha256_hex(&token) };
                    if let Err(e) = api.handler.user(&user_id, command, &provenance, now_ms()).await {
                        tracing::warn!(error = %e, "recording a verification link");
                        return;
                    }
                    let link = format!("{}/verify-email?token={token}", mailer.public_url);
                    mailer.send(
                        &email,
                        "Confirm your CloudDeck account",
                        format!(
                            "Follow this link to confirm your address and sign in:\n\n{link}\n\n\
                             (or send the mutation verifyEmail(token: \"{token}\")). It works for 24 hours.\n"
                        ),
                    );
                });
            }
            Err(DomainError::AlreadyExists(_)) => mailer.send(
                &email,
                "Your CloudDeck account",
                "Someone tried to create a CloudDeck account with this address, which already has one. \
                 If it was you, sign in instead; if not, nothing changed.\n"
                    .into(),
            ),
            Err(e) => return Err(domain(e)),
        }
        Ok(Registration { token: None, user: None, verification_sent: true })
    }

    /// Proves the account controls its address with the token of the link sent there, and
    /// signs in.
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> Result<Session> {
        let refused = || coded(UNAUTHENTICATED, "the verification link is wrong or has expired");
        let mut parts = token.splitn(3, '.');
        let (Some(VERIFICATION_PREFIX), Some(user_id), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(refused());
        };
        if Uuid::parse_str(user_id).is_err() {
            return Err(refused());
        }
        let command = UserCommand::VerifyEmail { secret_sha256: sha256_hex(&token) };
        let provenance = correlated(ctx, Provenance::new(Actor::User(user_id.to_string())))?;
        let outcome = match state(ctx).handler.user(user_id, command, &provenance, now_ms()).await {
            Ok(outcome) => outcome,
            Err(DomainError::Forbidden(_) | DomainError::NotFound { .. }) => return Err(refused()),
            Err(e) => return Err(domain(e)),
        };
        state(ctx).caught_up(outcome).await?;
        start_session(ctx, user_id).await
    }

    /// Signs in with email and password. An unknown email, a wrong password and (with a mail
    /// server) an address not yet verified all get the same answer, in the same time: the
    /// password is checked against a hash either way.
    async fn login(&self, ctx: &Context<'_>, email: String, password: String) -> Result<Session> {
        let user_id = user_id_for(&email);
        let user = state(ctx).handler.state::<UserAggregate>(&user_id).await.map_err(domain)?;
        let hash = user.password_hash.clone().unwrap_or_else(|| clouddeck_secrets::DECOY_PASSWORD_HASH.clone());
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.map_err(internal)?;
        let verified = user.email_verified || state(ctx).mailer.is_none();
        if !ok || user.id.is_none() || user.password_hash.is_none() || !verified {
            return Err(coded(UNAUTHENTICATED, "wrong email or password (or the address is not verified yet)"));
        }
        start_session(ctx, &user_id).await
    }

    /// Signs the calling session out: its token stops working once this answers. True when a
    /// session ended; false when the request came with an API token (revoke it instead).
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let (user_id, session) = match principal(ctx) {
            Principal::User { user_id, session } => (user_id, session),
            Principal::Token { .. } => return Ok(false),
            Principal::Anonymous => return Err(crate::error::unauthenticated()),
        };
        let command = UserCommand::EndSession { secret_sha256: session.clone() };
        let provenance = correlated(ctx, Provenance::new(Actor::User(user_id.clone())))?;
        let outcome = state(ctx).handler.user(user_id, command, &provenance, now_ms()).await.map_err(domain)?;
        state(ctx).caught_up(outcome).await?;
        Ok(true)
    }

    async fn create_organization(&self, ctx: &Context<'_>, slug: String, name: String) -> Result<Organization> {
        let id = Uuid::now_v7().to_string();
        let command = Org::Create { organization_id: id.clone(), slug: slug.clone(), name };
        apply(ctx, |p| async move { state(ctx).handler.organization(&id, command, &p, now_ms()).await }).await?;
        lookup::organization(ctx, &slug).await
    }

    /// Invites `email`. The answer's `acceptToken` (shown once, and mailed to the address when
    /// a mail server is configured) accepts it: pass it on to the invitee. Without it, only the
    /// verified owner of the address can accept.
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        organization: String,
        email: String,
        role: Role,
    ) -> Result<Invitation> {
        let org = lookup::organization(ctx, &organization).await?;
        let id = Uuid::now_v7().to_string();
        let token = new_secret(INVITATION_PREFIX);
        let command = Org::InviteMember {
            invitation_id: id.clone(),
            email: email.clone(),
            role: role.as_str().into(),
            secret_sha256: sha256_hex(&token),
        };
        let org_id = org.id.clone();
        apply(ctx, |p| async move { state(ctx).handler.organization(&org_id, command, &p, now_ms()).await }).await?;
        if let Some(mailer) = &state(ctx).mailer {
            let link = format!("{}/invitations/{id}?token={token}", mailer.public_url);
            mailer.send(
                &email,
                &format!("You are invited to {} on CloudDeck", org.name),
                format!(
                    "You are invited to join {} as {}. Sign in (or create an account) and follow:\n\n{link}\n\n\
                     (or send the mutation acceptInvitation(invitationId: \"{id}\", token: \"{token}\")). \
                     It works for 7 days.\n",
                    org.name,
                    role.as_str()
                ),
            );
        }
        let mut invitation: Invitation = queries::identity::invitation(&state(ctx).read_db, &id)
            .await
            .map_err(db)?
            .ok_or_else(|| internal("invitation missing from read models"))?;
        invitation.accept_token = Some(token);
        Ok(invitation)
    }

    /// Joins the organization the invitation is for: with the invitation's `token` (from its
    /// link), or as the verified owner of the address it was sent to.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        invitation_id: String,
        token: Option<String>,
    ) -> Result<Organization> {
        let Principal::User { user_id, .. } = principal(ctx).clone() else {
            return Err(coded(UNAUTHENTICATED, "invitations are accepted by signed-in users"));
        };
        let found =
            queries::identity::invitation_organization(&state(ctx).read_db, &invitation_id).await.map_err(db)?;
        let org_id = found.ok_or_else(|| not_found(&format!("invitation `{invitation_id}`")))?;
        let user = state(ctx).handler.state::<UserAggregate>(&user_id).await.map_err(domain)?;
        let command = Org::AcceptInvitation {
            invitation_id,
            user_id,
            email: user.email,
            email_verified: user.email_verified,
            secret_sha256: token.as_deref().map(sha256_hex),
        };
        let target = org_id.clone();
        apply(ctx, |p| async move { state(ctx).handler.organization(&target, command, &p, now_ms()).await }).await?;
        queries::identity::organization(&state(ctx).read_db, &org_id)
            .await
            .map_err(db)?
            .ok_or_else(|| internal("organization missing from read models"))
    }

    async fn change_member_role(
        &self,
        ctx: &Context<'_>,
        organization: String,
        user_id: String,
        role: Role,
    ) -> Result<Organization> {
        let org = lookup::organization(ctx, &organization).await?;
        let command = Org::ChangeMemberRole { user_id, role: role.as_str().into() };
        let id = org.id.clone();
        apply(ctx, |p| async move { state(ctx).handler.organization(&id, command, &p, now_ms()).await }).await?;
        Ok(org)
    }

    async fn remove_member(&self, ctx: &Context<'_>, organization: String, user_id: String) -> Result<bool> {
        let org = lookup::organization(ctx, &organization).await?;
        let command = Org::RemoveMember { user_id };
        apply(ctx, |p| async move { state(ctx).handler.organization(&org.id, command, &p, now_ms()).await }).await?;
        Ok(true)
    }

    /// The secret is in the answer once; only its hash is kept.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        organization: String,
        name: String,
        role: Role,
        expires_in_days: Option<i32>,
    ) -> Result<CreatedApiToken> {
        let org = lookup::organization(ctx, &organization).await?;
        if expires_in_days.is_some_and(|d| !(1..=3650).contains(&d)) {
            return Err(bad_input("expiresInDays", "must be between 1 and 3650"));
        }
        let secret = new_secret(TOKEN_PREFIX);
        let token_id = Uuid::now_v7().to_string();
        let now = now_ms();
        let command = Org::IssueApiToken {
            token_id: token_id.clone(),
            name,
            role: role.as_str().into(),
            secret_sha256: sha256_hex(&secret),
            expires_at: expires_in_days.map(|d| now + i64::from(d) * 86_400_000),
        };
        apply(ctx, |p| async move { state(ctx).handler.organization(&org.id, command, &p, now).await }).await?;
        let token = queries::identity::api_token(&state(ctx).read_db, &token_id)
            .await
            .map_err(db)?
            .ok_or_else(|| internal("token missing from read models"))?;
        Ok(CreatedApiToken { token, secret })
    }

    async fn revoke_api_token(&self, ctx: &Context<'_>, organization: String, token_id: String) -> Result<ApiToken> {
        let org = lookup::organization(ctx, &organization).await?;
        let command = Org::RevokeApiToken { token_id: token_id.clone() };
        apply(ctx, |p| async move { state(ctx).handler.organization(&org.id, command, &p, now_ms()).await }).await?;
        queries::identity::api_token(&state(ctx).read_db, &token_id)
            .await
            .map_err(db)?
            .ok_or_else(|| not_found(&format!("token `{token_id}`")))
    }

    async fn create_project(
        &self,
        ctx: &Context<'_>,
        organization: String,
        slug: String,
        name: String,
        framework: Option<String>,
        production_branch: Option<String>,
    ) -> Result<Project> {
        let org = lookup::organization(ctx, &organization).await?;
        let command = ProjectCommand::Create {
            project_id: Uuid::now_v7().to_string(),
            organization_id: org.id,
            slug: slug.clone(),
            name,
            framework,
            production_branch,
        };
        apply(ctx, |p| async move { state(ctx).handler.create_project(command, &p, now_ms()).await }).await?;
        lookup::project(ctx, &organization, &slug).await
    }

    async fn update_project_settings(
        &self,
        ctx: &Context<'_>,
        organization: String,
        project: String,
        settings: ProjectSettingsInput,
    ) -> Result<Project> {
        let found = lookup::project(ctx, &organization, &project).await?;
        let change = ProjectSettingsChanged {
            project_id: found.id.clone(),
            name: settings.name,
            framework: settings.framework,
            install_command: settings.install_command,
            build_command: settings.build_command,
            output_directory: settings.output_directory,
            root_directory: settings.root_directory,
            production_branch: settings.production_branch,
        };
        let command = ProjectCommand::ChangeSettings(change);
        apply(ctx, |p| async move { state(ctx).handler.project(&found.id, command, &p, now_ms()).await }).await?;
        lookup::project(ctx, &organization, &project).await
    }

    async fn delete_project(&self, ctx: &Context<'_>, organization: String, project: String) -> Result<bool> {
        let found = lookup::project(ctx, &organization, &project).await?;
        apply(
            ctx,
            |p| async move { state(ctx).handler.project(&found.id, ProjectCommand::Delete, &p, now_ms()).await },
        )
        .await?;
        Ok(true)
    }

    /// The value is sealed (AES-256-GCM) before it enters the log; no query returns it.
    async fn set_env_var(
        &self,
        ctx: &Context<'_>,
        organization: String,
        project: String,
        key: String,
        value: String,
        target: EnvTarget,
    ) -> Result<EnvVar> {
        let found = lookup::project(ctx, &organization, &project).await?;
        if value.len() > MAX_ENV_VALUE {
            return Err(bad_input("value", format!("must be at most {MAX_ENV_VALUE} bytes")));
        }
        let sealed_value = state(ctx).sealer.seal(&value).map_err(internal)?;
        let command = ProjectCommand::SetEnvVar { key: key.clone(), target: target.as_str().into(), sealed_value };
        apply(ctx, |p| async move { state(ctx).handler.project(&found.id, command, &p, now_ms()).await }).await?;
        Ok(EnvVar { key, target: target.as_str().into(), value: MASK.into(), updated_at: iso(now_ms(), false) })
    }

    async fn remove_env_var(
        &self,
        ctx: &Context<'_>,
        organization: String,
        project: String,
        key: String,
        target: EnvTarget,
    ) -> Result<bool> {
        let found = lookup::project(ctx, &organization, &project).await?;
        let command = ProjectCommand::RemoveEnvVar { key, target: target.as_str().into() };
        apply(ctx, |p| async move { state(ctx).handler.project(&found.id, command, &p, now_ms()).await }).await?;
        Ok(true)
    }

    /// Asks for a deployment of an upload or a git ref; the deploy pipeline picks it up.
    #[allow(clippy::too_many_arguments)]
    async fn request_deployment(
        &self,
        ctx: &Context<'_>,
        organization: String,
        project: String,
        target: DeployTarget,
        source_kind: String,
        source_ref: String,
        commit_sha: Option<String>,
        prebuilt: Option<bool>,
    ) -> Result<Deployment> {
        let found = lookup::project(ctx, &organization, &project).await?;
        // A manifest (a SHA-256) can be deployed by name only if one of the organization's own
        // deployments used it: another organization's is as unknown here as one that never
        // existed. (Anything else names no content: its deployment fails as incomplete.)
        access::require_role(ctx, &found.organization_id, clouddeck_command_handlers::Role::Developer, "deploying")
            .await?;
        if clouddeck_artifacts::check_hash(&source_ref).is_ok() {
            let read_db = &state(ctx).read_db;
            let owns = clouddeck_projections::uploads::owns_manifest(read_db, &found.organization_id, &source_ref)
                .await
                .map_err(db)?;
            if !owns {
                return Err(bad_input("sourceRef", format!("no deployment of `{organization}` used `{source_ref}`")));
            }
        }
        let request = RequestDeployment {
            deployment_id: Uuid::now_v7().to_string(),
            target: clouddeck_events::Target::from(target).as_str().into(),
            source_kind,
            source_ref,
            commit_sha,
            prebuilt: prebuilt.unwrap_or(false),
        };
        request_deployment(ctx, &found.id, request).await
    }

    /// Deploys a site, prebuilt or to be built, from blobs uploaded before (`POST /v1/blobs/missing`, then
    /// `PUT /v1/blobs/{sha256}` for each missing one). With `production`, it is promoted once
    /// ready. The files are listed in `files`, or, for large sites (a GraphQL request is at
    /// most 256 KiB), in `fileList`: the SHA-256s of uploaded blobs, each holding part of the
    /// list as JSON (`[{"path", "sha256", "size"}]`), concatenated in order (parts keep each
    /// blob under the server's per-file limit; one hash is also accepted as a one-item list).
    /// At most 100,000 files.
    #[allow(clippy::too_many_arguments)]
    async fn deploy_files(
        &self,
        ctx: &Context<'_>,
        organization: String,
        project: String,
        files: Option<Vec<DeployFileInput>>,
        file_list: Option<Vec<String>>,
        production: Option<bool>,
        #[graphql(desc = "The files are the built site (default); false: build them first.", default = true)]
        prebuilt: bool,
    ) -> Result<Deployment> {
        let found = lookup::project(ctx, &organization, &project).await?;
        let api = state(ctx);
        let files = match (files, file_list) {
            (Some(files), None) => files,
            (None, Some(parts)) => {
                if parts.is_empty() || parts.len() > MAX_FILE_LIST_PARTS {
                    return Err(bad_input("fileList", format!("give 1 to {MAX_FILE_LIST_PARTS} blobs")));
                }
                let mut files = Vec::new();
                for part in &parts {
                    files.extend(read_file_list(ctx, &found.organization_id, part).await?);
                    if files.len() > MAX_FILES {
                        break;
                    }
                }
                files
            }
            _ => return Err(bad_input("files", "give the files either in `files` or in `fileList`")),
        };
        if files.is_empty() || files.len() > MAX_FILES {
            return Err(bad_input("files", format!("must list 1 to {MAX_FILES} files")));
        }
        let hashes: Vec<String> = files.iter().map(|f| f.sha256.clone()).collect();
        let sizes = api.artifacts.blob_sizes(&hashes).await.map_err(|e| bad_input("files", e))?;
        // The organization's own uploads only: another's blob is "not uploaded", as it is for
        // this organization (the store's deduplication stays invisible).
        let owned =
            clouddeck_projections::uploads::owned(&api.read_db, &found.organization_id, &hashes).await.map_err(db)?;
        let mut manifest = Manifest::default();
        for (file, stored) in files.into_iter().zip(sizes) {
            // (every hash was checked by `blob_sizes`)
            let path = normalize_path(&file.path).map_err(|e| bad_input("files", e))?;
            if file.size < 0 || file.size as u64 > api.max_file_bytes {
                return Err(bad_input(
                    "files",
                    format!("`{path}` claims {} bytes; the limit is {}", file.size, api.max_file_bytes),
                ));
            }
            let stored = stored.filter(|_| owned.contains(&file.sha256));
            match stored {
                Some(size) if size == file.size as u64 => {}
                Some(_) => {
                    return Err(bad_input(
                        "files",
                        format!("`{path}`: the uploaded blob's size differs from {}", file.size),
                    ));
                }
                None => return Err(bad_input("files", format!("`{path}`: blob {} was not uploaded", file.sha256))),
            }
            let entry = FileEntry::at(&path, file.sha256, file.size as u64);
            if manifest.files.insert(path.clone(), entry).is_some() {
                return Err(bad_input("files", format!("`{path}` is listed twice")));
            }
        }
        let manifest_sha256 = api.artifacts.put_manifest(&manifest).await.map_err(internal)?;
        let request = RequestDeployment {
            deployment_id: Uuid::now_v7().to_string(),
            target: if production.unwrap_or(false) { Target::Production } else { Target::Preview }.as_str().into(),
            source_kind: "upload".into(),
            source_ref: manifest_sha256,
            commit_sha: None,
            prebuilt,
        };
        request_deployment(ctx, &found.id, request).await
    }

    /// Follows a git repository: GitHub push events to the returned path deploy it.
    async fn connect_git_repository(
        &self,
        ctx: &Context<'_>,
        organization: String,
        project: String,
        repository_url: String,
    ) -> Result<GitConnection> {
        let found = lookup::project(ctx, &organization, &project).await?;
        // Refused now if it leads inside (checked again at every fetch: DNS can change).
        clouddeck_egress::resolve_url(&state(ctx).egress, &repository_url)
            .await
            .map_err(|e| bad_input("repositoryUrl", e.to_string()))?;
        let secret = new_secret("whsec");
        let sealed_secret = state(ctx).sealer.seal(&secret).map_err(internal)?;
        let command = ProjectCommand::ConnectGit { repository_url, sealed_secret };
        let id = found.id.clone();
        apply(ctx, |p| async move { state(ctx).handler.project(&id, command, &p, now_ms()).await }).await?;
        Ok(GitConnection { webhook_path: format!("/v1/hooks/github/{}", found.id), secret })
    }

    /// Changes the organization's plan (owner only). Enterprise takes its negotiated terms.
    async fn change_plan(
        &self,
        ctx: &Context<'_>,
        organization: String,
        plan: crate::billing::PlanName,
        terms: Option<crate::billing::EnterpriseTerms>,
    ) -> Result<crate::billing::PlanStatus> {
        let org = lookup::organization(ctx, &organization).await?;
        let command = clouddeck_command_handlers::billing::ChangePlan {
            organization_id: org.id.clone(),
            plan: plan.as_str().into(),
            terms: terms.map(Into::into),
        };
        apply(ctx, |p| async move { state(ctx).handler.change_plan(command, &p, now_ms()).await }).await?;
        crate::billing::subscription(ctx, &org.id).await
    }

    /// Makes a ready deployment production: the alias moves at once.
    async fn promote_deployment(&self, ctx: &Context<'_>, id: String) -> Result<Deployment> {
        let previous = visible_deployment(ctx, &id).await?;
        let command = DeploymentCommand::Promote { previous };
        let target = id.as_str();
        let outcome =
            apply(ctx, |p| async move { state(ctx).handler.deployment(target, command, &p, now_ms()).await }).await?;
        state(ctx).edges_serve(outcome.last_position).await;
        Deployment::load(&state(ctx).read_db, &id).await?.ok_or_else(|| internal("deployment missing"))
    }

    /// Points production back at an earlier ready deployment.
    async fn rollback_deployment(&self, ctx: &Context<'_>, id: String) -> Result<Deployment> {
        let from = visible_deployment(ctx, &id).await?;
        let command = DeploymentCommand::RollBack { from };
        let target = id.as_str();
        let outcome =
            apply(ctx, |p| async move { state(ctx).handler.deployment(target, command, &p, now_ms()).await }).await?;
        state(ctx).edges_serve(outcome.last_position).await;
        Deployment::load(&state(ctx).read_db, &id).await?.ok_or_else(|| internal("deployment missing"))
    }
}

/// One part of a file list the organization uploaded as a blob (`deployFiles(fileList:)`).
async fn read_file_list(ctx: &Context<'_>, organization_id: &str, hash: &str) -> Result<Vec<DeployFileInput>> {
    let api = state(ctx);
    clouddeck_artifacts::check_hash(hash).map_err(|e| bad_input("fileList", e))?;
    let owned =
        clouddeck_projections::uploads::owned(&api.read_db, organization_id, &[hash.to_string()]).await.map_err(db)?;
    let size = api.artifacts.blob_size(hash).await.map_err(internal)?;
    match size {
        Some(size) if owned.contains(hash) && size <= MAX_FILE_LIST_BYTES => {}
        Some(size) if size > MAX_FILE_LIST_BYTES => {
            return Err(bad_input("fileList", format!("the list is over {MAX_FILE_LIST_BYTES} bytes")));
        }
        _ => return Err(bad_input("fileList", format!("blob {hash} was not uploaded"))),
    }
    let path = api.artifacts.blob_file(hash).await.map_err(internal)?;
    let bytes = tokio::fs::read(path).await.map_err(internal)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| bad_input("fileList", format!("not a JSON list of {{\"path\", \"sha256\", \"size\"}}: {e}")))
}

/// Checks the caller may see the deployment; returns what its project serves in production now.
async fn visible_deployment(ctx: &Context<'_>, id: &str) -> Result<Option<String>> {
    let row = queries::deployments::organization_and_production(&state(ctx).read_db, id).await.map_err(db)?;
    match row {
        Some((org, production)) if access::can_see(ctx, &org).await? => Ok(production),
        _ => Err(not_found(&format!("deployment `{id}`"))),
    }
}
