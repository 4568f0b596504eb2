//! A labelled progress bar with a cancel button, shown while a job runs.

use leptos::prelude::*;

/// Shows `percent` (0–100) and `label`; hidden when `percent` is `None`.
#[component]
pub fn ProgressBar(
    /// Percent done, or `None` when nothing runs.
    #[prop(into)]
    percent: Signal<Option<u32>>,
    /// Text such as "37 of 100 trees · 1.2 s".
    #[prop(into)]
    label: Signal<String>,
    /// Called when the user cancels.
    on_cancel: Callback<()>,
) -> impl IntoView {
    move || {
        percent.get().map(|value| {
            view! {
                <div class="progress">
                    <div
                        class="progress-track"
                        role="progressbar"
                        aria-label="Training progress"
                        aria-valuemin="0"
                        aria-valuemax="100"
                        aria-valuenow=value
                        aria-valuetext=move || label.get()
                        data-testid="train-progress"
                    >
                        <div class="progress-fill" style:width=format!("{value}%")></div>
                    </div>
                    <span class="progress-label" aria-live="polite">{move || label.get()}</span>
                    <button type="button" class="secondary" data-testid="cancel-button" on:click=move |_| on_cancel.run(())>
                        "Cancel"
                    </button>
                </div>
            }
        })
    }
}
