//! Citizens' e-ballots (the contract's "Citizen e-ballots and channels" and "SIPAS factor
//! figures"): the answers a ballot holds, the month it counts in, the `qr` survey row that
//! follows the accepted ballots, and the figures per factor.
//!
//! Pure: a ballot arrives here parsed from the words of the page, the API or `ballots.csv`;
//! storing it, hashing its dossier code and holding bursts are the server's.
use super::figures::{satisfaction_rate, wilson_interval, Counts, Percent};
use super::period::{Period, VIETNAM_UTC_OFFSET_HOURS};
use serde::{Deserialize, Serialize};

/// One of the five levels of satisfaction, most satisfied first (the order of the survey
/// counts' breakdown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    VerySatisfied,
    FairlySatisfied,
    Neutral,
    Dissatisfied,
    VeryDissatisfied,
}

impl Answer {
    pub const ALL: [Answer; 5] =
        [Answer::VerySatisfied, Answer::FairlySatisfied, Answer::Neutral, Answer::Dissatisfied, Answer::VeryDissatisfied];

    /// The contract's word for the level.
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::VerySatisfied => "very_satisfied",
            Answer::FairlySatisfied => "fairly_satisfied",
            Answer::Neutral => "neutral",
            Answer::Dissatisfied => "dissatisfied",
            Answer::VeryDissatisfied => "very_dissatisfied",
        }
    }

    /// The level a word names; anything else is refused, never guessed.
    pub fn parse(word: &str) -> Result<Answer, BallotError> {
        Answer::ALL.into_iter().find(|a| a.as_str() == word).ok_or_else(|| BallotError::UnknownAnswer(word.to_string()))
    }

    /// Very or fairly satisfied: what the figures count as satisfied.
    pub fn is_satisfied(self) -> bool {
        matches!(self, Answer::VerySatisfied | Answer::FairlySatisfied)
    }

    /// The place of the level in the five-level breakdown.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The questions of a ballot: the overall one and the five SIPAS factors, in the
/// contract's order (the order of the factor figures' rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    Overall,
    /// Reaching the service.
    Access,
    /// The procedure itself.
    Procedure,
    /// The civil servants who handled it.
    Staff,
    /// The result received.
    Result,
    /// How comments and complaints are received and handled.
    Feedback,
}

impl Factor {
    pub const ALL: [Factor; 6] =
        [Factor::Overall, Factor::Access, Factor::Procedure, Factor::Staff, Factor::Result, Factor::Feedback];
    /// The five SIPAS factors, the overall question left out.
    pub const SIPAS: [Factor; 5] = [Factor::Access, Factor::Procedure, Factor::Staff, Factor::Result, Factor::Feedback];

    pub fn as_str(self) -> &'static str {
        match self {
            Factor::Overall => "overall",
            Factor::Access => "access",
            Factor::Procedure => "procedure",
            Factor::Staff => "staff",
            Factor::Result => "result",
            Factor::Feedback => "feedback",
        }
    }

    pub fn parse(word: &str) -> Result<Factor, BallotError> {
        Factor::ALL.into_iter().find(|f| f.as_str() == word).ok_or_else(|| BallotError::UnknownFactor(word.to_string()))
    }
}

/// Where a ballot stands: only accepted ones count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BallotStatus {
    #[default]
    Accepted,
    /// Kept out of every figure until an official accepts or rejects it.
    Held,
    Rejected,
}

impl BallotStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BallotStatus::Accepted => "accepted",
            BallotStatus::Held => "held",
            BallotStatus::Rejected => "rejected",
        }
    }

    /// The status a word names; empty is the contract's default, `accepted`.
    pub fn parse(word: &str) -> Result<BallotStatus, BallotError> {
        match word {
            "" | "accepted" => Ok(BallotStatus::Accepted),
            "held" => Ok(BallotStatus::Held),
            "rejected" => Ok(BallotStatus::Rejected),
            other => Err(BallotError::UnknownStatus(other.to_string())),
        }
    }
}

