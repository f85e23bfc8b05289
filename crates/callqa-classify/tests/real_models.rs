//! End-to-end checks of the real classifiers (multilingual-e5-small encoder + trained heads) in
//! `$CALLQA_HOME/models`. Skips (passes with a message) when the models or ONNX Runtime are not
//! installed; build them with the models set-up first.

use callqa_classify::{Classifiers, Judgement, default_paths, step_labels};
use std::sync::OnceLock;

/// The installed classifiers, loaded once for all tests of this file.
fn load() -> Option<&'static Classifiers> {
    static LOADED: OnceLock<Option<Classifiers>> = OnceLock::new();
    LOADED.get_or_init(load_installed).as_ref()
}

fn load_installed() -> Option<Classifiers> {
    let paths = default_paths();
    for dir in [&paths.courtesy, &paths.script_step, &paths.sentiment] {
        if !dir.join("model.toml").is_file() {
            eprintln!(
                "skipping: no classifier in {} (run the models set-up)",
                dir.display()
            );
            return None;
        }
    }
    if let Err(e) = callqa_onnx::init_runtime() {
        eprintln!("skipping: ONNX Runtime not available ({e})");
        return None;
    }
    match Classifiers::load(&paths, 2) {
        Ok(c) => Some(c),
        Err(e) => panic!("the installed models do not load: {e}"),
    }
}

fn judge(c: &Classifiers, texts: &[&str], lang: &str) -> Vec<Judgement> {
    match c.classify_texts(texts, lang) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

fn assert_steps(j: &Judgement, text: &str, want: &[&str]) {
    let steps = step_labels(&j.script_steps);
    for w in want {
        assert!(
            steps.iter().any(|s| s == w),
            "{w} not among the steps {steps:?} of {text:?} ({:?})",
            j.script_steps
        );
    }
}

#[test]
fn opening_turn_holds_greeting_self_intro_and_need_probe() {
    let Some(c) = load() else { return };
    let zh = "您好，欢迎致电中国移动，我是10086号客服，请问有什么可以帮您？";
    let j = judge(c, &[zh], "zh");
    assert_steps(&j[0], zh, &["greeting", "self_intro", "need_probe"]);
    // Unpunctuated ASR-style text splits at cue phrases.
    let asr = "您好欢迎致电中国移动我是10086号客服请问有什么可以帮您";
    let j = judge(c, &[asr], "zh");
    assert_steps(&j[0], asr, &["greeting", "self_intro", "need_probe"]);
}

// The heads are trained on the English corpus too (models/train/data/en).
#[test]
fn english_opening_turn_holds_greeting_self_intro_and_need_probe() {
    let Some(c) = load() else { return };
    let en = "Hello, thank you for calling Acme Telecom. My name is Sarah, agent number 2041. How can I help you today?";
    let j = judge(c, &[en], "en");
    assert_steps(&j[0], en, &["greeting", "self_intro", "need_probe"]);
}

#[test]
fn apology_plus_identity_question_holds_both_steps() {
    let Some(c) = load() else { return };
    let zh = "非常抱歉给您带来不便，请问您是机主本人吗？";
    let j = judge(c, &[zh], "zh");
    assert_steps(&j[0], zh, &["empathy", "identity_check"]);
}

#[test]
fn rude_lines_are_impolite() {
    let Some(c) = load() else { return };
    let texts = [
        "你听不懂人话吗",
        "Are you deaf? I already told you that twice.",
    ];
    let j = judge(c, &texts, "auto");
    for (t, j) in texts.iter().zip(&j) {
        assert_eq!(j.courtesy.label, "impolite", "{t}: {:?}", j.courtesy);
    }
}

#[test]
fn grateful_lines_are_positive() {
    let Some(c) = load() else { return };
    let texts = [
        "太感谢了，问题解决了",
        "Thank you so much, the problem is solved!",
    ];
    let j = judge(c, &texts, "auto");
    for (t, j) in texts.iter().zip(&j) {
        assert_eq!(j.sentiment.label, "positive", "{t}: {:?}", j.sentiment);
    }
}

#[test]
fn polite_greeting_is_not_impolite_and_angry_complaint_is_negative() {
    let Some(c) = load() else { return };
    let texts = ["您好，请问有什么可以帮您？", "你们这什么破服务，我要投诉！"];
    let j = judge(c, &texts, "zh");
    assert_ne!(j[0].courtesy.label, "impolite", "{:?}", j[0].courtesy);
    assert_eq!(j[1].sentiment.label, "negative", "{:?}", j[1].sentiment);
}
