//! Live SCIM 2.0: `GET {base}/Users` and `GET {base}/Groups`, page by page (RFC 7644
//! §3.4.2.4: `startIndex` is 1-based, `count` asks for a page size the server may lower), with
//! a bearer token. The resources go to [`crate::scim::to_records`], the mapping SCIM files
//! get, so a file and a live endpoint map the same way.
//!
//! Hostile or broken servers end in an error, not a hang: a page that starts elsewhere than
//! asked, or repeats the previous page, is refused (a server that ignores `startIndex` would
//! otherwise be read forever); an empty page ends the listing (with a warning when fewer
//! resources came than `totalResults` promised); at most [`MAX_PAGES`] pages and
//! [`MAX_PAGE_BYTES`] per page are read. The token is sent only in the `Authorization`
//! header and never appears in errors; URLs with credentials or a query are refused so that
//! none can leak through the URL either.

use crate::scim::Resource;
use serde_json::Value;
use std::io::Read;
use std::time::Duration;

/// Pages read per resource type at most: with the default page size, 100 × 10,000 resources.
pub const MAX_PAGES: usize = 10_000;
/// Bytes of one page at most (a page of large groups with all their members is big).
pub const MAX_PAGE_BYTES: u64 = 256 << 20;

pub struct ScimSource<'a> {
    /// The SCIM base URL, e.g. `https://example.okta.com/scim/v2` (`/Users` is appended).
    pub url: &'a str,
    /// The bearer token; `None` sends no `Authorization` header.
    pub token: Option<&'a str>,
    /// The `count` asked for per page.
    pub page_size: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("{url}: {message}")]
pub struct ScimFetchError {
    pub url: String,
    pub message: String,
}

/// What the endpoint listed: Users, then Groups, and anything worth a warning.
#[derive(Debug, Default)]
pub struct Fetched {
    pub resources: Vec<Resource>,
    pub warnings: Vec<String>,
}

/// Reads every User and Group the token may see.
pub fn fetch(src: &ScimSource) -> Result<Fetched, ScimFetchError> {
    let base = check_url(src.url)?;
    if let Some(token) = src.token {
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ScimFetchError {
                url: base,
                message: "the token must be one word of printable ASCII (RFC 6750); check the token file".into(),
            });
        }
    }
    let agent = ureq::AgentBuilder::new().timeout_connect(Duration::from_secs(10)).timeout_read(Duration::from_secs(120)).build();
    let mut out = Fetched::default();
    for endpoint in ["Users", "Groups"] {
        list(&agent, src, &base, endpoint, &mut out)?;
    }
    Ok(out)
}

/// `http(s)://host[:port][/path]` without credentials, query or fragment, and without a
/// trailing slash.
fn check_url(url: &str) -> Result<String, ScimFetchError> {
    let refuse = |message: &str| ScimFetchError { url: "--url".into(), message: message.into() };
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(refuse("must be an http:// or https:// URL, such as https://idp.example.com/scim/v2"));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(refuse("must be an http:// or https:// URL, such as https://idp.example.com/scim/v2"));
    }
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        return Err(refuse("must not hold credentials; put the bearer token in a file and pass --token-file"));
    }
    if authority.is_empty() || url.contains(['?', '#']) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refuse("must be a base URL without a query, such as https://idp.example.com/scim/v2"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

fn list(agent: &ureq::Agent, src: &ScimSource, base: &str, endpoint: &str, out: &mut Fetched) -> Result<(), ScimFetchError> {
    let count = src.page_size.max(1);
    let mut start = 1usize;
    let mut read = 0usize;
    let mut previous_ids: Vec<String> = Vec::new();
    for _ in 0..MAX_PAGES {
        let page_url = format!("{base}/{endpoint}?startIndex={start}&count={count}");
        let fail = |message: String| ScimFetchError { url: page_url.clone(), message };
        let mut page = get(agent, src.token, &page_url).map_err(fail)?;
        let items = match page.get_mut("Resources").map(Value::take) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(fail("`Resources` is not a list: not a SCIM ListResponse".into())),
        };
        let total = match page.get("totalResults") {
            Some(t) => t.as_u64().map(|t| t as usize).ok_or_else(|| fail("`totalResults` is not a number".into()))?,
            None => return Err(fail("not a SCIM ListResponse (no `totalResults`)".into())),
        };
        if let Some(s) = page.get("startIndex").and_then(Value::as_u64) {
            // A server that ignores startIndex would hand out its first page forever.
            if s as usize != start && !items.is_empty() {
                return Err(fail(format!("asked for startIndex {start}, the server answered startIndex {s}: it does not page")));
            }
        }
        if items.is_empty() {
            if read < total {
                out.warnings
                    .push(format!("{base}/{endpoint}: the server promised {total} resources but listed {read} before an empty page"));
            }
            return Ok(());
        }
        let ids: Vec<String> = items.iter().filter_map(|r| r.get("id").and_then(Value::as_str)).map(str::to_string).collect();
        if !ids.is_empty() && ids == previous_ids {
            return Err(fail("the server answered the previous page again: it does not page".into()));
        }
        let n = items.len();
        out.resources.extend(items.into_iter().enumerate().map(|(i, value)| Resource {
            source: page_url.clone(),
            at: format!("Resources[{i}]"),
            value,
        }));
        previous_ids = ids;
        read += n;
        if read >= total {
            return Ok(());
        }
        start += n;
    }
    Err(ScimFetchError {
        url: format!("{base}/{endpoint}"),
        message: format!("still listing after {MAX_PAGES} pages of up to {count}; stopped (a larger --page-size reads more)"),
    })
}

