//! reformdash's shared half. Behind `ssr`: the pages and the app around them (`shell`),
//! rendered on the server only, and the database code (`ssr/`). In both halves: the pure
//! domain, the texts of both languages, the page data types, and the islands, the only
//! components the browser runs (with `nav.js`, started by `hydrate`).
#![recursion_limit = "256"]

pub mod charts;
pub mod domain;
pub mod i18n;
pub mod islands;
pub mod page_data;
#[cfg(feature = "ssr")]
pub mod pages;
#[cfg(feature = "ssr")]
mod shell;
#[cfg(feature = "ssr")]
pub mod ssr;

#[cfg(feature = "ssr")]
pub use shell::{shell, App, PROVINCE_NAME};
#[cfg(feature = "hydrate")]
use leptos::prelude::document;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/nav.js")]
extern "C" {
    #[wasm_bindgen(js_name = startNavigation)]
    fn start_navigation();
}

/// Called by Leptos' island loader once the wasm is in; it then hydrates each island.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    start_navigation();
    // A mark for people and browser tests alike: from here on the page is interactive.
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
