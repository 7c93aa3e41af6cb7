//! The pure domain: periods, validity, the figure definitions and the tables built from
//! them, filters, Vietnamese text. No I/O lives here.
pub mod completeness;
pub mod effectiveness;
pub mod figures;
pub mod filter;
pub mod funnel;
pub mod listing;
pub mod period;
pub mod reference;
pub mod access;
pub mod ballots;
pub mod rules;
pub mod summary;
pub mod survey;
pub mod text;
pub mod trend;
pub mod units;

pub use completeness::{CommuneReports, CompletenessRow, COMPLETENESS_COLUMNS};
pub use effectiveness::{CommuneHistory, EffectivenessRow, GeneralSurvey, EFFECTIVENESS_COLUMNS};
pub use figures::{AdoptionRate, Counts, Figures, Percent, SatisfactionRate, WilsonInterval};
pub use listing::{Listing, SortKey, PAGE_ROWS, SHORT_TABLE};
pub use funnel::{Flag, Funnel, FunnelRow, FUNNEL_COLUMNS};
pub use filter::{compares_communes, given, Choice, FigureFilter, FigureQuery, FilterError};
pub use period::{DateSpan, Period, PeriodError};
pub use summary::*;
pub use trend::{PeriodCounts, TrendRow, TREND_COLUMNS};
pub use units::{AdoptionStage, SteeredBy, UnitLevel};
