//! Call inputs: files, folders and manifests turned into a list of calls with their metadata.

use crate::dates::DateSource;
use chrono::{NaiveDate, NaiveDateTime};
use regex::Regex;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// File endings collected when walking a folder. Content is probed later; the ending only decides
/// what a folder walk picks up (a manifest or an explicit file argument may name anything).
pub const AUDIO_EXTENSIONS: [&str; 8] = ["wav", "wave", "mp3", "flac", "ogg", "oga", "opus", "m4a"];

/// One call to score, with what is known about it before the audio is read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallInput {
    /// Call id: from the manifest, else the file stem (made unique within the batch).
    pub call_id: String,
    /// The recording.
    pub path: PathBuf,
    /// Agent id; `unknown` when neither the manifest nor the file name says.
    pub agent_id: String,
    /// Team, where known.
    pub team: Option<String>,
    /// `inbound` or `outbound`, where known.
    pub direction: Option<String>,
    /// When the call started (local time as recorded), where known.
    pub started_at: Option<NaiveDateTime>,
    /// The call's date: from `started_at`, else the file's modification date, else the run's.
    pub call_date: NaiveDate,
    /// Where `started_at` / `call_date` came from.
    pub started_at_source: DateSource,
    /// Extra manifest columns, kept as they are.
    pub extra: BTreeMap<String, String>,
}

/// A problem with one input; the batch goes on without it (and records it as an error row).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct InputError {
    /// The file (or manifest, with its line) the problem is about.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The agent id used when nothing names the agent.
pub const UNKNOWN_AGENT: &str = "unknown";

/// Parse a start time in the common recorder formats (see [`crate::dates::parse_started_at`]).
pub fn parse_started_at(s: &str) -> Option<NaiveDateTime> {
    crate::dates::parse_started_at(s, None)
}

/// The date of a recording without a start time: the date its folders name, else its
/// modification date, else the run's date.
fn file_date(path: &Path) -> (NaiveDate, DateSource) {
    if let Some(d) = crate::dates::date_from_path(path) {
        return (d, DateSource::Folder);
    }
    match std::fs::metadata(path).and_then(|m| m.modified()) {
        Ok(t) => (
            chrono::DateTime::<chrono::Local>::from(t).date_naive(),
            DateSource::FileMtime,
        ),
        Err(_) => (chrono::Local::now().date_naive(), DateSource::RunDate),
    }
}

fn is_audio_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Metadata read off a file name with the pipeline's `filename_pattern`: a regex whose named
/// groups `call_id`, `agent_id`, `team`, `direction`, `started_at` (or `date`) fill the fields.
pub fn from_file_name(path: &Path, pattern: Option<&Regex>) -> CallInput {
    from_file_name_with(path, pattern, None)
}

/// As [`from_file_name`], reading a captured `started_at` with `started_at_format` (strftime)
/// first, then the common layouts. A captured value that none of them reads is logged as a
/// warning naming the file, and the call's date falls back to the file's (recorded in
/// `started_at_source`).
pub fn from_file_name_with(
    path: &Path,
    pattern: Option<&Regex>,
    started_at_format: Option<&str>,
) -> CallInput {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("call")
        .to_string();
    let mut input = CallInput {
        call_id: stem.clone(),
        path: path.to_path_buf(),
        agent_id: UNKNOWN_AGENT.to_string(),
        team: None,
        direction: None,
        started_at: None,
        call_date: NaiveDate::MIN,
        started_at_source: DateSource::FileMtime,
        extra: BTreeMap::new(),
    };
    if let Some(caps) = pattern.and_then(|re| re.captures(&stem)) {
        let get = |name: &str| {
            caps.name(name)
                .map(|m| m.as_str().to_string())
                .filter(|s| !s.is_empty())
        };
        if let Some(v) = get("call_id") {
            input.call_id = v;
        }
        if let Some(v) = get("agent_id") {
            input.agent_id = v;
        }
        input.team = get("team");
        input.direction = get("direction").map(|d| d.to_ascii_lowercase());
        if let Some(raw) = get("started_at").or_else(|| get("date")) {
            input.started_at = crate::dates::parse_started_at(&raw, started_at_format);
            if input.started_at.is_none() {
                tracing::warn!(
                    file = %path.display(),
                    started_at = %raw,
                    format = started_at_format.unwrap_or("(none: common layouts)"),
                    "the start time in the file name is not a date-time; the call is dated by its folder or file modification time"
                );
            }
        }
    }
    match input.started_at {
        Some(t) => {
            input.call_date = t.date();
            input.started_at_source = DateSource::Filename;
        }
        None => (input.call_date, input.started_at_source) = file_date(path),
    }
    input
}

