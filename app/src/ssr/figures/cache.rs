//! Figures computed once per version of the data. Every write transaction raises
//! `data_version` as its first statement ([`crate::ssr::writes::begin`]), so a figure
//! computed after reading version V holds every write up to V: it can be served to anyone
//! who reads V again, and a request that reads a newer version computes afresh. Nothing is
//! ever served older than the version its request saw, so the figures stay exactly the
//! contract's (`server/tests/it/cache.rs` checks that after random writes on both engines).
//!
//! Concurrent requests share their readings of the version ([`VersionReads`]): each is
//! served the version of a reading that began after it arrived, so it sees every write
//! committed before it, while the database answers one reading for a whole batch of them.
//!
//! The cache sits in front of whole results (a page's data, an API list, a download's
//! rows), keyed by what the result depends on: a typed key (the query as asked, normalised,
//! with the language where words are drawn) and the result's type. Concurrent requests for one key wait for a
//! single computation instead of each running the same aggregate. Bounded: at most
//! [`MAX_ENTRIES`] results of one version are kept; past that, the oldest half is dropped.
//!
//! Inside such a computation, the parts computed from the structure alone (units, their
//! parents and validity, adoptions, models) are kept by [`structural`] under the structure
//! version, which the database raises on any change of those tables and on nothing else
//! (`m20261208_000008_live_figures`). A survey write so empties the results but not the
//! communes and adoptions counted under them: the next computation reads the survey sums
//! of its period and takes the rest from memory.
use super::super::Db;
use sea_orm::{DbErr, FromQueryResult};
use std::any::{Any, TypeId};
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Results kept for one version of the data. A result is a page's figures (a few hundred
/// rows at most, ~100 KB with its charts), so this bounds the cache to some tens of MB.
pub const MAX_ENTRIES: usize = 256;

/// Parts of the structure kept for one structure version. A country's are the largest (the
/// completeness scope of 10,000 communes, ~1 MB), so this bounds them to some tens of MB
/// while a dashboard's dozen parts for a few filters stay.
pub const STRUCTURE_ENTRIES: usize = 64;

type Slot = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

/// What a caller keys its result by: any value that compares and hashes.
pub trait CacheKey: Hash + Eq + Send + Sync + 'static {}
impl<K: Hash + Eq + Send + Sync + 'static> CacheKey for K {}

/// A key of any type, compared with keys of its own type only.
trait AnyKey: Send + Sync {
    fn as_any(&self) -> &dyn Any;
    fn equals(&self, other: &dyn AnyKey) -> bool;
    fn hash_into(&self, state: &mut dyn Hasher);
}

impl<K: CacheKey> AnyKey for K {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn equals(&self, other: &dyn AnyKey) -> bool {
        other.as_any().downcast_ref::<K>() == Some(self)
    }
    fn hash_into(&self, mut state: &mut dyn Hasher) {
        self.hash(&mut state);
    }
}

/// A slot's key: the caller's key, its type and the result's type, so that two callers
/// whose keys look alike but whose results differ (a page's data, an API list) never meet.
#[derive(Clone)]
struct SlotKey {
    types: (TypeId, TypeId),
    key: Arc<dyn AnyKey>,
}

impl PartialEq for SlotKey {
    fn eq(&self, other: &Self) -> bool {
        self.types == other.types && self.key.equals(&*other.key)
    }
}

impl Eq for SlotKey {}

impl Hash for SlotKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.types.hash(state);
        self.key.hash_into(state);
    }
}

impl SlotKey {
    fn new<K: CacheKey, T: 'static>(key: K) -> Self {
        SlotKey { types: (TypeId::of::<K>(), TypeId::of::<T>()), key: Arc::new(key) }
    }
}

/// The results of one version of the data on one day: pages print today's date and default
/// to the current year, so a result is of its day. (The structure's results have no day.)
#[derive(Default)]
struct Generation {
    version: i64,
    day: Option<chrono::NaiveDate>,
    slots: HashMap<SlotKey, Slot>,
    order: VecDeque<SlotKey>,
}

