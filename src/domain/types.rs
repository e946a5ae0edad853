//! Parsed input values: once constructed, they are valid.

use super::Invalid;

fn bounded(field: &'static str, raw: &str, max: usize) -> Result<String, Invalid> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(Invalid {
            field,
            key: "error.required",
        });
    }
    if value.chars().count() > max {
        return Err(Invalid {
            field,
            key: "error.too_long",
        });
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(Invalid {
            field,
            key: "error.invalid_chars",
        });
    }
    Ok(value.to_string())
}

/// A person's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        bounded("name", raw, 100).map(PersonName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, lower-cased so that it is unique whatever the case typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = bounded("email", raw, 254)?.to_lowercase();
        let invalid = Invalid {
            field: "email",
            key: "error.email_invalid",
        };
        let (local, domain) = value.split_once('@').ok_or(invalid.clone())?;
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !value.contains(char::is_whitespace)
            && !domain.contains('@')
            && value.parse::<lettre::Address>().is_ok();
        if ok { Ok(Email(value)) } else { Err(invalid) }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: long enough, not absurdly long (Argon2 cost is bounded).
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let count = raw.chars().count();
        if count < Self::MIN_CHARS {
            return Err(Invalid {
                field: "password",
                key: "error.password_weak",
            });
        }
        if count > 200 {
            return Err(Invalid {
                field: "password",
                key: "error.too_long",
            });
        }
        let distinct: std::collections::HashSet<char> = raw.chars().collect();
        if distinct.len() < 4 {
            return Err(Invalid {
                field: "password",
                key: "error.password_weak",
            });
        }
        Ok(NewPassword(raw.to_string()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// A lot label as the occupant knows it ("12", "A-103", "Parking 4").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotLabel(String);

impl LotLabel {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        bounded("lot", raw, 40).map(LotLabel)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text of bounded length (addresses, names of buildings, access codes).
pub fn text(field: &'static str, raw: &str, max: usize) -> Result<String, Invalid> {
    bounded(field, raw, max)
}

/// Optional free text: empty is allowed, long is not.
pub fn optional_text(field: &'static str, raw: &str, max: usize) -> Result<String, Invalid> {
    if raw.trim().is_empty() {
        Ok(String::new())
    } else {
        bounded(field, raw, max)
    }
}

pub use crate::vocab::Occupancy;

/// Owner or tenant, as typed in a form.
pub fn occupancy(raw: &str) -> Result<Occupancy, Invalid> {
    Occupancy::parse(raw).ok_or(Invalid {
        field: "occupancy",
        key: "error.occupancy_invalid",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Nadia@Example.FR ").map(|e| e.0),
            Ok("nadia@example.fr".into())
        );
        for bad in [
            "",
            "nadia",
            "nadia@",
            "@example.fr",
            "na dia@example.fr",
            "a@b",
            "a@@b.fr",
            "a@.fr",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn names_reject_empty_long_and_control_characters() {
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert!(PersonName::parse("Nadia\u{0}").is_err());
        assert_eq!(
            PersonName::parse(" Nadia Benali ").map(|n| n.0),
            Ok("Nadia Benali".into())
        );
    }

    #[test]
    fn weak_passwords_are_rejected() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("aaaaaaaaaaaa").is_err());
        assert!(NewPassword::parse(&"ab3$".repeat(60)).is_err());
        assert!(NewPassword::parse("palier-demo").is_ok());
    }
}
