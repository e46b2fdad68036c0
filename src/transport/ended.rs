//! Ended members (issue #17, item 12): a guest who leaves their room, or a
//! member a leader removes, has their tokens issued so far ended, so that
//! a resume token (a bearer credential) stops working with them. A guest
//! lives in one room only: once they left it, their identity is over.

use amphi_protocol::ErrorCode;

use crate::activity::Refusal;
use crate::app::AppState;
use crate::auth::Claims;

/// Ends `member`'s tokens issued until now.
pub async fn end(app: &AppState, member: &str) {
    if let Err(error) = app.store.end_member(member, crate::hub::now_ms() as i64).await {
        tracing::warn!(%error, %member, "cannot end a member's tokens");
    }
}

/// Refuses `claims` if they were issued before their member was ended.
pub async fn check(app: &AppState, claims: &Claims) -> Result<(), Refusal> {
    match app.store.member_ended_at(&claims.sub).await {
        Ok(Some(ended_at)) if i64::try_from(claims.iat.saturating_mul(1000)).unwrap_or(i64::MAX) <= ended_at => {
            app.metrics.abuse.with_label_values(&["ended_token"]).inc();
            Err(Refusal::new(
                ErrorCode::Unauthorized,
                "this token ended when its member left the room or was removed: join again",
            ))
        }
        Ok(_) => Ok(()),
        Err(error) => {
            tracing::warn!(%error, "cannot check whether a member was ended");
            Err(Refusal::new(ErrorCode::Unavailable, "the store is unreachable: retry later"))
        }
    }
}
