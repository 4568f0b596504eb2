//! A labelled progress bar with a cancel button, shown while a long job runs.

use leptos::prelude::*;

/// Shows while `percent` is `Some`: a bar (indeterminate while the inner value is `None`),
/// what is happening and the elapsed time, and a cancel button.
#[component]
pub fn ProgressBar(
    /// `None` hides the bar; `Some(None)` is work of unknown size; `Some(Some(p))` is p percent.
    #[prop(into)]
    percent: Signal<Option<Option<u32>>>,
    /// What is happening, with the elapsed time.
    #[prop(into)]
    label: Signal<String>,
    /// Called when the user cancels.
    on_cancel: Callback<()>,
) -> impl IntoView {
    move || {
        percent.get().map(|value| {
            let width = value.map_or_else(String::new, |v| format!("{v}%"));
            view! {
                <div class="progress">
                    <div
                        class="progress-track"
                        class:indeterminate=value.is_none()
                        role="progressbar"
                        aria-label="Progress"
                        aria-valuemin="0"
                        aria-valuemax="100"
                        aria-valuenow=value
                        aria-valuetext=move || label.get()
                        data-testid="train-progress"
                    >
                        <div class="progress-fill" style:width=width></div>
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
