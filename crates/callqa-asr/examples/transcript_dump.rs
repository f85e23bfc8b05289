//! Print the transcript of one recording as JSON (utterances and activity), for inspecting
//! utterance boundaries and overlaps against a timeline.
//!
//! `cargo run --release -p callqa-asr --example transcript_dump -- MODEL LANG stereo|mono FILE`
//! (extra `[asr]` settings as TOML in `CALLQA_ASR_TOML`).

use callqa_asr::{AsrConfig, ChannelLayout, Transcriber, WhisperModel};
use callqa_audio::{DecodeOptions, decode_16k};
use callqa_vad::{Vad, VadConfig};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, lang, layout, file] = args.as_slice() else {
        return Err("usage: transcript_dump MODEL LANG stereo|mono FILE".into());
    };
    let model = WhisperModel::load(Path::new(model))?;
    let vad = Vad::new(&VadConfig::default())?;
    // Extra `[asr]` keys as TOML in CALLQA_ASR_TOML (experiments).
    let mut cfg: AsrConfig = match std::env::var("CALLQA_ASR_TOML") {
        Ok(t) => toml::from_str(&t)?,
        Err(_) => AsrConfig::default(),
    };
    cfg.language = lang.clone();
    let mut worker = Transcriber::new(&model, cfg)?;
    let audio = decode_16k(Path::new(file), &DecodeOptions::default())?;
    let layout = if layout == "mono" {
        ChannelLayout::Mono
    } else {
        ChannelLayout::default()
    };
    let t = worker.transcribe_call(&vad, &audio.channels, &layout)?;
    println!("{}", serde_json::to_string(&t)?);
    Ok(())
}
