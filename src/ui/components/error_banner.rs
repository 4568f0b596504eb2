//! The error banner: one sentence saying what went wrong, dismissible.

use leptos::prelude::*;

/// Shows `error` when it is `Some`; `on_dismiss` clears it.
#[component]
pub fn ErrorBanner(
    /// The sentence to show.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Called when the user dismisses the banner.
    on_dismiss: Callback<()>,
) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <div class="error-banner" role="alert" data-testid="error-banner">
                    <span>{message}</span>
                    <button type="button" class="link" aria-label="Dismiss error" on:click=move |_| on_dismiss.run(())>
                        "Dismiss"
                    </button>
                </div>
            }
        })
    }
}
