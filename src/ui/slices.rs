//! How the page's model is published to the components: a [`Slice`] reads one field of the
//! model and subscribes to a trigger that fires only when that field changed, noticed by
//! value or (for shared values, which are replaced and never edited) by allocation. The
//! `slices!` macro declares the published fields once.

use std::sync::{Arc, Weak};

use leptos::prelude::*;

use crate::page::PageModel;

/// One field of the model as the panels read it: reading tracks the field's trigger, which
/// fires only when the field changed. Cheap to copy.
pub struct Slice<T: 'static> {
    pub(super) trigger: Trigger,
    pub(super) model: StoredValue<PageModel>,
    pub(super) read: fn(&PageModel) -> &T,
}

impl<T: 'static> Clone for Slice<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Slice<T> {}

impl<T: 'static> Slice<T> {
    /// Reads the field, and re-runs the caller when it changes.
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.trigger.track();
        self.with_untracked(f)
    }

    /// Reads the field without subscribing.
    pub fn with_untracked<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        let read = self.read;
        self.model.with_value(|model| f(read(model)))
    }

    /// Re-runs the caller when the field changes.
    pub fn track(&self) {
        self.trigger.track();
    }
}

impl<T: Clone + 'static> Slice<T> {
    /// A copy of the field, subscribing.
    pub fn get(&self) -> T {
        self.with(T::clone)
    }

    /// A copy of the field, without subscribing.
    pub fn get_untracked(&self) -> T {
        self.with_untracked(T::clone)
    }
}

impl<T: Clone + Send + Sync + 'static> From<Slice<T>> for Signal<T> {
    fn from(slice: Slice<T>) -> Self {
        Signal::derive(move || slice.get())
    }
}

/// How a field's change is noticed: by value, or (for shared values, which are replaced and
/// never edited) by which allocation it is.
pub(super) trait Mark<Kind> {
    /// What is kept of the field before an event.
    type Mark;
    /// Keeps it.
    fn mark(&self) -> Self::Mark;
    /// Whether the field is as it was.
    fn same(&self, before: &Self::Mark) -> bool;
}

/// Compared by value.
pub(super) struct ByValue;
/// Compared by allocation; a weak reference keeps the address from being reused without
/// keeping the value (old claims are freed before new ones are decoded).
pub(super) struct ByAddress;

impl<T: Clone + PartialEq> Mark<ByValue> for T {
    type Mark = T;
    fn mark(&self) -> T {
        self.clone()
    }
    fn same(&self, before: &T) -> bool {
        self == before
    }
}

impl<T> Mark<ByAddress> for Option<Arc<T>> {
    type Mark = Option<Weak<T>>;
    fn mark(&self) -> Option<Weak<T>> {
        self.as_ref().map(Arc::downgrade)
    }
    fn same(&self, before: &Option<Weak<T>>) -> bool {
        match (self, before) {
            (Some(now), Some(then)) => std::ptr::eq(Arc::as_ptr(now), then.as_ptr()),
            (None, None) => true,
            _ => false,
        }
    }
}

/// Declares the published slices once: the field, its type and how a change is noticed.
/// Each slice has a trigger, fired after an event or a reply changed its field.
macro_rules! slices {
    ($($(#[$doc:meta])* $name:ident: $ty:ty = $kind:ident;)*) => {
        /// The model's fields as the panels read them (through [`AppState`]).
        #[derive(Clone, Copy)]
        pub struct Published {
            $($(#[$doc])* pub $name: Slice<$ty>,)*
        }

        fn publish(model: StoredValue<PageModel>) -> Published {
            Published { $($name: Slice { trigger: Trigger::new(), model, read: |m| &m.$name },)* }
        }

        /// The fields as they were before an event or a reply.
        struct Snapshot {
            $($name: <$ty as Mark<$kind>>::Mark,)*
        }

        impl Snapshot {
            fn of(model: &PageModel) -> Self {
                Snapshot { $($name: <$ty as Mark<$kind>>::mark(&model.$name),)* }
            }

            /// The triggers of the fields that differ now.
            fn changed(&self, published: &Published, after: &PageModel) -> Vec<Trigger> {
                let mut triggers = Vec::new();
                $(if !<$ty as Mark<$kind>>::same(&after.$name, &self.$name) {
                    triggers.push(published.$name.trigger);
                })*
                triggers
            }
        }
    };
}

pub(super) use slices;