/// Where a survey count came from: counts entered, imported or sent by the API, or the
/// accepted ballots of a unit, model and month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    #[default]
    Paper,
    Qr,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Paper, Channel::Qr];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Paper => "paper",
            Channel::Qr => "qr",
        }
    }

    /// The channel a word names; empty is `paper`, as in `surveys.csv`.
    pub fn parse(word: &str) -> Result<Channel, BallotError> {
        match word {
            "" | "paper" => Ok(Channel::Paper),
            "qr" => Ok(Channel::Qr),
            other => Err(BallotError::UnknownChannel(other.to_string())),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BallotError {
    #[error("unknown answer {0:?}: one of very_satisfied, fairly_satisfied, neutral, dissatisfied, very_dissatisfied")]
    UnknownAnswer(String),
    #[error("unknown factor {0:?}: one of overall, access, procedure, staff, result, feedback")]
    UnknownFactor(String),
    #[error("unknown status {0:?}: one of accepted, held, rejected")]
    UnknownStatus(String),
    #[error("unknown channel {0:?}: paper or qr")]
    UnknownChannel(String),
    #[error("the overall answer is required")]
    NoOverall,
}

/// A ballot's answers: the overall one, required, and each SIPAS factor's, which may be
/// left empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    pub overall: Answer,
    /// In [`Factor::SIPAS`] order.
    pub factors: [Option<Answer>; 5],
}

impl Answers {
    /// The answers from their words, in [`Factor::ALL`] order (empty: not answered).
    pub fn parse(words: [&str; 6]) -> Result<Answers, BallotError> {
        let [overall, factors @ ..] = words;
        let overall = if overall.is_empty() { return Err(BallotError::NoOverall) } else { Answer::parse(overall)? };
        let mut parsed = [None; 5];
        for (slot, word) in parsed.iter_mut().zip(factors) {
            if !word.is_empty() {
                *slot = Some(Answer::parse(word)?);
            }
        }
        Ok(Answers { overall, factors: parsed })
    }

    /// The answer to `factor`, if given.
    pub fn get(&self, factor: Factor) -> Option<Answer> {
        match factor {
            Factor::Overall => Some(self.overall),
            f => self.factors[Factor::SIPAS.iter().position(|s| *s == f).expect("a SIPAS factor")],
        }
    }

    /// A ballot is satisfied when its overall answer is.
    pub fn is_satisfied(&self) -> bool {
        self.overall.is_satisfied()
    }
}

/// The month a ballot counts in: that of its submission in Vietnam's time, whatever the
/// offset it was written with (a ballot sent at 23:30 UTC on 30 November counts in December).
pub fn ballot_month(submitted_at: chrono::DateTime<chrono::FixedOffset>) -> Period {
    let at = submitted_at.naive_utc() + chrono::Duration::hours(VIETNAM_UTC_OFFSET_HOURS);
    Period::month_of(at.date())
}

/// The `qr` survey row of a unit, model and month, from its accepted ballots:
/// `respondents` the ballots, `satisfied` the satisfied ones, and the five-level breakdown
/// of the overall answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrCounts {
    pub respondents: u64,
    pub satisfied: u64,
    /// In [`Answer::ALL`] order.
    pub levels: [u64; 5],
}

impl QrCounts {
    pub fn of<'a>(accepted: impl IntoIterator<Item = &'a Answers>) -> QrCounts {
        let mut counts = QrCounts::default();
        for answers in accepted {
            counts.respondents += 1;
            counts.satisfied += u64::from(answers.is_satisfied());
            counts.levels[answers.overall.index()] += 1;
        }
        counts
    }
}

/// The contract's columns of the factor figures, in order.
pub const FACTOR_COLUMNS: [&str; 8] = ["unit_code", "unit_name", "factor", "answered", "satisfied", "rate", "ci_low", "ci_high"];

/// One factor's figures over a set of accepted ballots: those that answered it, those of
/// them satisfied, the rate and its Wilson 95 % interval (none when nobody answered).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FactorFigures {
    pub factor: Factor,
    pub answered: u64,
    pub satisfied: u64,
    pub rate: Option<Percent>,
    pub ci_low: Option<Percent>,
    pub ci_high: Option<Percent>,
}

