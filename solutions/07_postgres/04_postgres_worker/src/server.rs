//! Step 7.4 (given): Part 6's four routes, over any [`JobQueue`].
//!
//! - `POST /jobs` with a job spec: 202 once it is durable, 200 when its id is known already,
//!   400 for a bad spec, 413 for a body over the cap, 503 when the queue cannot take it.
//! - `GET /jobs/{id}`: where the job stands, or 404.
//! - `GET /metrics`: Prometheus's text format.
//! - `GET /healthz`: 200 while the process serves.
//!
//! Part 6's `server.rs` takes its `Service` by name; this one is generic over the queue, which
//! is the only change.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use step_6_6::service::Intake;
use step_6_6::spec::{JobId, JobSpec, MAX_SPEC_BYTES};

use crate::queue::JobQueue;

/// The routes, over `queue`.
pub fn router<Q: JobQueue>(queue: Arc<Q>) -> Router {
    Router::new()
        .route("/jobs", post(post_job::<Q>))
        .route("/jobs/{id}", get(get_job::<Q>))
        .route("/metrics", get(metrics::<Q>))
        .route("/healthz", get(|| async { "ok\n" }))
        // axum refuses a larger body with 413 before reading it all.
        .layer(DefaultBodyLimit::max(MAX_SPEC_BYTES))
        .with_state(queue)
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// 503 with `Retry-After`: the client sends the request again a little later.
fn unavailable(error: impl std::fmt::Display) -> Response {
    let mut response = answer(
        StatusCode::SERVICE_UNAVAILABLE,
        json!({ "error": error.to_string() }),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    response
}

async fn post_job<Q: JobQueue>(State(queue): State<Arc<Q>>, body: Bytes) -> Response {
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
    // intake must not stop half-way.
    let intake = tokio::spawn(async move { queue.submit(spec).await }).await;
    match intake {
        Ok(Ok(Intake::Accepted)) => answer(
            StatusCode::ACCEPTED,
            json!({ "job_id": id, "status": "queued" }),
        ),
        Ok(Ok(Intake::Known(status))) => answer(
            StatusCode::OK,
            json!({ "job_id": id, "duplicate": true, "job": status }),
        ),
        Ok(Err(error)) => unavailable(error),
        Err(error) => answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({ "error": format!("intake failed: {error}") }),
        ),
    }
}

async fn get_job<Q: JobQueue>(State(queue): State<Arc<Q>>, Path(id): Path<String>) -> Response {
    let Ok(id) = JobId::parse(&id) else {
        return answer(StatusCode::NOT_FOUND, json!({ "error": "no such job" }));
    };
    match queue.status(&id).await {
        Ok(Some(status)) => answer(StatusCode::OK, json!({ "job_id": id, "job": status })),
        Ok(None) => answer(StatusCode::NOT_FOUND, json!({ "error": "no such job" })),
        Err(error) => unavailable(error),
    }
}

async fn metrics<Q: JobQueue>(State(queue): State<Arc<Q>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        queue.metrics(),
    )
        .into_response()
}
