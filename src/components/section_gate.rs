//! When the shell builds the secrets section (see `model::first_paint` for why it waits).

use std::time::Duration;

use leptos::prelude::*;

use crate::model::first_paint::{section_may_start, FirstRead, SECTION_WAIT_CAP_MS};
use crate::secrets::data::RegionData;

/// Turns true, once, when the secrets section may be built: every region's first answer is on
/// screen, or the wait is capped (`model::first_paint`). In the split build the section's piece is
/// fetched only then, so the panels' own data never queues behind it. Its data loads on its own
/// either way; only the building of its views waits. The building itself waits for that data to
/// be painted: built in the task that drew the regions' data, the two were one long task.
pub fn section_gate(regions: &[RegionData]) -> RwSignal<bool> {
    let built = RwSignal::new(false);
    let open = move || {
        leptos::task::spawn_local(async move {
            crate::api::turn::after_paint(100).await;
            let _ = built.try_set(true);
        });
    };
    let watched: Vec<_> = regions.iter().map(|r| (r.signals.state, r.secrets)).collect();
    let asked = StoredValue::new(false);
    let ask = move || {
        if !asked.get_value() {
            asked.set_value(true);
            open();
        }
    };
    Effect::new(move |_| {
        // Once asked, this run reads no signal, so the effect never runs again.
        if asked.get_value() {
            return;
        }
        let firsts: Vec<FirstRead> = watched
            .iter()
            .map(|(state, list)| {
                // `listed` is what the panel's summary shows a count for (`SecretsLoad::has_count`).
                let (listed, failed, signed_out) = list.with(|l| (l.has_count(), l.error.is_some(), l.signed_out));
                FirstRead { state: state.get(), listed, failed, signed_out }
            })
            .collect();
        if section_may_start(&firsts) {
            ask();
        }
    });
    if let Ok(h) = set_timeout_with_handle(ask, Duration::from_millis(SECTION_WAIT_CAP_MS.into())) {
        on_cleanup(move || h.clear());
    }
    built
}