/// Expand file and folder arguments into calls (folders are walked recursively for audio files,
/// in sorted order). Missing paths become errors; nothing is dropped silently.
pub fn gather_paths(
    args: &[PathBuf],
    pattern: Option<&Regex>,
) -> (Vec<CallInput>, Vec<InputError>) {
    gather_paths_with(args, pattern, None)
}

/// As [`gather_paths`], reading start times in file names with `started_at_format` first (see
/// [`from_file_name_with`]).
pub fn gather_paths_with(
    args: &[PathBuf],
    pattern: Option<&Regex>,
    started_at_format: Option<&str>,
) -> (Vec<CallInput>, Vec<InputError>) {
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(arg)
                .sort_by_file_name()
                .into_iter()
                .filter_map(|e| match e {
                    Ok(e) => Some(e),
                    Err(err) => {
                        errors.push(InputError {
                            path: err.path().map_or_else(
                                || arg.display().to_string(),
                                |p| p.display().to_string(),
                            ),
                            message: format!("cannot read folder entry: {err}"),
                        });
                        None
                    }
                })
                .filter(|e| e.file_type().is_file() && is_audio_file(e.path()))
                .map(|e| e.into_path())
                .collect();
            found.sort();
            calls.extend(
                found
                    .iter()
                    .map(|p| from_file_name_with(p, pattern, started_at_format)),
            );
        } else if arg.exists() {
            calls.push(from_file_name_with(arg, pattern, started_at_format));
        } else {
            errors.push(InputError {
                path: arg.display().to_string(),
                message: "no such file or folder".into(),
            });
        }
    }
    make_ids_unique(&mut calls);
    (calls, errors)
}

/// The columns a manifest must have.
pub const MANIFEST_COLUMNS: [&str; 6] = [
    "call_id",
    "path",
    "agent_id",
    "team",
    "direction",
    "started_at",
];

/// Read a manifest CSV (`call_id,path,agent_id,team,direction,started_at`, extra columns kept).
/// Relative paths are relative to the manifest's folder. A bad row is an error for that row only;
/// a manifest without the required columns is an error for the whole manifest.
pub fn read_manifest(manifest: &Path) -> Result<(Vec<CallInput>, Vec<InputError>), InputError> {
    let fail = |message: String| InputError {
        path: manifest.display().to_string(),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_path(manifest)
        .map_err(|e| fail(format!("cannot read manifest: {e}")))?;
    let headers = reader
        .headers()
        .map_err(|e| fail(format!("cannot read manifest header: {e}")))?
        .clone();
    let index: HashMap<&str, usize> = headers.iter().enumerate().map(|(i, h)| (h, i)).collect();
    let missing: Vec<&str> = ["call_id", "path"]
        .into_iter()
        .filter(|c| !index.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(fail(format!(
            "manifest lacks column(s) {}; expected header {}",
            missing.join(", "),
            MANIFEST_COLUMNS.join(",")
        )));
    }
    let base = manifest.parent().unwrap_or(Path::new("."));
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(fail(format!("line {line}: {e}")));
                continue;
            }
        };
        let get = |c: &str| {
            index
                .get(c)
                .and_then(|&i| record.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let (Some(call_id), Some(rel)) = (get("call_id"), get("path")) else {
            errors.push(fail(format!(
                "line {line}: call_id and path must not be empty"
            )));
            continue;
        };
        let path = base.join(rel);
        let started_at = match get("started_at") {
            Some(s) => match parse_started_at(s) {
                Some(t) => Some(t),
                None => {
                    errors.push(fail(format!("line {line}: started_at {s:?} is not a date-time (e.g. 2026-11-02T09:15:00)")));
                    continue;
                }
            },
            None => None,
        };
        let extra = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| !MANIFEST_COLUMNS.contains(h))
            .filter_map(|(i, h)| record.get(i).map(|v| (h.to_string(), v.to_string())))
            .collect();
        let (call_date, started_at_source) = match started_at {
            Some(t) => (t.date(), DateSource::Manifest),
            None => file_date(&path),
        };
        calls.push(CallInput {
            call_id: call_id.to_string(),
            call_date,
            started_at_source,
            path,
            agent_id: get("agent_id").unwrap_or(UNKNOWN_AGENT).to_string(),
            team: get("team").map(str::to_string),
            direction: get("direction").map(|d| d.to_ascii_lowercase()),
            started_at,
            extra,
        });
    }
    let mut seen = std::collections::HashSet::new();
    calls.retain(|c| {
        let fresh = seen.insert(c.call_id.clone());
        if !fresh {
            errors.push(fail(format!(
                "call_id {:?} appears more than once; later rows ignored",
                c.call_id
            )));
        }
        fresh
    });
    Ok((calls, errors))
}

