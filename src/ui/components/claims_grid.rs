//! The virtualized claims table: only the rows in view are in the DOM, so a million scored
//! claims scroll smoothly. Headers sort; arrow keys move a cursor and Enter opens a claim.

use std::sync::Arc;

use leptos::html::Div;
use leptos::prelude::*;
use web_sys::KeyboardEvent;

use crate::analysis::tiers::TierCuts;
use crate::claims::ClaimsTable;
use crate::page::results::SortKey;
use crate::page::VirtualRows;
use crate::ui::state::{Ranking, RulesView};

const COLUMN_MIN_REM: f64 = 8.0;
const ROW_HEIGHT: f64 = 32.0;
const VIEWPORT_HEIGHT: f64 = 448.0;
const GEOMETRY: VirtualRows = VirtualRows { row_height: ROW_HEIGHT, viewport_height: VIEWPORT_HEIGHT, overscan: 8 };

/// How the grid is sorted, and how a header click changes it.
#[derive(Clone, Copy)]
pub struct GridSort {
    /// The current key.
    pub key: Signal<SortKey>,
    /// Largest first.
    pub descending: Signal<bool>,
    /// Called with the clicked header's key.
    pub on_sort: Callback<SortKey>,
}

/// Claims in `rows` order, with score, prediction and tier columns once scored.
#[component]
pub fn ClaimsGrid(
    /// The claims.
    #[prop(into)]
    table: Signal<Option<Arc<ClaimsTable>>>,
    /// Row indices to show, in order.
    #[prop(into)]
    rows: Signal<Arc<Vec<u32>>>,
    /// The scores and the model that ranks.
    #[prop(into)]
    ranking: Signal<Option<Ranking>>,
    /// Tier cut points.
    #[prop(into)]
    cuts: Signal<TierCuts>,
    /// The selected claim.
    #[prop(into)]
    selected: Signal<Option<usize>>,
    /// Opens a claim's explanation.
    on_open: Callback<usize>,
    /// Sorting, when the grid sorts.
    #[prop(optional)]
    sort: Option<GridSort>,
    /// The rules running on the claims, for the rules column.
    #[prop(optional)]
    rules: Option<Signal<Option<Arc<RulesView>>>>,
    /// The `data-testid` of each row ("claim-row", "queue-row").
    row_test_id: &'static str,
    /// The table's accessible name.
    label: &'static str,
) -> impl IntoView {
    let has_rules = move || rules.is_some_and(|rules| rules.with(Option::is_some));
    let scroll_top = RwSignal::new(0.0f64);
    let cursor = RwSignal::new(0usize);
    let scroller = NodeRef::<Div>::new();
    let headers = move || {
        let names: Vec<(String, SortKey)> = table.with(|t| {
            t.as_ref()
                .map(|t| t.columns().iter().enumerate().map(|(i, c)| (c.name.clone(), SortKey::Column(i))).collect())
                .unwrap_or_default()
        });
        let mut leading: Vec<(String, SortKey)> = vec![("#".into(), SortKey::Row)];
        if ranking.with(Option::is_some) {
            for name in ["priority", "score", "prediction", "tier"] {
                leading.push((name.into(), SortKey::Priority));
            }
        }
        if has_rules() {
            leading.push(("rules hit".into(), SortKey::Priority));
        }
        leading.extend(names);
        leading
    };
    let n_columns = move || headers().len().max(1);
    let min_width = move || format!("{}rem", n_columns() as f64 * COLUMN_MIN_REM);
    let template = move || format!("repeat({}, minmax({COLUMN_MIN_REM}rem, 1fr))", n_columns());
    let n_rows = move || rows.with(|r| r.len());
    let open_at = move |position: usize| {
        if let Some(&row) = rows.with_untracked(|r| r.get(position).copied()).as_ref() {
            on_open.run(row as usize);
        }
    };
    let body = move || {
        let Some(table) = table.get() else { return Vec::new() };
        let ranking = ranking.get();
        let cuts = cuts.get();
        let order = rows.get();
        let range = GEOMETRY.visible(scroll_top.get(), order.len());
        let chosen = selected.get();
        let cursor_at = cursor.get();
        let rules = rules.and_then(|rules| rules.get());
        range
            .filter_map(|position| order.get(position).map(|&row| (position, row as usize)))
            .map(|(position, row)| {
                let mut cells = vec![(row + 1).to_string()];
                let priority = ranking.as_ref().map(|r| r.priority().get(row).copied().unwrap_or(f64::NAN));
                if let (Some(ranking), Some(priority)) = (&ranking, priority) {
                    let run = ranking.run();
                    let score = run.scores.get(row).copied().unwrap_or(f64::NAN);
                    cells.push(format!("{priority:.3}"));
                    cells.push(format!("{score:.3}"));
                    cells.push(if score >= run.threshold { run.positive_word.clone() } else { "—".into() });
                    cells.push(cuts.tier(priority).label().into());
                }
                if let Some(rules) = &rules {
                    let ids: Vec<&str> = rules.outcome.hits_of(row).map(|rule| rule.id.as_str()).collect();
                    cells.push(if ids.is_empty() { "—".into() } else { ids.join(", ") });
                }
                cells.extend(table.columns().iter().map(|c| c.data.display(row)));
                let tier_class = priority.map(|p| cuts.tier(p).slug());
                view! {
                    <div
                        class="grid-row"
                        class:striped=position % 2 == 1
                        class:selected=chosen == Some(row)
                        class:cursor=cursor_at == position
                        role="row"
                        aria-rowindex=position + 2
                        aria-selected=(chosen == Some(row)).to_string()
                        data-testid=row_test_id
                        data-row=row
                        style:transform=format!("translateY({}px)", GEOMETRY.offset_of(position))
                        on:click=move |_| {
                            cursor.set(position);
                            on_open.run(row);
                        }
                    >
                        {cells
                            .into_iter()
                            .enumerate()
                            .map(|(i, text)| {
                                let is_tier = ranking.is_some() && i == 4;
                                view! {
                                    <div role="cell" class="grid-cell">
                                        {if is_tier {
                                            view! { <span class=format!("tier-badge {}", tier_class.unwrap_or("low")) data-testid="tier-badge">{text}</span> }.into_any()
                                        } else {
                                            text.into_any()
                                        }}
                                    </div>
                                }
                            })
                            .collect_view()}
                    </div>
                }
            })
            .collect()
    };
    let move_cursor = move |to: usize| {
        let last = n_rows().saturating_sub(1);
        let to = to.min(last);
        cursor.set(to);
        if let Some(element) = scroller.get_untracked() {
            let top = GEOMETRY.offset_of(to);
            let view_top = f64::from(element.scroll_top());
            if top < view_top {
                element.set_scroll_top(top as i32);
            } else if top + ROW_HEIGHT * 2.0 > view_top + VIEWPORT_HEIGHT {
                element.set_scroll_top((top + ROW_HEIGHT * 2.0 - VIEWPORT_HEIGHT) as i32);
            }
        }
    };
    let on_key = move |event: KeyboardEvent| {
        let page = (VIEWPORT_HEIGHT / ROW_HEIGHT) as usize;
        let at = cursor.get_untracked();
        match event.key().as_str() {
            "ArrowDown" => move_cursor(at + 1),
            "ArrowUp" => move_cursor(at.saturating_sub(1)),
            "PageDown" => move_cursor(at + page),
            "PageUp" => move_cursor(at.saturating_sub(page)),
            "Home" => move_cursor(0),
            "End" => move_cursor(usize::MAX),
            "Enter" | " " => open_at(at),
            _ => return,
        }
        event.prevent_default();
    };
    let header_cells = move || {
        headers()
            .into_iter()
            .map(|(name, key)| {
                let label = name.clone();
                match sort {
                    Some(sort) => {
                        let is_score = key != SortKey::Priority || label == "priority";
                        let active = move || is_score && sort.key.get() == key;
                        let aria = move || match (active(), sort.descending.get()) {
                            (false, _) => "none",
                            (true, true) => "descending",
                            (true, false) => "ascending",
                        };
                        view! {
                            <div role="columnheader" class="grid-cell" aria-sort=aria>
                                <button type="button" class="sort-button" data-testid="sort-button" data-column=name.clone()
                                    on:click=move |_| sort.on_sort.run(key)>
                                    {name.clone()}
                                    <span aria-hidden="true">{move || if !active() { "" } else if sort.descending.get() { " ▼" } else { " ▲" }}</span>
                                </button>
                            </div>
                        }
                        .into_any()
                    }
                    None => view! { <div role="columnheader" class="grid-cell">{name}</div> }.into_any(),
                }
            })
            .collect_view()
    };
    view! {
        <div
            class="grid-scroll"
            role="table"
            aria-label=label
            aria-rowcount=move || n_rows() + 1
            tabindex="0"
            node_ref=scroller
            data-testid=match row_test_id {
                "queue-row" => "queue-table",
                "summary-row" => "summary-grid",
                "entity-claim-row" => "entity-claims-table",
                _ => "claims-table",
            }
            style:--grid-template=template
            style:--grid-min-width=min_width
            on:scroll=move |event| {
                let element: web_sys::Element = event_target(&event);
                scroll_top.set(f64::from(element.scroll_top()));
            }
            on:keydown=on_key
        >
            <div role="rowgroup" class="grid-head">
                <div role="row" class="grid-row head" aria-rowindex="1">{header_cells}</div>
            </div>
            <div role="rowgroup" class="grid-body" style:height=move || format!("{}px", GEOMETRY.total_height(n_rows()))>
                {body}
            </div>
        </div>
    }
}
