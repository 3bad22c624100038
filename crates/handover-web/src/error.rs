//! Errors of the web layer. Each has a stable code from `handover_core::ErrorCode` (the
//! table in docs/errors.md) and the HTTP status that code maps to. Pages show the message;
//! the API answers `{"code": …, "message": …}`. Storage errors are logged in full on the
//! server and answered without detail, so nothing internal leaks to a browser.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use handover_core::ErrorCode;

#[derive(Debug, Clone)]
pub struct WebError {
    pub code: ErrorCode,
    pub message: String,
    /// Whether to answer as JSON (API) or HTML (pages).
    pub json: bool,
}

pub type WebResult<T> = Result<T, WebError>;

impl WebError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> WebError {
        WebError { code, message: message.into(), json: false }
    }
    pub fn not_found(what: impl Into<String>) -> WebError {
        WebError::new(ErrorCode::RecordNotFound, what)
    }
    pub fn forbidden(why: impl Into<String>) -> WebError {
        WebError::new(ErrorCode::Forbidden, why)
    }
    pub fn unauthenticated() -> WebError {
        WebError::new(ErrorCode::Unauthenticated, "sign in first")
    }
    pub fn invalid(why: impl Into<String>) -> WebError {
        WebError::new(ErrorCode::InvalidField, why)
    }
    /// The same error, answered as JSON.
    pub fn api(mut self) -> WebError {
        self.json = true;
        self
    }
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<handover_store::StoreError> for WebError {
    fn from(e: handover_store::StoreError) -> WebError {
        let code = e.code();
        if code == ErrorCode::Storage {
            eprintln!("handover serve: storage error: {e}");
            return WebError::new(code, "the database could not be read or written; the server log has the details");
        }
        WebError::new(code, e.to_string())
    }
}

/// The errors of the governance workflows (intake, incidents, drills, policy reviews).
impl From<(ErrorCode, String)> for WebError {
    fn from((code, message): (ErrorCode, String)) -> WebError {
        WebError::new(code, message)
    }
}

impl From<handover_core::Problem> for WebError {
    fn from(p: handover_core::Problem) -> WebError {
        WebError::new(p.code, p.to_string())
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> WebError {
        eprintln!("handover serve: template error: {e}");
        WebError::new(ErrorCode::Storage, "the page could not be rendered")
    }
}

impl From<tokio::task::JoinError> for WebError {
    fn from(e: tokio::task::JoinError) -> WebError {
        eprintln!("handover serve: worker failed: {e}");
        WebError::new(ErrorCode::Storage, "the request failed inside the server")
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if self.json {
            let body = serde_json::json!({ "code": self.code.as_str(), "message": self.message });
            return (status, axum::Json(body)).into_response();
        }
        if self.code == ErrorCode::Unauthenticated {
            return axum::response::Redirect::to("/login").into_response();
        }
        let page = crate::pages::error_page(status, self.code, &self.message);
        (status, page).into_response()
    }
}