impl Generation {
    /// The slot of `key` for `version`. A newer version (or day) starts an empty generation;
    /// a request that saw an older one than the cache holds is served the newer results,
    /// which include everything it could have seen.
    /// At most `bound` slots are kept: past that, the oldest half is dropped.
    fn slot(&mut self, version: i64, day: Option<chrono::NaiveDate>, key: SlotKey, bound: usize) -> Slot {
        if version > self.version || matches!((self.day, day), (Some(kept), Some(d)) if d > kept) {
            *self = Generation { version: version.max(self.version), day, ..Default::default() };
        }
        self.day = self.day.max(day);
        if let Some(slot) = self.slots.get(&key) {
            return slot.clone();
        }
        if self.order.len() >= bound {
            for old in self.order.drain(..bound / 2).collect::<Vec<_>>() {
                self.slots.remove(&old);
            }
        }
        let slot = Slot::default();
        self.slots.insert(key.clone(), slot.clone());
        self.order.push_back(key);
        slot
    }
}

type Shared = Arc<Mutex<Generation>>;

fn lock(g: &Shared) -> std::sync::MutexGuard<'_, Generation> {
    g.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Shared by every request of one server (cloning shares it).
#[derive(Clone, Default)]
pub struct FigureCache {
    current: Shared,
    structure: Shared,
    versions: Arc<VersionReads>,
}

/// The data's versions: `data` raised by every committed write, `structure` by those that
/// change units, adoptions or models.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Versions {
    pub data: i64,
    pub structure: i64,
}

tokio::task_local! {
    /// Within [`FigureCache::get`]'s computation: the structure's results and the structure
    /// version its request read, for [`structural`].
    static STRUCTURE: (Shared, i64);
}

/// The result of `compute`, which reads the structure alone (units, adoptions, models),
/// kept for the structure version the request read. Outside a [`FigureCache::get`] (the
/// CLI, a streamed export) it is computed each time.
pub async fn structural<K, T, E, Fut>(key: K, compute: impl FnOnce() -> Fut) -> Result<T, E>
where
    K: CacheKey,
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, E>>,
{
    let Ok((kept, version)) = STRUCTURE.try_with(Clone::clone) else {
        return compute().await;
    };
    let slot = lock(&kept).slot(version, None, SlotKey::new::<K, T>(key), STRUCTURE_ENTRIES);
    let value =
        slot.get_or_try_init(|| async { compute().await.map(|v| Arc::new(v) as Arc<dyn Any + Send + Sync>) }).await?;
    Ok(value.downcast_ref::<T>().expect("the key names the type").clone())
}

/// Readings of the data's version, one at a time, each shared by the requests that arrived
/// before it began. Under load, requests arrive while a reading is under way; they cannot
/// use it (a write may have committed after it read), so they wait for the next one, which
/// all of them share. A cached answer then costs a fraction of a query instead of one.
#[derive(Default)]
struct VersionReads {
    /// Readings begun so far: one numbered above what a request saw when it arrived began
    /// after it arrived.
    begun: AtomicU64,
    /// The last reading done (its number and the versions it read); held while reading.
    last: tokio::sync::Mutex<(u64, Versions)>,
}

impl VersionReads {
    async fn read<E, Fut>(&self, reading: impl FnOnce() -> Fut) -> Result<Versions, E>
    where
        Fut: Future<Output = Result<Versions, E>>,
    {
        let arrived = self.begun.load(Ordering::SeqCst);
        let mut last = self.last.lock().await;
        if last.0 > arrived {
            return Ok(last.1);
        }
        // Numbered before the query is sent, so a request that sees this number as begun
        // arrived before the query ran and does not count on it. A failed or cancelled
        // reading leaves `last` as it was: the next request reads again.
        let number = self.begun.fetch_add(1, Ordering::SeqCst) + 1;
        let version = reading().await?;
        *last = (number, version);
        Ok(version)
    }
}

#[derive(FromQueryResult)]
struct VersionRow {
    version: i64,
    structure: i64,
}

