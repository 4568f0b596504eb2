//! The root component: owns the page's signals and wires controls to the worker.

use std::sync::Arc;

use leptos::prelude::*;

use super::components::{ClaimsGrid, ErrorBanner, Metric, NumberField, ProgressBar};
use super::worker_client::{WorkerClient, WorkerEvent};
use crate::claims::synth::generate_denial;
use crate::claims::ClaimsTable;
use crate::ml::ForestParams;
use crate::pipeline::{TrainReport, TrainRequest};
use crate::protocol::{FromWorker, ToWorker};
use crate::workspace::{
    format_count, format_metric, parse_row_count, parse_seed, JobState, DEFAULT_GENERATED_ROWS, DEFAULT_SEED,
};

/// The ClaimForest page.
#[component]
pub fn App() -> impl IntoView {
    let rows_text = RwSignal::new(DEFAULT_GENERATED_ROWS.to_string());
    let seed_text = RwSignal::new(DEFAULT_SEED.to_string());
    let table = RwSignal::new(None::<Arc<ClaimsTable>>);
    let report = RwSignal::new(None::<Arc<TrainReport>>);
    let job = RwSignal::new(JobState::Idle);
    let now_ms = RwSignal::new(0.0f64);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(String::new());
    let next_job_id = StoredValue::new(1u64);

    let client = StoredValue::new_local(WorkerClient::new(move |event| match event {
        WorkerEvent::Reply(FromWorker::Ready) => {}
        WorkerEvent::Reply(FromWorker::Progress { job_id, n_trees_done, .. }) => {
            job.update(|state| {
                state.record_progress(job_id, n_trees_done);
            });
            now_ms.set(clock_ms());
        }
        WorkerEvent::Reply(FromWorker::Trained { job_id, report: trained }) => {
            if job.get_untracked().running_job() == Some(job_id) {
                let seconds = (clock_ms() - started_at(job.get_untracked())) / 1000.0;
                status.set(format!("Trained and scored every claim in {seconds:.1} s."));
                report.set(Some(Arc::new(*trained)));
                job.set(JobState::Idle);
            }
        }
        WorkerEvent::Reply(FromWorker::Failed { job_id, message }) => {
            if job.get_untracked().running_job() == Some(job_id) || job_id == 0 {
                job.set(JobState::Idle);
                error.set(Some(message));
            }
        }
        WorkerEvent::Crashed(message) => {
            job.set(JobState::Idle);
            error.set(Some(message));
        }
    }));

    let generate = move || {
        let parsed =
            parse_row_count(&rows_text.get_untracked()).and_then(|n| Ok((n, parse_seed(&seed_text.get_untracked())?)));
        match parsed {
            Err(input_error) => error.set(Some(input_error.to_string())),
            Ok((n_rows, seed)) => match generate_denial(n_rows, seed) {
                Ok(generated) => {
                    table.set(Some(Arc::new(generated)));
                    report.set(None);
                    error.set(None);
                    status.set(format!("Generated {} denial claims with seed {seed}.", format_count(n_rows)));
                }
                Err(table_error) => error.set(Some(format!("Could not generate claims: {table_error}"))),
            },
        }
    };
    generate();

    let train = move || {
        if job.get_untracked().running_job().is_some() {
            return;
        }
        let Some(claims) = table.get_untracked() else {
            error.set(Some("Generate or load claims before training.".into()));
            return;
        };
        let seed = match parse_seed(&seed_text.get_untracked()) {
            Ok(seed) => seed,
            Err(input_error) => return error.set(Some(input_error.to_string())),
        };
        let request = TrainRequest {
            forest: ForestParams { seed, ..ForestParams::default() },
            split_seed: seed,
            ..TrainRequest::default()
        };
        let job_id = next_job_id.get_value();
        next_job_id.set_value(job_id + 1);
        let started = clock_ms();
        now_ms.set(started);
        job.set(JobState::start(job_id, request.forest.n_trees, started));
        error.set(None);
        status.set(String::new());
        let message = ToWorker::Train { job_id, table: (*claims).clone(), request };
        if let Err(send_error) = client.with_value(|c| c.send(&message)) {
            job.set(JobState::Idle);
            error.set(Some(send_error));
        }
    };

    let cancel = Callback::new(move |()| {
        if job.get_untracked().running_job().is_some() {
            client.with_value(WorkerClient::terminate);
            job.set(JobState::Idle);
            status.set("Training cancelled. Nothing was changed.".into());
        }
    });

    let is_running = move || job.with(|state| state.running_job().is_some());
    let n_claims = move || table.with(|t| t.as_ref().map_or(0, |t| t.n_rows()));

    view! {
        <header class="topbar">
            <h1>"ClaimForest"</h1>
            <p class="tagline">"Claims scoring that never leaves your browser."</p>
        </header>
        <main class="layout">
            <ErrorBanner error=error on_dismiss=Callback::new(move |()| error.set(None)) />
            <section class="panel" aria-labelledby="data-heading">
                <h2 id="data-heading">"1 · Claims"</h2>
                <form class="controls" novalidate on:submit=move |event| {
                    event.prevent_default();
                    generate();
                }>
                    <NumberField id="generate-rows" label="Claims to generate" test_id="generate-rows" min=10 value=rows_text />
                    <NumberField id="seed" label="Seed" test_id="seed-input" min=0 value=seed_text />
                    <button type="submit" data-testid="generate-button" disabled=is_running>
                        "Generate denial claims"
                    </button>
                </form>
                <p class="hint">
                    "Synthetic teaching set: a surgery without pre-authorisation is denied; otherwise a diagnosis mismatch is denied; otherwise 5% are denied as administrative noise."
                </p>
            </section>
            <section class="panel" aria-labelledby="train-heading">
                <h2 id="train-heading">"2 · Train a random forest"</h2>
                <div class="controls">
                    <button type="button" data-testid="train-button" disabled=is_running on:click=move |_| train()>
                        "Train"
                    </button>
                    <span class="hint">"100 trees, grown in a background worker; 20% of claims are held out."</span>
                </div>
                <ProgressBar
                    percent=Signal::derive(move || job.get().percent())
                    label=Signal::derive(move || job.get().describe(now_ms.get()).unwrap_or_default())
                    on_cancel=cancel
                />
                <p class="status" role="status" data-testid="status">{move || status.get()}</p>
                <div class="metrics">
                    <Metric
                        label="Accuracy (held out)"
                        value=Signal::derive(move || report.get().map(|r| format_metric(r.accuracy)))
                        test_id="metric-accuracy"
                    />
                    <Metric
                        label="ROC AUC (held out)"
                        value=Signal::derive(move || report.get().and_then(|r| r.roc_auc).map(format_metric))
                        test_id="metric-auc"
                    />
                    <Metric
                        label="Out-of-bag accuracy"
                        value=Signal::derive(move || report.get().and_then(|r| r.oob_score).map(format_metric))
                        test_id="metric-oob"
                    />
                </div>
                {move || report.get().map(|r| view! { <Importances report=r /> })}
            </section>
            <section class="panel wide" aria-labelledby="claims-heading">
                <h2 id="claims-heading">{move || format!("3 · Scored claims ({})", format_count(n_claims()))}</h2>
                <ClaimsGrid table=table report=report />
            </section>
        </main>
    }
}

/// The forest's impurity importances as labelled bars.
#[component]
fn Importances(report: Arc<TrainReport>) -> impl IntoView {
    let items = report
        .feature_importances
        .iter()
        .map(|item| {
            let percent = item.importance * 100.0;
            view! {
                <li>
                    <span class="importance-name">{item.feature.clone()}</span>
                    <span class="importance-track" aria-hidden="true">
                        <span class="importance-fill" style:width=format!("{percent:.1}%")></span>
                    </span>
                    <span class="importance-value">{format!("{:.3}", item.importance)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <figure class="importances">
            <figcaption>"What the forest relies on (mean impurity decrease)"</figcaption>
            <ul>{items}</ul>
        </figure>
    }
}

fn started_at(state: JobState) -> f64 {
    match state {
        JobState::Running { started_at_ms, .. } => started_at_ms,
        JobState::Idle => clock_ms(),
    }
}

fn clock_ms() -> f64 {
    js_sys::Date::now()
}
