//! Fuzz targets: each writes one input to a file (the entry points take paths) and runs the
//! real library entry point on it, checking that every error is a clean one.

use std::path::Path;

/// What a fuzz target feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// `callqa_audio::probe`, then `open` streamed through every block, or `decode_16k`.
    Audio,
    /// `callqa_pipeline::Pipeline::load` (parse + validate), then `stage_settings`.
    Toml,
    /// `callqa_pipeline::inputs::read_manifest`.
    Manifest,
    /// `callqa_store::read_ledger` over an output folder holding the input as a ledger record.
    Ledger,
    /// `callqa_text::find_pii_in` and `redact_spans` on an utterance (the input's first line is
    /// the agent's question, the rest the utterance): spans must lie on character boundaries, in
    /// order, without overlaps, with character offsets that match.
    Pii,
}

impl Target {
    /// Every target, in a fixed order.
    pub const ALL: [Target; 5] = [
        Target::Audio,
        Target::Toml,
        Target::Manifest,
        Target::Ledger,
        Target::Pii,
    ];

    /// The target's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Target::Audio => "audio",
            Target::Toml => "toml",
            Target::Manifest => "manifest",
            Target::Ledger => "ledger",
            Target::Pii => "pii",
        }
    }

    /// The target named `s` (`audio`, `toml`, `manifest`, `ledger`, `pii`).
    pub fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == s)
    }
}

/// How one input went, when it did not panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The entry point accepted the input.
    Accepted,
    /// The entry point refused it with an error that names the file on one line.
    CleanError,
    /// The entry point refused it with an error that breaks the rules (several lines, or the
    /// file not named): the message.
    UncleanError(String),
}

/// Check an error message: one line, naming `file` (by its path or its file name).
fn judge(message: String, file: &Path) -> Outcome {
    let full = file.display().to_string();
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if message.contains('\n') {
        return Outcome::UncleanError(format!("multi-line error: {message:?}"));
    }
    if !message.contains(&full) && (name.is_empty() || !message.contains(&name)) {
        return Outcome::UncleanError(format!("error does not name the file: {message:?}"));
    }
    Outcome::CleanError
}

/// Run `target` on `data`, written under `dir`. `variant` picks options (block size, mono mix,
/// whole-call decode) so that one case seed reproduces one run.
pub fn run(target: Target, data: &[u8], dir: &Path, variant: u64) -> std::io::Result<Outcome> {
    match target {
        Target::Audio => run_audio(data, dir, variant),
        Target::Toml => {
            let path = dir.join("pipeline.toml");
            std::fs::write(&path, data)?;
            Ok(match callqa_pipeline::Pipeline::load(&path) {
                Ok(p) => {
                    // Reaches the [asr], [vad] and [diarize] tables' own validation.
                    let _ = p.classifier_paths();
                    match p.stage_settings() {
                        Ok(_) => Outcome::Accepted,
                        Err(e) => judge(e.to_string(), &path),
                    }
                }
                Err(e) => judge(e.to_string(), &path),
            })
        }
        Target::Manifest => {
            let path = dir.join("manifest.csv");
            std::fs::write(&path, data)?;
            Ok(match callqa_pipeline::inputs::read_manifest(&path) {
                Ok((_, row_errors)) => {
                    // Row errors are values too: each must be clean.
                    match row_errors
                        .into_iter()
                        .map(|e| judge(e.to_string(), &path))
                        .find(|o| matches!(o, Outcome::UncleanError(_)))
                    {
                        Some(bad) => bad,
                        None => Outcome::Accepted,
                    }
                }
                Err(e) => judge(e.to_string(), &path),
            })
        }
        Target::Pii => Ok(run_pii(data, variant)),
        Target::Ledger => {
            let out = dir.join("out");
            let ledger = out.join("_ledger");
            // A fresh folder each time: the store may delete or rename files in it.
            let _ = std::fs::remove_dir_all(&out);
            std::fs::create_dir_all(&ledger)?;
            let path = ledger.join("r1-0.json");
            std::fs::write(&path, data)?;
            Ok(match callqa_store::read_ledger(&out) {
                Ok(_) => Outcome::Accepted,
                Err(e) => judge(e.to_string(), &path),
            })
        }
    }
}

fn run_audio(data: &[u8], dir: &Path, variant: u64) -> std::io::Result<Outcome> {
    use callqa_audio::{DecodeOptions, decode_16k, open, probe};
    let path = dir.join("input.audio");
    std::fs::write(&path, data)?;
    let mut outcome = Outcome::Accepted;
    let mut note = |r: Result<(), callqa_audio::AudioError>| {
        if let Err(e) = r {
            let o = judge(e.to_string(), &path);
            if outcome == Outcome::Accepted || matches!(o, Outcome::UncleanError(_)) {
                outcome = o;
            }
        }
    };
    note(probe(&path).map(|_| ()));
    let opts = DecodeOptions {
        mono_mix: variant & 1 == 1,
        block_frames: [1usize, 160, 4096, 16_000][(variant >> 1) as usize % 4],
    };
    if (variant >> 3).is_multiple_of(4) {
        note(decode_16k(&path, &opts).map(|d| {
            let n = d.channels.first().map_or(0, Vec::len);
            assert!(
                d.channels.iter().all(|c| c.len() == n),
                "decode_16k gave channels of different lengths"
            );
        }));
    } else {
        match open(&path, &opts) {
            Ok(stream) => {
                let mut next = 0u64;
                for block in stream {
                    match block {
                        Ok(b) => {
                            let n = b.frames();
                            assert!(n > 0, "empty block");
                            assert!(n <= opts.block_frames, "block longer than block_frames");
                            assert!(
                                b.channels.iter().all(|c| c.len() == n),
                                "block channels of different lengths"
                            );
                            assert_eq!(b.start_frame, next, "blocks not contiguous");
                            next += n as u64;
                        }
                        Err(e) => {
                            note(Err(e));
                            break;
                        }
                    }
                }
            }
            Err(e) => note(Err(e)),
        }
    }
    Ok(outcome)
}

/// The redactor on one utterance: `data` is "question\nutterance" (lossy UTF-8); `variant` bit 0
/// says whether the agent speaks. A broken span is reported as an unclean outcome.
fn run_pii(data: &[u8], variant: u64) -> Outcome {
    let text = String::from_utf8_lossy(data);
    let (question, utterance) = match text.split_once('\n') {
        Some((q, u)) => (Some(q), u),
        None => (None, text.as_ref()),
    };
    let ctx = callqa_text::Context {
        agent: variant & 1 == 1,
        question,
    };
    let spans = callqa_text::find_pii_in(utterance, &ctx);
    let mut prev_end = 0;
    for s in &spans {
        let ok = s.start < s.end
            && s.start >= prev_end
            && utterance.is_char_boundary(s.start)
            && utterance.is_char_boundary(s.end)
            && s.end <= utterance.len()
            && utterance[..s.start].chars().count() == s.start_char
            && utterance[..s.end].chars().count() == s.end_char;
        if !ok {
            return Outcome::UncleanError(format!("bad span {s:?} in {utterance:?}"));
        }
        prev_end = s.end;
    }
    let _ = callqa_text::redact_spans(utterance, &spans);
    Outcome::Accepted
}
