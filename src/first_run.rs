//! The first run's sign-in link: started without a configuration file, on a
//! loopback address, before any first trainer has signed in this way,
//! `amphi serve` prints `http://127.0.0.1:8080/?signin=CODE` (as notebook
//! servers do), so that trying amphi needs no token from the command line.
//! The code is random (128 bits), held in memory only, works once
//! (`POST /api/v1/first-run` exchanges it for a trainer token of the default
//! tenant) and is gone at restart; once exchanged, a marker file in the data
//! directory stops any later start from offering another.

use std::path::PathBuf;
use std::sync::Mutex;

use subtle::ConstantTimeEq;

/// The marker, under the data directory, written when the code is used.
pub const MARKER: &str = "first-trainer-signed-in";

/// The display name of the first trainer's token.
pub const FIRST_TRAINER_NAME: &str = "Formateur";

pub struct FirstRun {
    code: Mutex<Option<String>>,
    marker: PathBuf,
}

impl FirstRun {
    pub fn new(data_dir: &std::path::Path) -> FirstRun {
        FirstRun { code: Mutex::new(None), marker: data_dir.join(MARKER) }
    }

    /// A fresh one-time code, unless a first trainer already signed in with one.
    pub fn offer(&self) -> Option<String> {
        if self.marker.exists() {
            return None;
        }
        let bytes: [u8; 16] = rand::random();
        let code: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        *self.code.lock().expect("first-run code lock") = Some(code.clone());
        Some(code)
    }

    /// Uses the code: true once for the code offered, false for any other
    /// (or a second time). The marker is written on success.
    pub fn redeem(&self, candidate: &str) -> bool {
        let mut held = self.code.lock().expect("first-run code lock");
        let matches = held.as_deref().is_some_and(|code| bool::from(code.as_bytes().ct_eq(candidate.as_bytes())));
        if !matches {
            return false;
        }
        *held = None;
        if let Err(error) = std::fs::write(&self.marker, b"the first run's sign-in link was used\n") {
            tracing::warn!(%error, path = %self.marker.display(), "could not write the first-run marker");
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_works_once_and_none_is_offered_after() {
        let dir = tempfile::tempdir().unwrap();
        let first = FirstRun::new(dir.path());
        let code = first.offer().expect("offered on a fresh data dir");
        assert!(!first.redeem("0123"));
        assert!(first.redeem(&code));
        assert!(!first.redeem(&code), "a second use is refused");
        assert!(FirstRun::new(dir.path()).offer().is_none(), "not offered again after a restart");
    }
}
