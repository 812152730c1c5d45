//! Liveness (`/health`) and readiness (`/ready`, which checks the database).

use std::{sync::Arc, time::Duration};

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use super::ApiTags;
use crate::{api::AppState, error::ErrorBody};

#[derive(Object)]
pub struct HealthStatus {
    /// Always `ok`.
    status: String,
}

#[derive(ApiResponse)]
enum ReadyResponse {
    /// The server can reach its database.
    #[oai(status = 200)]
    Ready(Json<HealthStatus>),
    /// The database is unreachable.
    #[oai(status = 503)]
    NotReady(Json<ErrorBody>),
}

pub struct HealthApi;

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness check
    ///
    /// Answers as long as the process serves HTTP. No authentication.
    #[oai(path = "/health", method = "get", operation_id = "health")]
    async fn health(&self) -> Json<HealthStatus> {
        Json(HealthStatus {
            status: "ok".to_string(),
        })
    }

    /// Readiness check
    ///
    /// 200 when the database answers within two seconds, 503 otherwise. No authentication.
    #[oai(path = "/ready", method = "get", operation_id = "ready")]
    async fn ready(&self, state: Data<&Arc<AppState>>) -> ReadyResponse {
        let check = async {
            let conn = state.db.pool.get().await.ok()?;
            conn.simple_query("SELECT 1").await.ok()
        };
        match tokio::time::timeout(Duration::from_secs(2), check).await {
            Ok(Some(_)) => ReadyResponse::Ready(Json(HealthStatus {
                status: "ok".to_string(),
            })),
            _ => ReadyResponse::NotReady(Json(ErrorBody {
                detail: "Database unavailable".to_string(),
            })),
        }
    }
}