/// One GET, its body parsed as JSON; errors say what the server said.
fn get(agent: &ureq::Agent, token: Option<&str>, url: &str) -> Result<Value, String> {
    let mut request = agent.get(url).set("Accept", "application/scim+json, application/json");
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    let response = match request.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(status, response)) => {
            let detail = body(response)
                .ok()
                .and_then(|v| {
                    let detail = v.get("detail").and_then(Value::as_str)?.to_string();
                    Some(match v.get("scimType").and_then(Value::as_str) {
                        Some(t) => format!(": {detail} (scimType {t})"),
                        None => format!(": {detail}"),
                    })
                })
                .unwrap_or_default();
            let hint = match status {
                401 => " — check the token in --token-file",
                403 => " — the token may not list this resource type",
                404 => " — is --url the SCIM base URL (the one ending before /Users)?",
                _ => "",
            };
            return Err(format!("HTTP {status}{detail}{hint}"));
        }
        Err(ureq::Error::Transport(t)) => {
            let mut message = format!("cannot reach the server: {}", t.kind());
            message.extend(t.message().map(|m| format!(": {m}")));
            message.extend(std::error::Error::source(&t).map(|e| format!(": {e}")));
            return Err(message);
        }
    };
    body(response)
}

fn body(response: ureq::Response) -> Result<Value, String> {
    let mut bytes = Vec::new();
    response.into_reader().take(MAX_PAGE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("reading the answer failed: {e}"))?;
    if bytes.len() as u64 > MAX_PAGE_BYTES {
        return Err(format!("the answer is larger than {} MiB; ask for smaller pages with --page-size", MAX_PAGE_BYTES >> 20));
    }
    serde_json::from_slice(&bytes).map_err(|e| format!("the answer is not JSON (line {}, column {}): {e}", e.line(), e.column()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_credentials_or_queries_are_refused() {
        assert_eq!(check_url("https://idp.example.com/scim/v2/").unwrap(), "https://idp.example.com/scim/v2");
        for bad in [
            "idp.example.com",
            "ftp://idp.example.com",
            "https://u:p@idp.example.com/scim",
            "https://idp.example.com/scim?x=1",
            "https:///x",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        let e = check_url("https://u:secret@idp.example.com/").unwrap_err().to_string();
        assert!(!e.contains("secret"), "{e}");
    }

    #[test]
    fn an_unreachable_server_is_an_error_naming_the_page() {
        let src = ScimSource { url: "http://127.0.0.1:1/scim/v2", token: Some("tok"), page_size: 10 };
        let e = fetch(&src).unwrap_err().to_string();
        assert!(e.starts_with("http://127.0.0.1:1/scim/v2/Users?startIndex=1&count=10: cannot reach the server"), "{e}");
        let bad_token = ScimSource { token: Some("two words"), ..src };
        assert!(fetch(&bad_token).unwrap_err().message.contains("one word"));
    }
}
