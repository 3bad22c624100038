//! Whole-unit durations as written in org files: `15m`, `4h`, `2d`, `12w`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A duration in whole minutes. Displayed in the largest unit that divides it exactly, so
/// the written form is canonical (`1440m` reads back as `1d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    minutes: u64,
}

const UNITS: [(char, u64); 4] = [('w', 7 * 24 * 60), ('d', 24 * 60), ('h', 60), ('m', 1)];
/// A hundred years: anything longer is a typo, and the bound keeps arithmetic overflow-free.
const MAX_MINUTES: u64 = 100 * 366 * 24 * 60;

impl Interval {
    pub fn from_minutes(minutes: u64) -> Self {
        Interval { minutes }
    }
    pub fn minutes(self) -> u64 {
        self.minutes
    }
    pub fn days(self) -> u64 {
        self.minutes / (24 * 60)
    }
}

impl FromStr for Interval {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let err = || format!("{s:?} is not a duration; write a whole number and a unit: 15m, 4h, 2d or 12w");
        let unit = s.chars().last().ok_or_else(err)?;
        let (_, per) = UNITS.iter().find(|(u, _)| *u == unit).ok_or_else(err)?;
        let number = &s[..s.len() - 1];
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let n: u64 = number.parse().map_err(|_| err())?;
        let minutes = n.checked_mul(*per).filter(|m| *m <= MAX_MINUTES).ok_or_else(|| format!("{s:?} is longer than 100 years"))?;
        Ok(Interval { minutes })
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.minutes == 0 {
            return f.write_str("0m");
        }
        let (unit, per) = UNITS.iter().find(|(_, per)| self.minutes.is_multiple_of(*per)).copied().unwrap_or(('m', 1));
        write!(f, "{}{}", self.minutes / per, unit)
    }
}

impl Serialize for Interval {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_displays_canonically() {
        assert_eq!("4h".parse::<Interval>().unwrap().minutes(), 240);
        assert_eq!("1440m".parse::<Interval>().unwrap().to_string(), "1d");
        assert_eq!("14d".parse::<Interval>().unwrap().to_string(), "2w");
        assert_eq!("90m".parse::<Interval>().unwrap().to_string(), "90m");
        for bad in ["", "h", "4", "4x", "-4h", "4.5h", "1 h", "99999999999999999999w"] {
            assert!(bad.parse::<Interval>().is_err(), "{bad:?} should not parse");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            let _ = s.parse::<Interval>();
        }

        #[test]
        fn display_round_trips(m in 0u64..MAX_MINUTES) {
            let i = Interval::from_minutes(m);
            prop_assert_eq!(i.to_string().parse::<Interval>().unwrap(), i);
        }
    }
}
