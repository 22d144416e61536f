//! The words every crate shares about a deployment, spelled once: its status, its target and
//! why a build failed. Events and read models carry them as their lowercase strings (the
//! wire stays strings, so old events read the same); code matches on these enums.

use std::fmt;

/// Where a deployment is in its life: `requested → (queued → building → built) → stored →
/// ready`, or `failed` / `canceled` on the way (a prebuilt upload skips the build).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeploymentStatus {
    Requested,
    Queued,
    Building,
    Built,
    Stored,
    Ready,
    Failed,
    Canceled,
}

impl DeploymentStatus {
    pub const ALL: [DeploymentStatus; 8] = [
        DeploymentStatus::Requested,
        DeploymentStatus::Queued,
        DeploymentStatus::Building,
        DeploymentStatus::Built,
        DeploymentStatus::Stored,
        DeploymentStatus::Ready,
        DeploymentStatus::Failed,
        DeploymentStatus::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentStatus::Requested => "requested",
            DeploymentStatus::Queued => "queued",
            DeploymentStatus::Building => "building",
            DeploymentStatus::Built => "built",
            DeploymentStatus::Stored => "stored",
            DeploymentStatus::Ready => "ready",
            DeploymentStatus::Failed => "failed",
            DeploymentStatus::Canceled => "canceled",
        }
    }

    /// The status a string names, if any.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether nothing more happens to it by itself (ready, failed or canceled).
    pub fn is_settled(self) -> bool {
        matches!(self, DeploymentStatus::Ready | DeploymentStatus::Failed | DeploymentStatus::Canceled)
    }
}

/// Whether a deployment is meant for production or is a preview (Vercel's and Netlify's
/// words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Production,
    Preview,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::Production, Target::Preview];

    pub fn as_str(self) -> &'static str {
        match self {
            Target::Production => "production",
            Target::Preview => "preview",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// Why a build failed, and so whether trying again may help (as Pingora classifies errors):
/// the tenant's own code or settings (`user`) fail the same way again; CloudDeck's side
/// (`platform`) or running out of time (`timeout`, which a busy machine can cause) may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureCause {
    User,
    Platform,
    Timeout,
}

impl FailureCause {
    pub const ALL: [FailureCause; 3] = [FailureCause::User, FailureCause::Platform, FailureCause::Timeout];

    pub fn as_str(self) -> &'static str {
        match self {
            FailureCause::User => "user",
            FailureCause::Platform => "platform",
            FailureCause::Timeout => "timeout",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// Whether the same build may pass if tried again.
    pub fn retryable(self) -> bool {
        self != FailureCause::User
    }
}

macro_rules! display_as_str {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_as_str!(DeploymentStatus, Target, FailureCause);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back_as_itself_and_nothing_else_reads() {
        for status in DeploymentStatus::ALL {
            assert_eq!(DeploymentStatus::parse(status.as_str()), Some(status));
        }
        for target in Target::ALL {
            assert_eq!(Target::parse(&target.to_string()), Some(target));
        }
        for cause in FailureCause::ALL {
            assert_eq!(FailureCause::parse(cause.as_str()), Some(cause));
        }
        assert_eq!(DeploymentStatus::parse("Ready"), None);
        assert_eq!(Target::parse("staging"), None);
        assert!(!FailureCause::User.retryable() && FailureCause::Platform.retryable());
        assert!(DeploymentStatus::Canceled.is_settled() && !DeploymentStatus::Stored.is_settled());
    }
}
