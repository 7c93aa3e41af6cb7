//! The closed vocabularies of the interchange contract: unit levels, adoption stages, steering.
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s { $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "must be one of {}, got `{}`",
                        [$($text),+].join(" | "), s
                    )) }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

vocabulary!(
    /// Province → district → commune. Districts exist in the data only until 1 July 2025.
    UnitLevel { Province => "province", District => "district", Commune => "commune" }
);
vocabulary!(
    /// A model is first piloted in a few units, then scaled out.
    AdoptionStage { Pilot => "pilot", Scaled => "scaled" }
);
vocabulary!(
    /// Who steers an adoption: the province or the district.
    SteeredBy { Province => "province", District => "district" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip_and_reject_unknown_words() {
        for level in UnitLevel::ALL {
            assert_eq!(level.as_str().parse::<UnitLevel>(), Ok(*level));
        }
        assert_eq!(
            "xã".parse::<UnitLevel>(),
            Err("must be one of province | district | commune, got `xã`".to_string())
        );
        assert_eq!("scaled".parse::<AdoptionStage>(), Ok(AdoptionStage::Scaled));
        assert!("Pilot".parse::<AdoptionStage>().is_err());
        assert_eq!("district".parse::<SteeredBy>(), Ok(SteeredBy::District));
    }
}
