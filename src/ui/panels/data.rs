//! The Data screen: generate synthetic claims or upload a file, preview the first claims, and
//! read the schema report.

use leptos::prelude::*;
use web_sys::{DragEvent, HtmlInputElement};

use crate::analysis::format_count;
use crate::claims::features::FeaturePlan;
use crate::claims::ingest::report::SourceFormat;
use crate::claims::ingest::SchemaReport;
use crate::claims::synth::Scenario;
use crate::page::{Event, GenerateField};
use crate::protocol::FilePart;
use crate::ui::state::AppState;

/// Claims shown in the preview.
const PREVIEW_ROWS: usize = 12;

/// The Data screen.
#[component]
pub fn DataPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.generate;
    let busy = move || state.is_busy();
    let dragging = RwSignal::new(false);
    let on_drop = move |event: DragEvent| {
        event.prevent_default();
        dragging.set(false);
        if let Some(file) = event.data_transfer().and_then(|t| t.files()).and_then(|files| files.get(0)) {
            state.read_file(Some(file), FilePart::default());
        }
    };
    let scenario_options = Scenario::ALL
        .into_iter()
        .map(
            |s| view! { <option value=s.name() selected=move || form.with(|f| f.scenario) == s>{scenario_title(s)}</option> },
        )
        .collect_view();
    view! {
        <div class="screen-grid">
            <section class="panel" aria-labelledby="generate-heading">
                <h2 id="generate-heading">"Generate synthetic claims"</h2>
                <form class="form-grid" novalidate on:submit=move |event| {
                    event.prevent_default();
                    state.dispatch(Event::Generate);
                }>
                    <label for="scenario">"Scenario"</label>
                    <select id="scenario" data-testid="scenario-select" on:change=move |event| {
                        if let Ok(scenario) = event_target_value(&event).parse::<Scenario>() {
                            state.dispatch(Event::Scenario(scenario));
                        }
                    }>
                        {scenario_options}
                    </select>
                    <label for="generate-rows">"Claims to generate"</label>
                    <input id="generate-rows" type="number" min="100" max="1000000" step="1" data-testid="generate-rows"
                        prop:value=move || form.with(|f| f.rows.clone()) on:input=move |e| state.dispatch(Event::GenerateText(GenerateField::Rows, event_target_value(&e))) />
                    <label for="seed">"Seed"</label>
                    <span class="seed-row">
                        <input id="seed" type="number" min="0" step="1" data-testid="seed-input"
                            prop:value=move || form.with(|f| f.seed.clone()) on:input=move |e| state.dispatch(Event::GenerateText(GenerateField::Seed, event_target_value(&e))) />
                        <button type="button" class="secondary" data-testid="generate-new-seed" title="Draw a random seed; the same seed always gives the same claims"
                            on:click=move |_| state.dispatch(Event::NewSeed { generate: true })>"New seed"</button>
                    </span>
                    <label for="fraud">"Planted fraud (%)"</label>
                    <input id="fraud" type="number" min="0" max="50" step="0.5" data-testid="fraud-input"
                        disabled=move || form.with(|f| f.scenario) == Scenario::Denial
                        title="Share of claims with a planted scheme (medical and pharmacy scenarios)"
                        prop:value=move || form.with(|f| f.fraud_percent.clone()) on:input=move |e| state.dispatch(Event::GenerateText(GenerateField::FraudPercent, event_target_value(&e))) />
                    <span></span>
                    <button type="submit" data-testid="generate-button" disabled=busy>"Generate"</button>
                </form>
                <p class="hint">{move || scenario_hint(form.with(|f| f.scenario))}</p>
            </section>
            <section class="panel" aria-labelledby="upload-heading">
                <h2 id="upload-heading">"Or use your own claims"</h2>
                <label
                    class="drop-zone"
                    class:dragging=move || dragging.get()
                    for="file-input"
                    data-testid="drop-zone"
                    on:dragover=move |event: DragEvent| {
                        event.prevent_default();
                        dragging.set(true);
                    }
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=on_drop
                >
                    <strong>"Drop a claims file here, or choose one"</strong>
                    <span class="hint">"CSV, TSV or pipe-delimited text, Excel .xlsx, or any of them in .gz or .zip. It is read in this tab and never uploaded."</span>
                </label>
                <input
                    id="file-input"
                    class="file-input"
                    type="file"
                    accept=".csv,.tsv,.txt,.psv,.dat,.gz,.zip,.xlsx"
                    data-testid="file-input"
                    disabled=busy
                    on:change=move |event| {
                        let input: HtmlInputElement = event_target(&event);
                        if let Some(file) = input.files().and_then(|files| files.get(0)) {
                            state.read_file(Some(file), FilePart::default());
                        }
                        input.set_value("");
                    }
                />
                <p class="join-file">
                    <label for="join-input">"Join a file to these claims: a provider or member list (with a label such as PotentialFraud), joined by the column they share."</label>
                    <input
                        id="join-input"
                        type="file"
                        accept=".csv,.tsv,.txt,.psv,.dat,.gz,.zip,.xlsx"
                        data-testid="join-input"
                        disabled=move || busy() || state.data.with(Option::is_none)
                        on:change=move |event| {
                            let input: HtmlInputElement = event_target(&event);
                            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                                state.with_file(file, Event::JoinFile);
                            }
                            input.set_value("");
                        }
                    />
                </p>
            </section>
            <section class="panel wide" aria-labelledby="preview-heading">
                <h2 id="preview-heading">"Preview"</h2>
                {move || state.data.get().map(|data| preview(&data.table))}
            </section>
            <section class="panel wide" aria-labelledby="report-heading" data-testid="schema-report">
                <h2 id="report-heading">"Schema report"</h2>
                {move || state.data.get().map(|data| match &data.loaded.report {
                    Some(report) => file_report(report, &data.loaded.plan).into_any(),
                    None => generated_report(&data.loaded.source, &data.loaded.plan).into_any(),
                })}
            </section>
        </div>
    }
}

