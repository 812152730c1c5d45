//! `/metrics` parses as Prometheus text and moves when requests are made.

use std::collections::HashMap;

use crate::helpers::TestApp;

/// Every sample of the exposition, keyed by `name{labels}` as written.
pub async fn scrape(app: &TestApp) -> HashMap<String, f64> {
    let resp = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = resp.text().await.unwrap();
    let mut samples = HashMap::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("malformed line {line:?}"));
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("malformed value in {line:?}"));
        samples.insert(series.to_string(), value);
    }
    samples
}

pub fn value(samples: &HashMap<String, f64>, name: &str, labels: &[&str]) -> f64 {
    samples
        .iter()
        .filter(|(series, _)| series.starts_with(name) && labels.iter().all(|l| series.contains(l)))
        .map(|(_, v)| *v)
        .sum()
}

#[tokio::test]
async fn metrics_move_with_requests_and_use_route_templates() {
    let app = TestApp::spawn().await;
    let alice = app.human_in_new_tenant("Alice").await;
    app.space(&alice, "room").await;
    let before = scrape(&app).await;
    for _ in 0..3 {
        app.get("/api/spaces/room/status", &alice.api_key)
            .send()
            .await
            .unwrap();
    }
    app.get("/api/actors/me", "convo_wrong")
        .send()
        .await
        .unwrap();
    app.http
        .get(app.url("/nowhere/at/all"))
        .send()
        .await
        .unwrap();
    let after = scrape(&app).await;

    let status_route = ["operation=\"get_space_status\"", "status=\"200\""];
    let delta =
        |name: &str, labels: &[&str]| value(&after, name, labels) - value(&before, name, labels);
    assert!(delta("convo_http_requests_total", &status_route) >= 3.0);
    // The documented template, not poem-openapi's renamed parameters.
    assert!(
        delta(
            "convo_http_requests_total",
            &["route=\"/api/spaces/{space_id}/status\""]
        ) >= 3.0
    );
    assert!(
        delta(
            "convo_http_request_duration_seconds_count",
            &["operation=\"get_space_status\""]
        ) >= 3.0
    );
    assert!(
        delta(
            "convo_http_requests_total",
            &["route=\"unmatched\"", "status=\"404\""]
        ) >= 1.0
    );
    assert!(delta("convo_auth_failures_total", &[]) >= 1.0);
    // The tenant creation's NOTIFY may land between these requests and turn a hit into a
    // miss, so only the total and at least one hit are certain.
    assert!(delta("convo_auth_cache_total", &["result=\"hit\""]) >= 1.0);
    assert!(
        delta("convo_auth_cache_total", &["result=\"hit\""])
            + delta("convo_auth_cache_total", &["result=\"miss\""])
            >= 3.0
    );
    assert!(value(&after, "convo_db_pool_connections", &["state=\"max\""]) >= 1.0);
    assert!(value(&after, "convo_tenants", &["status=\"active\""]) >= 1.0);
    // The one tenant is at the version this binary ships.
    let latest = convo::tenancy::migrations::tenant_migrations()
        .iter()
        .map(|m| m.version())
        .max()
        .unwrap();
    assert_eq!(
        value(&after, "convo_tenant_schema_version_latest", &[]),
        f64::from(latest)
    );
    assert_eq!(
        value(&after, "convo_tenant_schema_version{", &[]),
        1.0,
        "one tenant in all"
    );
    assert_eq!(
        value(
            &after,
            "convo_tenant_schema_version{",
            &[&format!("version=\"{latest}\"")]
        ),
        1.0
    );
    // No raw ids or tokens in labels.
    assert!(
        !after
            .keys()
            .any(|k| k.contains("/api/spaces/room") || k.contains("convo_wrong"))
    );
}