/// Why a recording's content hash could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The file is over the `[audio] max_file_mb` limit; it was refused by its size (or, for a
    /// file whose size the file system does not give, after reading one byte past the limit).
    #[error(transparent)]
    TooLarge(callqa_audio::AudioError),
    /// The file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Unreadable {
        /// The recording.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
}

impl HashError {
    /// The `errors.stage` and `errors.kind` a call refused here gets: a file over the size limit
    /// reads `decode` / `too_large`, as when decoding refuses it; an unreadable one `input` /
    /// `unreadable`.
    pub fn stage_kind(&self) -> (&'static str, &'static str) {
        match self {
            HashError::TooLarge(_) => ("decode", "too_large"),
            HashError::Unreadable { .. } => ("input", "unreadable"),
        }
    }
}

/// The sha256 (hex) of a recording's bytes, the content part of its call key. A file over
/// `limits.max_file_bytes` is refused by its size before it is opened, so an oversize recording
/// is never read in full; one whose size is not known ahead (a pipe) is read to at most one byte
/// past the limit.
pub fn recording_sha256(path: &Path, limits: &callqa_audio::Limits) -> Result<String, HashError> {
    recording_sha256_with(path, limits, |p: &Path| std::fs::File::open(p))
}

fn recording_sha256_with<R: std::io::Read>(
    path: &Path,
    limits: &callqa_audio::Limits,
    open: impl FnOnce(&Path) -> std::io::Result<R>,
) -> Result<String, HashError> {
    use sha2::Digest;
    use std::io::Read;
    let unreadable = |source| HashError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let too_large = |bytes, limit| {
        HashError::TooLarge(callqa_audio::AudioError::WithPath {
            path: path.to_path_buf(),
            kind: callqa_audio::ErrorKind::TooLarge { bytes, limit },
        })
    };
    let limit = limits.max_file_bytes;
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if let Some(limit) = limit
        && meta.is_file()
        && meta.len() > limit
    {
        return Err(too_large(meta.len(), limit));
    }
    let reader = open(path).map_err(unreadable)?;
    let mut reader = reader.take(limit.map_or(u64::MAX, |l| l.saturating_add(1)));
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut read = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(unreadable(e)),
        };
        hasher.update(&buf[..n]);
        read += n as u64;
    }
    if let Some(limit) = limit
        && read > limit
    {
        return Err(too_large(read, limit));
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Two files with the same stem in different folders must not share a call id.
fn make_ids_unique(calls: &mut [CallInput]) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for c in calls.iter() {
        *counts.entry(c.call_id.clone()).or_default() += 1;
    }
    for c in calls.iter_mut() {
        if counts.get(&c.call_id).copied().unwrap_or(0) > 1 {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(c.path.to_string_lossy().as_bytes());
            c.call_id = format!("{}-{}", c.call_id, &hex::encode(digest)[..8]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts the bytes handed out by the reader it wraps.
    struct Counting<R> {
        inner: R,
        read: std::rc::Rc<std::cell::Cell<u64>>,
    }

    impl<R: std::io::Read> std::io::Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read.set(self.read.get() + n as u64);
            Ok(n)
        }
    }

    fn limit_mb(mb: u64) -> callqa_audio::Limits {
        callqa_audio::Limits {
            max_file_bytes: Some(mb << 20),
            ..callqa_audio::Limits::default()
        }
    }

    #[test]
    fn an_oversize_recording_is_refused_by_its_size_before_it_is_opened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("huge.wav");
        // Sparse: 64 GiB on paper, nothing on disk.
        std::fs::File::create(&p)
            .and_then(|f| f.set_len(64 << 30))
            .expect("sparse file");
        let opened = std::cell::Cell::new(false);
        let err = recording_sha256_with(&p, &limit_mb(1), |path| {
            opened.set(true);
            std::fs::File::open(path)
        })
        .expect_err("a 64 GiB file is over a 1 MB limit");
        assert!(!opened.get(), "the oversize file was opened");
        assert_eq!(err.stage_kind(), ("decode", "too_large"));
        let msg = err.to_string();
        assert!(
            msg.starts_with(&p.display().to_string()) && msg.contains("max_file_mb"),
            "{msg}"
        );
        assert!(!msg.contains('\n'), "{msg}");
        // The public entry point refuses it the same way.
        let err = recording_sha256(&p, &limit_mb(1)).expect_err("refused");
        assert_eq!(err.stage_kind(), ("decode", "too_large"));
    }

    #[test]
    fn a_recording_whose_size_is_not_known_ahead_is_read_to_one_byte_past_the_limit() {
        // The file on disk is small (its metadata passes the check); the reader behind it is
        // longer than the limit, as a pipe or a file growing under the run would be.
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("stream.wav");
        std::fs::write(&p, b"RIFF").expect("write");
        use std::io::Read;
        let read = std::rc::Rc::new(std::cell::Cell::new(0));
        let counter = read.clone();
        let err = recording_sha256_with(&p, &limit_mb(1), move |_| {
            Ok(Counting {
                inner: std::io::repeat(0).take(8 << 20),
                read: counter,
            })
        })
        .expect_err("8 MB of stream is over a 1 MB limit");
        assert_eq!(err.stage_kind(), ("decode", "too_large"));
        assert_eq!(read.get(), (1 << 20) + 1, "bytes read past the limit");
    }

    #[test]
    fn a_recording_at_the_limit_hashes_to_its_sha256() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("ok.wav");
        let bytes: Vec<u8> = (0..(1u32 << 20)).map(|i| (i % 251) as u8).collect();
        std::fs::write(&p, &bytes).expect("write");
        use sha2::Digest;
        let want = hex::encode(sha2::Sha256::digest(&bytes));
        assert_eq!(recording_sha256(&p, &limit_mb(1)).ok(), Some(want.clone()));
        let no_limit = callqa_audio::Limits {
            max_file_bytes: None,
            ..callqa_audio::Limits::default()
        };
        assert_eq!(recording_sha256(&p, &no_limit).ok(), Some(want));
        let missing =
            recording_sha256(&dir.path().join("nope.wav"), &no_limit).expect_err("a missing file");
        assert_eq!(missing.stage_kind(), ("input", "unreadable"));
        assert!(
            missing.to_string().contains("nope.wav: cannot read"),
            "{missing}"
        );
    }

    #[test]
    fn file_name_pattern_fills_metadata() {
        let re =
            Regex::new(r"^(?P<agent_id>A\d+)_(?P<team>[a-z-]+)_(?P<started_at>\d{8}T\d{6})$").ok();
        let c = from_file_name(
            Path::new("/rec/A1001_team-north_20261102T091500.wav"),
            re.as_ref(),
        );
        assert_eq!(c.agent_id, "A1001");
        assert_eq!(c.team.as_deref(), Some("team-north"));
        assert_eq!(
            c.call_date,
            NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default()
        );
        let plain = from_file_name(Path::new("/rec/whatever.wav"), re.as_ref());
        assert_eq!(plain.agent_id, UNKNOWN_AGENT);
        assert_eq!(plain.call_id, "whatever");
    }

    #[test]
    fn manifest_rows_are_read_and_bad_rows_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let m = dir.path().join("manifest.csv");
        std::fs::write(
            &m,
            "call_id,path,agent_id,team,direction,started_at,queue\n\
             c1,audio/c1.wav,A1,north,Inbound,2026-11-02T09:15:00,billing\n\
             c2,audio/c2.wav,A2,south,outbound,not-a-date,billing\n\
             ,audio/c3.wav,A3,south,outbound,,x\n\
             c1,audio/c1b.wav,A1,north,inbound,,x\n",
        )
        .expect("write");
        let (calls, errors) = read_manifest(&m).expect("manifest reads");
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].path, dir.path().join("audio/c1.wav"));
        assert_eq!(calls[0].direction.as_deref(), Some("inbound"));
        assert_eq!(
            calls[0].extra.get("queue").map(String::as_str),
            Some("billing")
        );
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].message.contains("line 3"));
    }

    #[test]
    fn manifest_without_path_column_is_rejected_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let m = dir.path().join("m.csv");
        std::fs::write(&m, "call_id,file\nc1,a.wav\n").expect("write");
        let err = read_manifest(&m).unwrap_err();
        assert!(err.message.contains("path"), "{err}");
    }

    #[test]
    fn folders_are_walked_and_missing_paths_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("a")).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("b")).expect("mkdir");
        for p in ["a/x.wav", "b/x.wav", "a/notes.txt", "b/y.MP3"] {
            std::fs::write(dir.path().join(p), b"").expect("write");
        }
        let (calls, errors) = gather_paths(
            &[dir.path().to_path_buf(), dir.path().join("nope.wav")],
            None,
        );
        assert_eq!(calls.len(), 3);
        assert_eq!(errors.len(), 1);
        let ids: std::collections::HashSet<_> = calls.iter().map(|c| c.call_id.clone()).collect();
        assert_eq!(ids.len(), 3, "duplicate stems get distinct ids: {ids:?}");
    }
}
