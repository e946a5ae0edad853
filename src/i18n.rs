//! Translations. Every user-visible string lives in `locales/<lang>.txt` (`key = value`
//! lines), embedded in the binary. French is the default.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
    pub fn parse(raw: &str) -> Option<Lang> {
        match raw
            .trim()
            .get(..2)
            .map(|s| s.to_ascii_lowercase())
            .as_deref()
        {
            Some("fr") => Some(Lang::Fr),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }
    /// The first supported language in an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header
            .split(',')
            .find_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
    }
    pub fn t(self, key: &str) -> &'static str {
        let table = match self {
            Lang::Fr => &*FR,
            Lang::En => &*EN,
        };
        match table.get(key) {
            Some(v) => v,
            None => {
                tracing::warn!(key, lang = self.code(), "missing translation");
                missing(key)
            }
        }
    }
    /// A person's name as shown: an erased account's blank name reads "Ancien occupant".
    pub fn person(self, name: &str) -> &str {
        if name.is_empty() {
            self.t("person.former_resident")
        } else {
            name
        }
    }
    /// Translate and fill `{name}` placeholders.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut out = self.t(key).to_string();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// A missing key is shown as itself. Each distinct key is leaked once and remembered, so the
/// memory spent is bounded by the keys that exist in code, however often they are asked for.
fn missing(key: &str) -> &'static str {
    static MISSING: LazyLock<std::sync::Mutex<HashMap<String, &'static str>>> =
        LazyLock::new(Default::default);
    let Ok(mut seen) = MISSING.lock() else {
        return "?";
    };
    if let Some(text) = seen.get(key) {
        return text;
    }
    let text: &'static str = Box::leak(key.to_string().into_boxed_str());
    seen.insert(key.to_string(), text);
    text
}

fn parse(source: &'static str) -> HashMap<&'static str, &'static str> {
    source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        // Values spelling "\\n" get real line breaks (leaked once per key, at start-up).
        .map(|(k, v)| {
            (
                k,
                if v.contains("\\n") {
                    &*Box::leak(v.replace("\\n", "\n").into_boxed_str())
                } else {
                    v
                },
            )
        })
        .collect()
}

static FR: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| parse(include_str!("../locales/fr.txt")));
static EN: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| parse(include_str!("../locales/en.txt")));

/// Every key of one language, for the completeness test.
pub fn keys(lang: Lang) -> Vec<&'static str> {
    let table = match lang {
        Lang::Fr => &*FR,
        Lang::En => &*EN,
    };
    let mut keys: Vec<_> = table.keys().copied().collect();
    keys.sort_unstable();
    keys
}

/// Dates shown to people: Europe/Paris, "23/11/2026 18:42".
pub fn local_datetime(ms: i64) -> String {
    local_datetime_in(Lang::Fr, ms)
}

impl Lang {
    /// How this language writes a day: "26/11/2026", "26 Nov 2026".
    fn date_format(self) -> &'static str {
        match self {
            Lang::Fr => "%d/%m/%Y",
            Lang::En => "%-d %b %Y",
        }
    }
}

/// A day in the reader's language, Europe/Paris: "26/11/2026", "26 Nov 2026".
pub fn local_date_in(lang: Lang, ms: i64) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    match ts.in_tz("Europe/Paris") {
        Ok(zoned) => zoned.strftime(lang.date_format()).to_string(),
        Err(_) => ts.strftime(lang.date_format()).to_string(),
    }
}

/// A date and time in the reader's language, Europe/Paris: "26/11/2026 09:00" in French,
/// "26 Nov 2026 09:00" in English.
pub fn local_datetime_in(lang: Lang, ms: i64) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    let format = format!("{} %H:%M", lang.date_format());
    match ts.in_tz("Europe/Paris") {
        Ok(zoned) => zoned.strftime(&format).to_string(),
        Err(_) => format!("{} UTC", ts.strftime(&format)),
    }
}

/// "aujourd’hui à 18:42", "hier à 18:42", or the date, in Europe/Paris.
pub fn human_time(lang: Lang, ms: i64, now_ms: i64) -> String {
    let zone = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .ok()
            .and_then(|t| t.in_tz("Europe/Paris").ok())
    };
    let (Some(at), Some(now)) = (zone(ms), zone(now_ms)) else {
        return String::new();
    };
    let time = at.strftime("%H:%M").to_string();
    let days = (now.date() - at.date()).get_days();
    match days {
        0 => lang.tf("time.today", &[("time", &time)]),
        1 => lang.tf("time.yesterday", &[("time", &time)]),
        _ => lang.tf(
            "time.date",
            &[
                ("date", &at.strftime(lang.date_format()).to_string()),
                ("time", &time),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_readers_language() {
        // 2026-11-26 08:00 UTC is 09:00 in Paris.
        let ms = 1_795_680_000_000;
        assert_eq!(local_datetime_in(Lang::Fr, ms), "26/11/2026 09:00");
        assert_eq!(local_datetime_in(Lang::En, ms), "26 Nov 2026 09:00");
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        assert_eq!(keys(Lang::Fr), keys(Lang::En));
        assert!(keys(Lang::Fr).len() > 50);
    }

    #[test]
    fn a_missing_key_shows_itself_and_is_leaked_once() {
        let first = Lang::Fr.t("no.such.key");
        let again = Lang::En.t("no.such.key");
        assert_eq!(first, "no.such.key");
        assert!(std::ptr::eq(first, again));
        assert!(
            Lang::Fr.t("wo.mail.body").matches('\n').count() > 3,
            "escaped line breaks become real ones"
        );
    }

    #[test]
    fn accept_language_picks_first_supported() {
        assert_eq!(
            Lang::from_accept_language("de-DE,en;q=0.8,fr;q=0.5"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("de"), None);
        assert_eq!(
            Lang::Fr.tf("test.hello", &[("name", "Nadia")]),
            "Bonjour Nadia"
        );
    }
}
