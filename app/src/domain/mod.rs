//! The pure domain: periods, validity, the figure definitions. No I/O lives here.
pub mod figures;
pub mod period;
pub mod summary;
pub mod units;

pub use figures::{AdoptionRate, Counts, Figures, Percent, SatisfactionRate, WilsonInterval};
pub use period::{DateSpan, Period, PeriodError};
pub use summary::*;
pub use units::{AdoptionStage, SteeredBy, UnitLevel};
