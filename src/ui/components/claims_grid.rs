//! The virtualized claims table: only the rows in view are in the DOM.

use std::sync::Arc;

use leptos::prelude::*;

use crate::claims::ClaimsTable;
use crate::pipeline::TrainReport;
use crate::workspace::{format_metric, VirtualRows};

const COLUMN_MIN_REM: f64 = 8.5;
const GEOMETRY: VirtualRows = VirtualRows { row_height: 32.0, viewport_height: 448.0, overscan: 8 };

/// Every claim with its columns and, once trained, its score, prediction and split.
#[component]
pub fn ClaimsGrid(
    /// The claims.
    #[prop(into)]
    table: Signal<Option<Arc<ClaimsTable>>>,
    /// The latest training report, whose scores are in table order.
    #[prop(into)]
    report: Signal<Option<Arc<TrainReport>>>,
) -> impl IntoView {
    let scroll_top = RwSignal::new(0.0f64);
    let headers = move || {
        let mut names = table.with(|t| t.as_ref().map(|t| t.column_names()).unwrap_or_default());
        if report.with(Option::is_some) {
            names.extend(["score", "prediction", "split"].map(String::from));
        }
        names
    };
    // Every row is its own grid, so all rows get the same explicit width to share one geometry.
    let min_width = move || format!("{}rem", headers().len().max(1) as f64 * COLUMN_MIN_REM);
    let template = move || format!("repeat({}, minmax({COLUMN_MIN_REM}rem, 1fr))", headers().len().max(1));
    let n_rows = move || table.with(|t| t.as_ref().map_or(0, |t| t.n_rows()));
    let rows = move || {
        let (Some(table), report) = (table.get(), report.get()) else {
            return Vec::new();
        };
        let range = GEOMETRY.visible(scroll_top.get(), table.n_rows());
        range
            .map(|row_idx| {
                let mut cells: Vec<String> = table.columns().iter().map(|c| c.data.display(row_idx)).collect();
                if let Some(report) = &report {
                    let score = report.scores.get(row_idx).copied().unwrap_or(f64::NAN);
                    cells.push(format_metric(score));
                    cells.push(if score >= 0.5 { "1".into() } else { "0".into() });
                    cells.push(if report.is_test_row.get(row_idx).copied().unwrap_or(false) { "test".into() } else { "train".into() });
                }
                view! {
                    <div
                        class="grid-row"
                        class:striped=row_idx % 2 == 1
                        role="row"
                        aria-rowindex=row_idx + 2
                        data-testid="claim-row"
                        style:transform=format!("translateY({}px)", GEOMETRY.offset_of(row_idx))
                    >
                        {cells.into_iter().map(|text| view! { <div role="cell" class="grid-cell">{text}</div> }).collect_view()}
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <div
            class="grid-scroll"
            role="table"
            aria-label="Claims"
            aria-rowcount=move || n_rows() + 1
            tabindex="0"
            data-testid="claims-table"
            style:--grid-template=template
            style:--grid-min-width=min_width
            on:scroll=move |event| {
                let element: web_sys::Element = event_target(&event);
                scroll_top.set(f64::from(element.scroll_top()));
            }
        >
            <div role="rowgroup" class="grid-head">
                <div role="row" class="grid-row head" aria-rowindex="1">
                    {move || headers().into_iter().map(|name| view! { <div role="columnheader" class="grid-cell">{name}</div> }).collect_view()}
                </div>
            </div>
            <div role="rowgroup" class="grid-body" style:height=move || format!("{}px", GEOMETRY.total_height(n_rows()))>
                {rows}
            </div>
        </div>
    }
}