/// The versions of the data now.
pub async fn data_version(db: &Db) -> Result<Versions, DbErr> {
    use sea_orm::Statement;
    let sql = "SELECT version, structure FROM data_version WHERE id = 1";
    let row = VersionRow::find_by_statement(Statement::from_string(db.get_database_backend(), sql)).one(db).await?;
    Ok(row.map_or_else(Versions::default, |r| Versions { data: r.version, structure: r.structure }))
}

impl FigureCache {
    /// The result for `key`, computed by `compute` unless a request that saw this version
    /// of the data (or a newer one) already did. An error is returned and not kept.
    pub async fn get<K, T, E, Fut>(&self, db: &Db, key: K, compute: impl FnOnce() -> Fut) -> Result<T, E>
    where
        K: CacheKey,
        T: Clone + Send + Sync + 'static,
        E: From<DbErr>,
        Fut: Future<Output = Result<T, E>>,
    {
        let versions = self.versions.read(|| data_version(db)).await?;
        let slot = self.slot(versions.data, chrono::Utc::now().date_naive(), SlotKey::new::<K, T>(key));
        let structure = (self.structure.clone(), versions.structure);
        let value = slot
            .get_or_try_init(|| {
                STRUCTURE.scope(structure, async { compute().await.map(|v| Arc::new(v) as Arc<dyn Any + Send + Sync>) })
            })
            .await?;
        Ok(value.downcast_ref::<T>().expect("the key names the type").clone())
    }

