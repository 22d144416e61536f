//! Identity and membership: users and their sessions, organizations, members, invitations and
//! API tokens (metadata and secret hashes, never secrets). Reads nothing of another area.

use crate::owners;
use clouddeck_command_handlers::organization::token_member;
use clouddeck_eventlog::RecordedEvent;
use clouddeck_events::Event;
use sqlx::AnyConnection;

/// Applies `event`'s effect on this area's tables (nothing for another area's event).
pub async fn apply(db: &mut AnyConnection, recorded: &RecordedEvent, event: &Event) -> Result<(), sqlx::Error> {
    let at = recorded.meta.recorded_at;
    let db = &mut *db;
    match event {
        Event::UserRegistered(e) => {
            sqlx::query("INSERT INTO rm_users (user_id, email, name, registered_at) VALUES ($1, $2, $3, $4)")
                .bind(&e.user_id)
                .bind(e.email.to_lowercase())
                .bind(&e.name)
                .bind(at)
                .execute(db)
                .await?;
        }
        Event::SessionStarted(e) => {
            sqlx::query("INSERT INTO rm_sessions (secret_sha256, session_id, user_id, started_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&e.secret_sha256).bind(&e.session_id).bind(&e.user_id).bind(at).bind(e.expires_at)
                    .execute(db).await?;
        }
        Event::SessionEnded(e) => {
            sqlx::query("DELETE FROM rm_sessions WHERE secret_sha256 = $1").bind(&e.secret_sha256).execute(db).await?;
        }
        Event::OrganizationCreated(e) => {
            owners::owner(&mut *db, &recorded.meta.stream_id, &e.organization_id).await?;
            sqlx::query("INSERT INTO rm_organizations (organization_id, slug, name, owner_user_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&e.organization_id).bind(&e.slug).bind(&e.name).bind(&e.owner_user_id).bind(at)
                    .execute(&mut *db).await?;
            sqlx::query(
                "INSERT INTO rm_members (organization_id, user_id, role, joined_at) VALUES ($1, $2, 'owner', $3)",
            )
            .bind(&e.organization_id)
            .bind(&e.owner_user_id)
            .bind(at)
            .execute(db)
            .await?;
        }
        Event::MemberInvited(e) => {
            sqlx::query("INSERT INTO rm_invitations (invitation_id, organization_id, email, role, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&e.invitation_id).bind(&e.organization_id).bind(&e.email).bind(&e.role).bind(&e.invited_by).bind(e.expires_at)
                    .execute(db).await?;
        }
        Event::MemberJoined(e) => {
            sqlx::query(
                "INSERT INTO rm_members (organization_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (organization_id, user_id) DO UPDATE SET role = excluded.role",
            )
            .bind(&e.organization_id)
            .bind(&e.user_id)
            .bind(&e.role)
            .bind(at)
            .execute(&mut *db)
            .await?;
            if let Some(invitation) = &e.invitation_id {
                sqlx::query("UPDATE rm_invitations SET accepted_by = $1 WHERE invitation_id = $2")
                    .bind(&e.user_id)
                    .bind(invitation)
                    .execute(db)
                    .await?;
            }
        }
        Event::MemberRoleChanged(e) => {
            sqlx::query("UPDATE rm_members SET role = $1 WHERE organization_id = $2 AND user_id = $3")
                .bind(&e.to_role)
                .bind(&e.organization_id)
                .bind(&e.user_id)
                .execute(db)
                .await?;
        }
        Event::MemberRemoved(e) => {
            sqlx::query("DELETE FROM rm_members WHERE organization_id = $1 AND user_id = $2")
                .bind(&e.organization_id)
                .bind(&e.user_id)
                .execute(db)
                .await?;
        }
        Event::ApiTokenIssued(e) => {
            let creator: Option<(Option<String>,)> = match e.created_by.strip_prefix("token:") {
                Some(token) => {
                    sqlx::query_as("SELECT member_user_id FROM rm_api_tokens WHERE token_id = $1")
                        .bind(token)
                        .fetch_optional(&mut *db)
                        .await?
                }
                None => None,
            };
            let member = token_member(&e.created_by, |_| creator.clone().map(|(member,)| member));
            sqlx::query("INSERT INTO rm_api_tokens (token_id, organization_id, name, role, secret_sha256, created_by, created_at, expires_at, member_user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                    .bind(&e.token_id).bind(&e.organization_id).bind(&e.name).bind(&e.role).bind(&e.secret_sha256).bind(&e.created_by).bind(at).bind(e.expires_at).bind(member)
                    .execute(db).await?;
        }
        Event::ApiTokenRevoked(e) => {
            sqlx::query("UPDATE rm_api_tokens SET revoked_at = $1 WHERE token_id = $2")
                .bind(at)
                .bind(&e.token_id)
                .execute(db)
                .await?;
        }
        _ => {}
    }
    Ok(())
}
