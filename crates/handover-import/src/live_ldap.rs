//! Live LDAP: a paged subtree search, turned into the same entries an LDIF file gives, so
//! [`crate::directory`] maps both the same way. The only module here that does network IO.
//!
//! Plain `ldap://` (for a server on loopback or behind a tunnel) or StartTLS is not
//! offered yet; the password comes from a file, never the command line.

use crate::ldif::Entry;
use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{LdapConn, LdapConnSettings, Scope, SearchEntry};
use std::time::Duration;

/// Attributes the directory mapping reads; nothing else (no passwords) is requested.
pub const ATTRIBUTES: [&str; 16] = [
    "objectClass",
    "uid",
    "cn",
    "mail",
    "displayName",
    "uidNumber",
    "gidNumber",
    "memberUid",
    "member",
    "uniqueMember",
    "shadowExpire",
    "pwdAccountLockedTime",
    "nsAccountLock",
    "sn",
    "givenName",
    "description",
];

pub struct LdapSource<'a> {
    pub url: &'a str,
    pub bind_dn: Option<&'a str>,
    pub password: Option<&'a str>,
    pub base: &'a str,
    pub filter: &'a str,
    pub page_size: i32,
}

#[derive(Debug, thiserror::Error)]
#[error("{url}: {message}")]
pub struct LdapFetchError {
    pub url: String,
    pub message: String,
}

/// Reads every entry under `base` matching `filter`, page by page.
pub fn fetch(src: &LdapSource) -> Result<Vec<Entry>, LdapFetchError> {
    let fail = |message: String| LdapFetchError { url: src.url.to_string(), message };
    let settings = LdapConnSettings::new().set_conn_timeout(Duration::from_secs(10));
    let mut conn = LdapConn::with_settings(settings, src.url).map_err(|e| fail(format!("cannot connect: {e}")))?;
    if let Some(dn) = src.bind_dn {
        conn.simple_bind(dn, src.password.unwrap_or(""))
            .and_then(|r| r.success())
            .map_err(|e| fail(format!("bind as {dn:?} failed: {e}")))?;
    }
    let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![Box::new(EntriesOnly::new()), Box::new(PagedResults::new(src.page_size))];
    let mut stream = conn
        .streaming_search_with(adapters, src.base, Scope::Subtree, src.filter, ATTRIBUTES.to_vec())
        .map_err(|e| fail(format!("search under {:?} failed: {e}", src.base)))?;
    let mut entries = Vec::new();
    while let Some(raw) = stream.next().map_err(|e| fail(format!("reading results failed: {e}")))? {
        // ldap3 panics on a malformed entry; a hostile server must not crash the import.
        let entry = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| SearchEntry::construct(raw)))
            .map_err(|_| fail(format!("entry {} of the results is malformed", entries.len() + 1)))?;
        let mut attrs: Vec<(String, String)> = entry
            .attrs
            .into_iter()
            .flat_map(|(name, values)| {
                let name = name.split(';').next().unwrap_or(&name).to_ascii_lowercase();
                values.into_iter().map(move |v| (name.clone(), v))
            })
            .collect();
        attrs.sort();
        entries.push(Entry { dn: entry.dn, line: entries.len() + 1, attrs });
    }
    let result = stream.result();
    result.success().map_err(|e| fail(format!("search under {:?} failed: {e}", src.base)))?;
    let _ = conn.unbind();
    Ok(entries)
}