    /// The slot of `key` for `version` on `day` (see [`Generation::slot`]).
    fn slot(&self, version: i64, day: chrono::NaiveDate, key: SlotKey) -> Slot {
        lock(&self.current).slot(version, Some(day), key, MAX_ENTRIES)
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

    fn day(d: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn v(data: i64) -> Versions {
        Versions { data, structure: 0 }
    }

    fn key(k: &str) -> SlotKey {
        SlotKey::new::<String, u8>(k.to_string())
    }

    #[test]
    fn a_newer_version_or_day_starts_afresh_and_an_older_one_does_not_go_back() {
        let cache = FigureCache::default();
        let a = cache.slot(1, day(7), key("k"));
        assert!(Arc::ptr_eq(&a, &cache.slot(1, day(7), key("k"))));
        let b = cache.slot(2, day(7), key("k"));
        assert!(!Arc::ptr_eq(&a, &b));
        // A request that read version 1 after the cache moved to 2 gets version 2's slot.
        assert!(Arc::ptr_eq(&b, &cache.slot(1, day(7), key("k"))));
        let c = cache.slot(2, day(8), key("k"));
        assert!(!Arc::ptr_eq(&b, &c), "a new day");
        assert!(Arc::ptr_eq(&c, &cache.slot(2, day(7), key("k"))), "a request begun yesterday");
    }

    #[test]
    fn keys_meet_only_their_own_type_and_result() {
        let cache = FigureCache::default();
        let text = cache.slot(1, day(7), SlotKey::new::<String, u8>("2024".into()));
        assert!(!Arc::ptr_eq(&text, &cache.slot(1, day(7), SlotKey::new::<String, u16>("2024".into()))));
        assert!(!Arc::ptr_eq(&text, &cache.slot(1, day(7), SlotKey::new::<(String,), u8>(("2024".into(),)))));
        assert!(!Arc::ptr_eq(&text, &cache.slot(1, day(7), SlotKey::new::<String, u8>("2025".into()))));
        assert!(Arc::ptr_eq(&text, &cache.slot(1, day(7), SlotKey::new::<String, u8>("2024".into()))));
    }

    /// A reading that counts itself and answers `version` once `go` lets it.
    fn reading(
        count: &Arc<AtomicU64>,
        version: i64,
        go: Option<tokio::sync::oneshot::Receiver<()>>,
    ) -> impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = Result<Versions, ()>> + Send>> {
        let count = count.clone();
        move || {
            Box::pin(async move {
                if let Some(go) = go {
                    go.await.map_err(|_| ())?;
                }
                count.fetch_add(1, Ordering::SeqCst);
                Ok(v(version))
            })
        }
    }

    #[tokio::test]
    async fn requests_that_arrive_during_a_reading_share_the_next_one() {
        let reads = Arc::new(VersionReads::default());
        let count = Arc::new(AtomicU64::new(0));
        let (go, held) = tokio::sync::oneshot::channel();
        let first = tokio::spawn({
            let (reads, read) = (reads.clone(), reading(&count, 1, Some(held)));
            async move { reads.read(read).await }
        });
        while reads.begun.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        // Ten requests arrive while the first reading is under way, after a write (version 2)
        // that it may have missed: they must not be given its version.
        let later: Vec<_> = (0..10)
            .map(|_| {
                let (reads, read) = (reads.clone(), reading(&count, 2, None));
                tokio::spawn(async move { reads.read(read).await })
            })
            .collect();
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        go.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Ok(v(1)));
        for request in later {
            assert_eq!(request.await.unwrap(), Ok(v(2)));
        }
        assert_eq!(count.load(Ordering::SeqCst), 2, "one reading for the ten");
    }

    #[tokio::test]
    async fn a_request_after_a_reading_reads_again_and_a_failed_reading_is_not_kept() {
        let reads = VersionReads::default();
        let count = Arc::new(AtomicU64::new(0));
        assert_eq!(reads.read(reading(&count, 1, None)).await, Ok(v(1)));
        assert_eq!(reads.read(reading(&count, 2, None)).await, Ok(v(2)));
        let (go, held) = tokio::sync::oneshot::channel::<()>();
        drop(go);
        assert_eq!(reads.read(reading(&count, 3, Some(held))).await, Err(()));
        assert_eq!(reads.read(reading(&count, 4, None)).await, Ok(v(4)));
        assert_eq!(count.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn structural_results_are_kept_per_structure_version_inside_a_computation_only() {
        let kept = Shared::default();
        let count = Arc::new(AtomicU64::new(0));
        let compute = |answer: u32| {
            let count = count.clone();
            move || async move {
                count.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ()>(answer)
            }
        };
        // Outside a cached computation (the CLI): computed each time.
        assert_eq!(structural("k", compute(1)).await, Ok(1));
        assert_eq!(structural("k", compute(2)).await, Ok(2));
        assert_eq!(count.load(Ordering::SeqCst), 2);
        // Inside: once per structure version, whatever the data version.
        let within = |version: i64, answer: u32| STRUCTURE.scope((kept.clone(), version), structural("k", compute(answer)));
        assert_eq!(within(5, 3).await, Ok(3));
        assert_eq!(within(5, 4).await, Ok(3), "kept for version 5");
        assert_eq!(count.load(Ordering::SeqCst), 3);
        assert_eq!(within(6, 5).await, Ok(5), "a change of the structure computes afresh");
        assert_eq!(within(5, 6).await, Ok(5), "a request that read 5 is served 6's, which holds more");
        let other = STRUCTURE.scope((kept.clone(), 6), structural(("other", 1), compute(7))).await;
        assert_eq!(other, Ok(7), "another key");
        // Bounded: a crawler asking for every period keeps at most STRUCTURE_ENTRIES parts.
        for i in 0..STRUCTURE_ENTRIES * 3 {
            STRUCTURE.scope((kept.clone(), 6), structural(("period", i), compute(8))).await.unwrap();
            assert!(lock(&kept).slots.len() <= STRUCTURE_ENTRIES);
        }
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = FigureCache::default();
        for i in 0..MAX_ENTRIES * 3 {
            cache.slot(7, day(7), key(&format!("k{i}")));
            assert!(cache.len() <= MAX_ENTRIES);
        }
        // The newest entries are the ones kept.
        let newest = cache.slot(7, day(7), key(&format!("k{}", MAX_ENTRIES * 3 - 1)));
        assert!(Arc::ptr_eq(&newest, &cache.slot(7, day(7), key(&format!("k{}", MAX_ENTRIES * 3 - 1)))));
    }
}
