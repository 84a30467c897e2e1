//! Step 6.6: the HTTP side: four routes over the [`Service`].
//!
//! - `POST /jobs` with a job spec: 202 once it is journaled, 200 when its id is known already,
//!   400 for a bad spec, 413 for a body over the cap, 503 when busy or the journal fails.
//! - `GET /jobs/{id}`: where the job stands, or 404.
//! - `GET /metrics`: Prometheus's text format.
//! - `GET /healthz`: 200 while the process serves.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::service::{Intake, IntakeError, Service};
use crate::spec::{JobId, JobSpec, MAX_SPEC_BYTES};

/// The routes, over `service`.
pub fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/jobs", post(post_job))
        .route("/jobs/{id}", get(get_job))
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok\n" }))
        // axum refuses a larger body with 413 before reading it all: a client cannot make
        // the worker buffer megabytes. `from_json` checks the size too, for other callers.
        .layer(DefaultBodyLimit::max(MAX_SPEC_BYTES))
        .with_state(service)
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(body)).into_response()
}

async fn post_job(State(service): State<Arc<Service>>, body: Bytes) -> Response {
    let spec = match JobSpec::from_json(&body) {
        Ok(spec) => spec,
        Err(error) => {
            return answer(
                StatusCode::BAD_REQUEST,
                json!({ "error": error.to_string() }),
            );
        }
    };
    let id = spec.id.as_str().to_string();
    // In a task of its own: if the client hangs up, axum drops this handler's future, and an
    // intake cut between the journal and the queue would leave a promised job unqueued.
    let intake = tokio::spawn(async move { service.submit(spec).await }).await;
    match intake {
        Ok(Ok(Intake::Accepted)) => answer(
            StatusCode::ACCEPTED,
            json!({ "job_id": id, "status": "queued" }),
        ),
        // 200, not 202 or 409: the client's request is satisfied (the job exists), and a
        // client retrying after a lost answer must not treat it as an error.
        Ok(Ok(Intake::Known(status))) => answer(
            StatusCode::OK,
            json!({ "job_id": id, "duplicate": true, "job": status }),
        ),
        Ok(Err(error @ (IntakeError::Busy(_) | IntakeError::Journal(_)))) => {
            let mut response = answer(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "error": error.to_string() }),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            response
        }
        Err(error) => answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({ "error": format!("intake failed: {error}") }),
        ),
    }
}

async fn get_job(State(service): State<Arc<Service>>, Path(id): Path<String>) -> Response {
    let Ok(id) = JobId::parse(&id) else {
        return answer(StatusCode::NOT_FOUND, json!({ "error": "no such job" }));
    };
    match service.status(&id) {
        Some(status) => answer(StatusCode::OK, json!({ "job_id": id, "job": status })),
        None => answer(StatusCode::NOT_FOUND, json!({ "error": "no such job" })),
    }
}

async fn metrics(State(service): State<Arc<Service>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        service.metrics(),
    )
        .into_response()
}
