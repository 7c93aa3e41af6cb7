//! What every request handler and page loader can reach: the pool, the figure cache and the
//! group commit of survey writes.
use super::Db;
use leptos::config::LeptosOptions;

/// What every request handler and page loader can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub leptos_options: LeptosOptions,
    /// Figures already computed for the data's current version.
    pub figures: super::figures::FigureCache,
    /// Survey writes from many staff at once share transactions and syncs to disk.
    pub writes: super::writes::group::GroupCommit<super::writes::surveys::Entry>,
}

impl AppState {
    pub fn new(db: Db, leptos_options: LeptosOptions) -> Self {
        AppState { db, leptos_options, figures: Default::default(), writes: Default::default() }
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl axum::extract::FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}
