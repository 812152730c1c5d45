//! Closed-loop HTTP load: `connections` clients each sending the next request as soon as the
//! last one is answered, for a fixed time; throughput and latency percentiles.

use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

#[derive(Clone, Copy, Debug, Default)]
pub struct Figures {
    pub per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Figures {
    pub fn of(mut latencies: Vec<Duration>, elapsed: Duration) -> Figures {
        latencies.sort();
        Figures {
            per_sec: latencies.len() as f64 / elapsed.as_secs_f64(),
            p50_ms: ms(percentile(&latencies, 0.50)),
            p99_ms: ms(percentile(&latencies, 0.99)),
        }
    }
}

/// Run `connections` loops of `request(connection, iteration)` for `duration`.
pub async fn load<F, Fut>(connections: usize, duration: Duration, request: F) -> Figures
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + duration;
    let request = Arc::new(request);
    let tasks: Vec<_> = (0..connections)
        .map(|c| {
            let request = request.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut i = 0;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    request(c, i).await;
                    latencies.push(sent.elapsed());
                    i += 1;
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("load task"));
    }
    Figures::of(latencies, started.elapsed())
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
