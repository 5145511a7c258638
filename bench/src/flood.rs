//! The flood figure: one account sends changes as fast as `flooders` connections allow, from an
//! address of its own, while another account reads its case and now and then writes at a
//! person's pace. The other account's latency, quiet and under the flood, shows whether one
//! party's flood hurts the rest (the rate limits refuse it with 429 before it costs much).

use anyhow::Context;
use redress_app::App;
use redress_domain::CaseId;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

async fn login(client: &reqwest::Client, base: &str, login: &str) -> anyhow::Result<String> {
    let body: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "login": login, "password": "bench-pass" }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(body["token"].as_str().context("token")?.to_owned())
}

fn message(client: &reqwest::Client, base: &str, case: CaseId, token: &str) -> reqwest::RequestBuilder {
    client
        .post(format!("{base}/api/v1/cases/{case}/actions/message"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "text": "补充说明" }))
}

/// The other account: `n` requests one after another, 5 ms apart, each 50th a message.
async fn bystander(
    client: &reqwest::Client,
    base: &str,
    case: CaseId,
    token: &str,
    n: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let request = if i % 50 == 49 {
            message(client, base, case, token)
        } else {
            client.get(format!("{base}/api/v1/cases/{case}")).bearer_auth(token)
        };
        let t = Instant::now();
        let response = request.send().await?;
        anyhow::ensure!(response.status().is_success(), "bystander got {}", response.status());
        response.bytes().await?;
        latencies.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    latencies.sort();
    Ok(latencies)
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)].as_secs_f64() * 1e3
}

/// Runs the flood against `redress serve`'s default limits; `cases[0]` is the flooding buyer's
/// (bench-buyer-0), `cases[1]` the bystander's (bench-buyer-1).
pub async fn run(app: App, cases: &[CaseId], requests: usize, flooders: usize) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(redress_web::serve_with(listener, app, redress_web::Limits::default(), std::future::pending()));
    let bystander_client = reqwest::Client::new();
    let flood_client = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 2])).build()?;
    let bystander_token = login(&bystander_client, &base, "bench-buyer-1").await?;
    let flood_token = login(&flood_client, &base, "bench-buyer-0").await?;

    let quiet = bystander(&bystander_client, &base, cases[1], &bystander_token, requests).await?;

    let stop = Arc::new(AtomicBool::new(false));
    let (accepted, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut flood = tokio::task::JoinSet::new();
    for _ in 0..flooders {
        let (client, base, token, case) = (flood_client.clone(), base.clone(), flood_token.clone(), cases[0]);
        let (stop, accepted, refused) = (stop.clone(), accepted.clone(), refused.clone());
        flood.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let Ok(response) = message(&client, &base, case, &token).send().await else { continue };
                let counter = if response.status().is_success() { &accepted } else { &refused };
                counter.fetch_add(1, Ordering::Relaxed);
                let _ = response.bytes().await;
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let started = Instant::now();
    let (accepted_before, refused_before) = (accepted.load(Ordering::Relaxed), refused.load(Ordering::Relaxed));
    let loud = bystander(&bystander_client, &base, cases[1], &bystander_token, requests).await?;
    let seconds = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    while flood.join_next().await.is_some() {}
    let flood_accepted = accepted.load(Ordering::Relaxed) - accepted_before;
    let flood_refused = refused.load(Ordering::Relaxed) - refused_before;

    println!(
        "\nflood: {flooders} connections of one account; bystander: {requests} requests (GET detail, each 50th a message)\n"
    );
    println!("| bystander        | p50 (ms) | p99 (ms) |");
    println!("|------------------|---------:|---------:|");
    println!("| quiet            | {:>8.2} | {:>8.2} |", quantile(&quiet, 0.5), quantile(&quiet, 0.99));
    println!("| under the flood  | {:>8.2} | {:>8.2} |", quantile(&loud, 0.5), quantile(&loud, 0.99));
    println!(
        "\np99 ratio: {:.2}; the flood meanwhile: {:.0} requests/s, {:.1}/s accepted, {:.0}/s refused (429)",
        quantile(&loud, 0.99) / quantile(&quiet, 0.99),
        (flood_accepted + flood_refused) as f64 / seconds,
        flood_accepted as f64 / seconds,
        flood_refused as f64 / seconds,
    );
    Ok(())
}
