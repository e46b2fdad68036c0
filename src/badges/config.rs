//! The `[badges]` settings: amphi's public URL as credentials name it, and
//! each tenant's issuer profile (the académie's name, web site and contact).

use std::collections::BTreeMap;

use serde::Deserialize;

/// The `[badges]` settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BadgesConfig {
    /// The base of every URL a credential names (issuer profiles, keys,
    /// credentials, the revocation list). Empty: `lti.public_url`, else
    /// `invitations.public_url`, else the request's host.
    #[serde(default)]
    pub public_url: String,
    /// Tenant → its issuer profile.
    #[serde(default)]
    pub issuers: BTreeMap<String, IssuerConfig>,
}

/// One tenant's issuer profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// "Académie de Lyon". Empty: the tenant's id.
    #[serde(default)]
    pub name: String,
    /// The académie's web site.
    #[serde(default)]
    pub url: String,
    /// A contact address.
    #[serde(default)]
    pub email: String,
}

impl BadgesConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !self.public_url.is_empty() && url::Url::parse(&self.public_url).is_err() {
            return Err("badges.public_url must be an absolute URL (https://amphi.example.org)".into());
        }
        for (tenant, issuer) in &self.issuers {
            if !issuer.url.is_empty() && url::Url::parse(&issuer.url).is_err() {
                return Err(format!("badges.issuers.{tenant}.url must be an absolute URL"));
            }
            if !issuer.email.is_empty() && !issuer.email.contains('@') {
                return Err(format!("badges.issuers.{tenant}.email must be an e-mail address"));
            }
        }
        Ok(())
    }

    /// The issuer profile of `tenant` (its id as name when none is set).
    pub fn issuer(&self, tenant: &str) -> IssuerConfig {
        let mut issuer = self.issuers.get(tenant).cloned().unwrap_or_default();
        if issuer.name.is_empty() {
            issuer.name = tenant.to_string();
        }
        issuer
    }
}
