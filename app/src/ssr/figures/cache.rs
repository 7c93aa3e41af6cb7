//! Figures computed once per version of the data. Every write transaction raises
//! `data_version` as its first statement ([`crate::ssr::writes::begin`]), so a figure
//! computed after reading version V holds every write up to V: it can be served to anyone
//! who reads V again, and a request that reads a newer version computes afresh. Nothing is
//! ever served older than the version its request saw, so the figures stay exactly the
//! contract's (`server/tests/cache.rs` checks that after random writes on both engines).
//!
//! The cache sits in front of whole results (a page's data, an API list, a download's
//! rows), keyed by what the result depends on. Concurrent requests for one key wait for a
//! single computation instead of each running the same aggregate. Bounded: at most
//! [`MAX_ENTRIES`] results of one version are kept; past that, the oldest half is dropped.
use super::super::Db;
use sea_orm::{DbErr, FromQueryResult};
use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Results kept for one version of the data. A result is a page's figures (a few hundred
/// rows at most, ~100 KB with its charts), so this bounds the cache to some tens of MB.
pub const MAX_ENTRIES: usize = 256;

type Slot = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

#[derive(Default)]
struct Generation {
    version: i64,
    slots: HashMap<String, Slot>,
    order: VecDeque<String>,
}

/// Shared by every request of one server (cloning shares it).
#[derive(Clone, Default)]
pub struct FigureCache {
    current: Arc<Mutex<Generation>>,
}

#[derive(FromQueryResult)]
struct VersionRow {
    version: i64,
}

/// The version of the data now: raised by every committed write.
pub async fn data_version(db: &Db) -> Result<i64, DbErr> {
    use sea_orm::Statement;
    let sql = "SELECT version FROM data_version WHERE id = 1";
    let row = VersionRow::find_by_statement(Statement::from_string(db.get_database_backend(), sql)).one(db).await?;
    Ok(row.map_or(0, |r| r.version))
}

impl FigureCache {
    /// The result for `key`, computed by `compute` unless a request that saw this version
    /// of the data (or a newer one) already did. An error is returned and not kept.
    pub async fn get<T, E, Fut>(&self, db: &Db, key: String, compute: impl FnOnce() -> Fut) -> Result<T, E>
    where
        T: Clone + Send + Sync + 'static,
        E: From<DbErr>,
        Fut: Future<Output = Result<T, E>>,
    {
        let version = data_version(db).await?;
        // Pages print today's date and default to the current year: a result is of its day.
        // The result's type is part of the key, so two callers with the same words but
        // different results (a page's data, an API list) cannot meet.
        let today = chrono::Utc::now().date_naive();
        let slot = self.slot(version, format!("{today} {} {key}", std::any::type_name::<T>()));
        let value = slot
            .get_or_try_init(|| async { compute().await.map(|v| Arc::new(v) as Arc<dyn Any + Send + Sync>) })
            .await?;
        Ok(value.downcast_ref::<T>().expect("the key names the type").clone())
    }

    /// The slot of `key` for `version`. A newer version starts an empty generation; a request
    /// that saw an older one than the cache holds is served the newer figures, which include
    /// everything it could have seen.
    fn slot(&self, version: i64, key: String) -> Slot {
        let mut g = self.current.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if version > g.version {
            *g = Generation { version, ..Default::default() };
        }
        if let Some(slot) = g.slots.get(&key) {
            return slot.clone();
        }
        if g.order.len() >= MAX_ENTRIES {
            for old in g.order.drain(..MAX_ENTRIES / 2).collect::<Vec<_>>() {
                g.slots.remove(&old);
            }
        }
        let slot = Slot::default();
        g.slots.insert(key.clone(), slot.clone());
        g.order.push_back(key);
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl FigureCache {
        fn len(&self) -> usize {
            self.current.lock().unwrap().slots.len()
        }
    }

    #[test]
    fn a_newer_version_starts_afresh_and_an_older_one_does_not_go_back() {
        let cache = FigureCache::default();
        let a = cache.slot(1, "k".into());
        assert!(Arc::ptr_eq(&a, &cache.slot(1, "k".into())));
        let b = cache.slot(2, "k".into());
        assert!(!Arc::ptr_eq(&a, &b));
        // A request that read version 1 after the cache moved to 2 gets version 2's slot.
        assert!(Arc::ptr_eq(&b, &cache.slot(1, "k".into())));
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = FigureCache::default();
        for i in 0..MAX_ENTRIES * 3 {
            cache.slot(7, format!("k{i}"));
            assert!(cache.len() <= MAX_ENTRIES);
        }
        // The newest entries are the ones kept.
        let newest = cache.slot(7, format!("k{}", MAX_ENTRIES * 3 - 1));
        assert!(Arc::ptr_eq(&newest, &cache.slot(7, format!("k{}", MAX_ENTRIES * 3 - 1))));
    }
}