fn scenario_title(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Denial => "Denial teaching set",
        Scenario::Medical => "Medical claim lines",
        Scenario::Pharmacy => "Pharmacy copay card",
    }
}

fn scenario_hint(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Denial => "A surgery without pre-authorisation is denied; otherwise a diagnosis mismatch is denied; otherwise 5% are denied as administrative noise.",
        Scenario::Medical => "Claim lines from members and providers, with planted upcoding, unbundling, excessive units, duplicates, impossible demographics, overbilling and weekend surges (label is_anomaly).",
        Scenario::Pharmacy => "Copay-card fills with planted early refills, one-and-done patients, pharmacy–prescriber rings, government-insured use, cross-state fills and inactive pharmacies (label is_anomaly).",
    }
}

fn preview(table: &crate::claims::ClaimsTable) -> impl IntoView {
    let n = table.n_rows().min(PREVIEW_ROWS);
    let headers = table.columns().iter().map(|c| view! { <th scope="col">{c.name.clone()}</th> }).collect_view();
    let rows = (0..n)
        .map(|row| {
            let cells = table.columns().iter().map(|c| view! { <td>{c.data.display(row)}</td> }).collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <p class="hint">{format!("The first {n} of {} claims, as loaded.", format_count(table.n_rows()))}</p>
        <div class="table-scroll" tabindex="0" role="region" aria-label="Preview of the first claims">
            <table class="plain" data-testid="preview-table">
                <thead><tr>{headers}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn generated_report(source: &str, plan: &FeaturePlan) -> impl IntoView {
    view! {
        <p>{format!("{source}: generated in this tab, so every column is in the canonical schema.")}</p>
        {plan_summary(plan)}
    }
}

fn plan_summary(plan: &FeaturePlan) -> impl IntoView {
    let skipped = plan
        .skipped
        .iter()
        .map(|s| view! { <li><code>{s.feature.clone()}</code>" needs "{s.missing.join(", ")}</li> })
        .collect_view();
    view! {
        <p data-testid="derived-count">
            {format!("{} derived features were built (member, provider and pharmacy aggregates).", plan.features.len())}
        </p>
        <details>
            <summary>{format!("{} derived features skipped for want of a column", plan.skipped.len())}</summary>
            <ul class="compact">{skipped}</ul>
        </details>
    }
}

/// A chooser of the container's other parts (zip entries or workbook sheets), when it has any:
/// picking one reads that part of the same file again.
fn part_chooser(format: &SourceFormat, others: &[String]) -> Option<impl IntoView> {
    let state = expect_context::<AppState>();
    let (label, current, sheets) = match format {
        SourceFormat::Zip { entry } => ("File in the archive", entry, false),
        SourceFormat::Xlsx { sheet } => ("Worksheet", sheet, true),
        SourceFormat::Text | SourceFormat::Gzip => return None,
    };
    if others.is_empty() {
        return None;
    }
    let options = std::iter::once(current)
        .chain(others)
        .map(|name| view! { <option value=name.clone() selected=name == current>{name.clone()}</option> })
        .collect_view();
    let on_change = move |event: leptos::ev::Event| {
        let chosen = event_target_value(&event);
        let part = if sheets {
            FilePart { sheet: Some(chosen), ..FilePart::default() }
        } else {
            FilePart { entry: Some(chosen), ..FilePart::default() }
        };
        state.read_file(None, part);
    };
    Some(view! {
        <div class="part-chooser">
            <label for="part-select">{label}</label>
            <select id="part-select" data-testid="part-select" on:change=on_change>{options}</select>
        </div>
    })
}

fn file_report(report: &SchemaReport, plan: &FeaturePlan) -> impl IntoView {
    let facts = format!(
        "{}: {}, {}{}; profile {} (asked {}). {} rows seen, {} loaded, {} rejected; {} unreadable cells.",
        report.file,
        report.describe_source(),
        report.encoding,
        report.delimiter.as_ref().map(|d| format!(", delimiter {d}")).unwrap_or_default(),
        report.profile_used,
        report.profile_requested,
        format_count(report.rows_seen),
        format_count(report.rows_loaded),
        format_count(report.rows_rejected),
        format_count(report.cell_problem_count),
    );
    let columns = report
        .columns
        .iter()
        .map(|c| {
            let shown = match (&c.canonical, &c.suggested) {
                (Some(canonical), _) => canonical.clone(),
                (None, Some(suggested)) => format!("(kept as is; perhaps {suggested})"),
                (None, None) => "(kept as is)".into(),
            };
            view! {
                <tr>
                    <td>{c.header.clone()}</td>
                    <td>{shown}</td>
                    <td>{c.matched_by.clone().unwrap_or_default()}</td>
                    <td>{format!("{:?}", c.column_type)}</td>
                    <td class="num">{format_count(c.missing)}</td>
                    <td class="num">{format_count(c.unparsed)}</td>
                </tr>
            }
        })
        .collect_view();
    let missing =
        report.missing.iter().map(|m| format!("{} ({})", m.canonical, m.group)).collect::<Vec<_>>().join(", ");
    // A file with hardly any claims column (an auto-insurance file, a survey) gets a plain
    // report, not a list of "missing" columns it was never meant to have.
    let claims_like = report.columns.iter().filter(|c| c.canonical.is_some()).count() >= 2;
    let rejected =
        report.rejected_rows.iter().map(|r| view! { <li>{format!("row {}: {}", r.row, r.reason)}</li> }).collect_view();
    let problems = report
        .cell_problems
        .iter()
        .take(20)
        .map(|p| view! { <li>{format!("row {}, column {}: '{}' is not a {:?}", p.row, p.column, p.value, p.expected)}</li> })
        .collect_view();
    let notes = report.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view();
    view! {
        <p data-testid="schema-facts">{facts}</p>
        {part_chooser(&report.format, &report.other_parts)}
        <div class="table-scroll" tabindex="0" role="region" aria-label="Column mapping">
            <table class="plain">
                <thead><tr>
                    <th scope="col">"Header"</th><th scope="col">"Canonical column"</th><th scope="col">"Matched by"</th>
                    <th scope="col">"Type"</th><th scope="col">"Missing"</th><th scope="col">"Unreadable"</th>
                </tr></thead>
                <tbody>{columns}</tbody>
            </table>
        </div>
        {if claims_like {
            view! { <p><strong>"Canonical columns not in the file: "</strong>{if missing.is_empty() { "none".to_owned() } else { missing }}</p> }.into_any()
        } else {
            view! { <p data-testid="plain-report">"No claims columns were recognised, so the file is read as it is: every column keeps its header, and any of them may be a label or a feature."</p> }.into_any()
        }}
        {plan_summary(plan)}
        <details open=!report.rejected_rows.is_empty()>
            <summary>{format!("{} rejected rows", format_count(report.rows_rejected))}</summary>
            <ul class="compact" data-testid="rejected-rows">{rejected}</ul>
        </details>
        <details>
            <summary>{format!("{} unreadable cells (first 20 shown)", format_count(report.cell_problem_count))}</summary>
            <ul class="compact">{problems}</ul>
        </details>
        <ul class="compact">{notes}</ul>
    }
}