impl FactorFigures {
    pub fn new(factor: Factor, answered: u64, satisfied: u64) -> FactorFigures {
        let counts = Counts { respondents: answered, satisfied };
        let interval = wilson_interval(counts);
        FactorFigures {
            factor,
            answered,
            satisfied,
            rate: satisfaction_rate(counts),
            ci_low: interval.map(|i| i.low),
            ci_high: interval.map(|i| i.high),
        }
    }

    /// Every factor's figures over `accepted`, in [`Factor::ALL`] order.
    pub fn of<'a>(accepted: impl IntoIterator<Item = &'a Answers>) -> [FactorFigures; 6] {
        let mut tally = [(0u64, 0u64); 6];
        for answers in accepted {
            for (t, factor) in tally.iter_mut().zip(Factor::ALL) {
                if let Some(a) = answers.get(factor) {
                    t.0 += 1;
                    t.1 += u64::from(a.is_satisfied());
                }
            }
        }
        let mut at = Factor::ALL.into_iter().zip(tally);
        std::array::from_fn(|_| {
            let (factor, (answered, satisfied)) = at.next().expect("six factors");
            FactorFigures::new(factor, answered, satisfied)
        })
    }

    /// The row's cells after `unit_code` and `unit_name`, in [`FACTOR_COLUMNS`]' order.
    pub fn csv_cells(&self) -> [String; 6] {
        let cell = |p: Option<Percent>| p.map(|p| p.to_2dp()).unwrap_or_default();
        [
            self.factor.as_str().to_string(),
            self.answered.to_string(),
            self.satisfied.to_string(),
            cell(self.rate),
            cell(self.ci_low),
            cell(self.ci_high),
        ]
    }
}

