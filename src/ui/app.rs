//! The root component: the header, the screen tabs, the shared progress bar and status, and
//! the screen shown. State and actions live in [`AppState`].

use std::time::Duration;

use leptos::prelude::*;

use super::components::{ErrorBanner, ProgressBar};
use super::panels::{
    DataPanel, EvaluationPanel, FilesPanel, QueuePanel, ResultsPanel, RulesPanel, SummariesPanel, TrainPanel,
    WhatIfPanel,
};
use super::state::{AppState, Screen};
use crate::page::Event;

/// The ClaimForest page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    // Start with a small teaching set, generated in the worker.
    state.dispatch(Event::Generate);
    // The clock ticks while a job runs, so elapsed time moves between progress reports.
    let ticker = set_interval_with_handle(
        move || {
            if state.job.with_untracked(|job| job.running_job().is_some()) {
                state.now_ms.set(js_sys::Date::now());
            }
        },
        Duration::from_millis(200),
    );
    on_cleanup(move || {
        if let Ok(handle) = ticker {
            handle.clear();
        }
    });

    let tabs = Screen::ALL
        .into_iter()
        .map(|screen| {
            let selected = move || state.screen.get() == screen;
            view! {
                <button
                    type="button"
                    role="tab"
                    id=format!("tab-{}", screen.slug())
                    class="tab"
                    aria-selected=move || selected().to_string()
                    aria-controls="screen"
                    data-testid=format!("tab-{}", screen.slug())
                    on:click=move |_| state.dispatch(Event::Show(screen))
                >
                    {screen.title()}
                </button>
            }
        })
        .collect_view();

    view! {
        <header class="topbar">
            <h1>"ClaimForest"</h1>
            <p class="tagline">"Claims scoring that never leaves your browser."</p>
            <p class="data-badge" data-testid="data-badge">
                {move || state.data.with(|d| d.as_ref().map(|d| format!("{} · {} claims", d.loaded.source, crate::analysis::format_count(d.table.n_rows())))).unwrap_or_default()}
            </p>
        </header>
        <nav class="tabs" role="tablist" aria-label="Workspace screens">{tabs}</nav>
        <main class="workspace">
            <ErrorBanner error=state.error on_dismiss=Callback::new(move |()| state.dispatch(Event::DismissError)) />
            <ProgressBar
                percent=Signal::derive(move || state.job.with(|job| job.running_job().map(|_| job.percent())))
                label=Signal::derive(move || state.job.with(|job| job.describe(state.now_ms.get()).unwrap_or_default()))
                on_cancel=Callback::new(move |()| state.dispatch(Event::Cancel))
            />
            <p class="status" role="status" data-testid="status">{move || state.status.get()}</p>
            <p class="stage-times" data-testid="stage-times">{move || state.stage_times.get()}</p>
            <section id="screen" role="tabpanel" aria-labelledby=move || format!("tab-{}", state.screen.get().slug())>
                {move || match state.screen.get() {
                    Screen::Data => view! { <DataPanel /> }.into_any(),
                    Screen::Rules => view! { <RulesPanel /> }.into_any(),
                    Screen::Train => view! { <TrainPanel /> }.into_any(),
                    Screen::Results => view! { <ResultsPanel /> }.into_any(),
                    Screen::Evaluation => view! { <EvaluationPanel /> }.into_any(),
                    Screen::Queue => view! { <QueuePanel /> }.into_any(),
                    Screen::Summaries => view! { <SummariesPanel /> }.into_any(),
                    Screen::WhatIf => view! { <WhatIfPanel /> }.into_any(),
                    Screen::Files => view! { <FilesPanel /> }.into_any(),
                }}
            </section>
        </main>
    }
}