/// The SIPAS factor citizens were least satisfied with: the lowest rate among the five
/// factors someone answered (the overall question is not a factor), the first in the
/// contract's order on a tie; none when no factor was answered.
pub fn weakest(figures: &[FactorFigures]) -> Option<Factor> {
    figures
        .iter()
        .filter(|f| f.factor != Factor::Overall)
        .filter_map(|f| f.rate.map(|r| (f.factor, r.value())))
        .fold(None, |low: Option<(Factor, f64)>, (factor, rate)| match low {
            Some((_, lowest)) if lowest <= rate => low,
            _ => Some((factor, rate)),
        })
        .map(|(factor, _)| factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(words: [&str; 6]) -> Answers {
        Answers::parse(words).unwrap()
    }

    #[test]
    fn words_are_the_contracts_and_nothing_else() {
        for a in Answer::ALL {
            assert_eq!(Answer::parse(a.as_str()), Ok(a));
        }
        for f in Factor::ALL {
            assert_eq!(Factor::parse(f.as_str()), Ok(f));
        }
        assert_eq!(Answer::parse("Very_Satisfied"), Err(BallotError::UnknownAnswer("Very_Satisfied".into())));
        assert_eq!(Answer::parse("5"), Err(BallotError::UnknownAnswer("5".into())));
        assert_eq!(BallotStatus::parse(""), Ok(BallotStatus::Accepted));
        assert_eq!(BallotStatus::parse("held"), Ok(BallotStatus::Held));
        assert!(BallotStatus::parse("deleted").is_err());
        assert_eq!(Channel::parse(""), Ok(Channel::Paper));
        assert_eq!(Channel::parse("qr"), Ok(Channel::Qr));
        assert!(Channel::parse("QR").is_err());
    }

    #[test]
    fn the_overall_answer_is_required_and_factors_may_be_empty() {
        assert_eq!(Answers::parse(["", "neutral", "", "", "", ""]), Err(BallotError::NoOverall));
        let a = answers(["fairly_satisfied", "", "dissatisfied", "", "", "very_satisfied"]);
        assert_eq!(a.get(Factor::Overall), Some(Answer::FairlySatisfied));
        assert_eq!(a.get(Factor::Access), None);
        assert_eq!(a.get(Factor::Procedure), Some(Answer::Dissatisfied));
        assert_eq!(a.get(Factor::Feedback), Some(Answer::VerySatisfied));
        assert!(a.is_satisfied());
        assert_eq!(
            Answers::parse(["neutral", "", "", "rude", "", ""]),
            Err(BallotError::UnknownAnswer("rude".into()))
        );
    }

    #[test]
    fn a_ballot_counts_in_its_month_in_vietnam() {
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
        // 23:30 UTC on 30 November is 06:30 on 1 December in Vietnam.
        assert_eq!(ballot_month(at("2026-11-30T23:30:00Z")).to_string(), "2026-12");
        assert_eq!(ballot_month(at("2026-11-30T16:59:59Z")).to_string(), "2026-11");
        assert_eq!(ballot_month(at("2026-11-30T17:00:00Z")).to_string(), "2026-12");
        assert_eq!(ballot_month(at("2026-12-01T00:00:00+07:00")).to_string(), "2026-12");
        assert_eq!(ballot_month(at("2026-11-30T23:59:59+07:00")).to_string(), "2026-11");
        assert_eq!(ballot_month(at("2026-12-31T20:00:00+00:00")).to_string(), "2027-01");
    }

    #[test]
    fn the_qr_row_follows_the_overall_answers() {
        let ballots = [
            answers(["very_satisfied", "", "", "", "", ""]),
            answers(["fairly_satisfied", "neutral", "", "", "", ""]),
            answers(["fairly_satisfied", "", "", "", "", ""]),
            answers(["neutral", "very_satisfied", "", "", "", ""]),
            answers(["very_dissatisfied", "", "", "", "", ""]),
        ];
        assert_eq!(QrCounts::of(&ballots), QrCounts { respondents: 5, satisfied: 3, levels: [1, 2, 1, 0, 1] });
        assert_eq!(QrCounts::of(&[]), QrCounts::default());
    }

    #[test]
    fn factor_figures_count_those_who_answered() {
        // Overall: 4 of 5 satisfied = 80 %; Wilson 95 % with z² = 3.841459: centre
        // (0.8 + 0.384146) ÷ 1.768292 = 0.669656, half 1.108393 × √(0.032 + 0.038415) =
        // 0.294121: 37.55 % and 96.38 %.
        // Access: answered by 2, both satisfied. Staff: answered by 3, 1 satisfied = 33.33 %.
        // Procedure, result, feedback: nobody — empty rate and interval.
        let ballots = [
            answers(["very_satisfied", "very_satisfied", "", "neutral", "", ""]),
            answers(["fairly_satisfied", "fairly_satisfied", "", "fairly_satisfied", "", ""]),
            answers(["fairly_satisfied", "", "", "", "", ""]),
            answers(["very_satisfied", "", "", "very_dissatisfied", "", ""]),
            answers(["dissatisfied", "", "", "", "", ""]),
        ];
        let figures = FactorFigures::of(&ballots);
        let row = |f: Factor| figures.iter().find(|x| x.factor == f).unwrap().csv_cells();
        assert_eq!(row(Factor::Overall), ["overall", "5", "4", "80.00", "37.55", "96.38"].map(String::from));
        assert_eq!(row(Factor::Access)[..4], ["access", "2", "2", "100.00"].map(String::from));
        assert_eq!(row(Factor::Staff)[..4], ["staff", "3", "1", "33.33"].map(String::from));
        assert_eq!(row(Factor::Procedure), ["procedure", "0", "0", "", "", ""].map(String::from));
        assert_eq!(figures.map(|f| f.factor), Factor::ALL, "the contract's order");
        assert_eq!(weakest(&figures), Some(Factor::Staff));
    }

    #[test]
    fn the_weakest_factor_is_a_sipas_one_first_on_a_tie_none_unanswered() {
        let f = |factor, answered, satisfied| FactorFigures::new(factor, answered, satisfied);
        // Overall is lower than any factor but is not a factor.
        let figures = [f(Factor::Overall, 10, 1), f(Factor::Access, 4, 2), f(Factor::Procedure, 0, 0), f(Factor::Staff, 2, 1)];
        assert_eq!(weakest(&figures), Some(Factor::Access));
        assert_eq!(weakest(&[f(Factor::Overall, 3, 1), f(Factor::Result, 0, 0)]), None);
    }
}
