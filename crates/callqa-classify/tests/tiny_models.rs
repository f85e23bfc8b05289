//! End-to-end runs of the classifier plumbing on the tiny hand-wired models in tests/data/tiny
//! (SYNTHETIC keyword-bag encoder and linear heads built by tests/data/make_tiny_models.py): load,
//! verify, tokenise, batch, split clauses, apply thresholds. Skips (passes with a message) when
//! ONNX Runtime is not installed.

use callqa_classify::{
    ClassifierPaths, Classifiers, ClassifyError, LoadOptions, step_labels, verify_model_dir,
};
use callqa_core::{Speaker, Transcript, Utterance};
use std::path::{Path, PathBuf};

fn tiny_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny")
}

fn tiny_paths(root: &Path) -> ClassifierPaths {
    ClassifierPaths::under(root)
}

fn runtime() -> bool {
    match callqa_onnx::init_runtime() {
        Ok(_) => true,
        Err(e) => {
            eprintln!("skipping: ONNX Runtime not available ({e})");
            false
        }
    }
}

fn load(batch_size: usize) -> Classifiers {
    let options = LoadOptions {
        threads: 1,
        batch_size,
        encoder_file: None,
    };
    match Classifiers::load_with(&tiny_paths(&tiny_root()), &options) {
        Ok(c) => c,
        Err(e) => panic!("tiny models do not load: {e}"),
    }
}

/// Copy the tiny models to a temp folder that a test may break.
fn copy_tiny() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).ok();
        for e in std::fs::read_dir(from).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                copy(&p, &to.join(e.file_name()));
            } else {
                std::fs::copy(&p, to.join(e.file_name())).ok();
            }
        }
    }
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    };
    copy(&tiny_root(), dir.path());
    dir
}

#[test]
fn greeting_turn_yields_each_step_with_its_clause_span() {
    if !runtime() {
        return;
    }
    let c = load(8);
    let text = "您好，欢迎致电中国移动，我是10086号客服，请问有什么可以帮您？";
    let j = match c.classify_texts(&[text], "zh") {
        Ok(mut v) => v.remove(0),
        Err(e) => panic!("{e}"),
    };
    let steps = step_labels(&j.script_steps);
    for want in ["greeting", "self_intro", "need_probe"] {
        assert!(
            steps.contains(&want.to_string()),
            "{want} missing from {steps:?}"
        );
    }
    assert!(!steps.contains(&"other".to_string()));
    let chars: Vec<char> = text.chars().collect();
    for hit in &j.script_steps {
        let span: String = chars[hit.char_start..hit.char_end].iter().collect();
        match hit.step.as_str() {
            "greeting" => assert!(span.starts_with("您好"), "{span}"),
            "self_intro" => assert_eq!(span, "我是10086号客服"),
            "need_probe" => assert_eq!(span, "请问有什么可以帮您"),
            _ => {}
        }
    }
    // Best first.
    assert!(j.script_steps.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(j.courtesy.label, "polite");
    assert_eq!(j.courtesy.distribution.len(), 3);
}

#[test]
fn rude_and_grateful_lines_get_their_labels_in_both_languages() {
    if !runtime() {
        return;
    }
    let c = load(4);
    let texts = [
        "你听不懂人话吗",
        "太感谢了，问题解决了",
        "Are you deaf or just stupid?",
        "Thanks so much, that is great.",
    ];
    let j = match c.classify_texts(&texts, "auto") {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(j[0].courtesy.label, "impolite");
    assert_eq!(j[0].sentiment.label, "negative");
    assert_eq!(j[1].sentiment.label, "positive");
    assert_eq!(j[2].courtesy.label, "impolite");
    assert_eq!(j[3].sentiment.label, "positive");
}

#[test]
fn results_do_not_depend_on_batch_size_or_neighbours() {
    if !runtime() {
        return;
    }
    let texts = [
        "您好，欢迎致电，我是工号1234的客服，请问有什么可以帮您？",
        "好的",
        "很抱歉让您久等了，请问您是机主本人吗",
        "Hello, thank you for calling. My name is Sarah, how can I help you today?",
        "",
        "谢谢，再见",
    ];
    let one = load(1);
    let many = load(32);
    let a = one.classify_texts(&texts, "auto");
    let b = many.classify_texts(&texts, "auto");
    let (a, b) = match (a, b) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => panic!("{e}"),
    };
    assert_eq!(a.len(), texts.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.courtesy.label, y.courtesy.label);
        assert_eq!(step_labels(&x.script_steps), step_labels(&y.script_steps));
        for ((_, p), (_, q)) in x
            .sentiment
            .distribution
            .iter()
            .zip(&y.sentiment.distribution)
        {
            assert!((p - q).abs() < 1e-4, "{p} vs {q}");
        }
    }
    // Each text alone gives what it gave in the batch.
    for (t, x) in texts.iter().zip(&a) {
        let alone = match one.classify_texts(&[t], "auto") {
            Ok(mut v) => v.remove(0),
            Err(e) => panic!("{e}"),
        };
        assert_eq!(alone.script_step.label, x.script_step.label);
        assert!((alone.courtesy.score - x.courtesy.score).abs() < 1e-4);
    }
}

#[test]
fn annotate_scores_customers_for_sentiment_only() {
    if !runtime() {
        return;
    }
    let c = load(8);
    let t = Transcript {
        language: "zh".into(),
        duration_ms: 20_000,
        roles_inferred: false,
        role_confidence: 1.0,
        utterances: vec![
            Utterance::new(
                0,
                Speaker::Agent,
                0,
                3_000,
                "您好，我是10086号客服，请问有什么可以帮您？",
            ),
            Utterance::new(1, Speaker::Customer, 3_500, 5_000, "我要投诉，太生气了"),
            Utterance::new(
                2,
                Speaker::Unknown,
                6_000,
                8_000,
                "对不起给您添麻烦了，请稍等一下",
            ),
        ],
        activity: vec![],
        dropped_segments: 0,
    };
    let scores = match c.annotate(&t) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(scores.len(), 3);
    assert!(scores[0].courtesy.is_some() && scores[0].script_step.is_some());
    assert!(!scores[0].script_steps.is_empty());
    assert!(scores[1].courtesy.is_none() && scores[1].script_step.is_none());
    assert!(scores[1].script_steps.is_empty());
    assert_eq!(scores[1].sentiment.label, "negative");
    assert_eq!(scores[1].speaker, Speaker::Customer);
    assert!(scores[2].courtesy.is_some());
    let steps = step_labels(&scores[2].script_steps);
    assert!(steps.contains(&"empathy".to_string()), "{steps:?}");
    assert!(steps.contains(&"hold_request".to_string()), "{steps:?}");
}

#[test]
fn verify_checks_label_count_against_the_onnx_output() {
    if !runtime() {
        return;
    }
    let dir = copy_tiny();
    let head = dir.path().join("classifiers/courtesy");
    if let Err(e) = verify_model_dir(&head) {
        panic!("good folder rejected: {e}");
    }
    let toml_path = head.join("model.toml");
    let text = std::fs::read_to_string(&toml_path).unwrap_or_default();
    std::fs::write(
        &toml_path,
        text.replace(
            "labels = [\"polite\", \"neutral\", \"impolite\"]",
            "labels = [\"polite\", \"impolite\"]",
        )
        .replace("neutral = 0.0\n", ""),
    )
    .ok();
    match verify_model_dir(&head) {
        Ok(_) => panic!("accepted 2 labels for a 3-way model"),
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains("`labels`") && msg.contains("outputs 3"),
                "{msg}"
            );
        }
    }
    // Loading the whole set fails the same way.
    match Classifiers::load(&ClassifierPaths::under(dir.path()), 1) {
        Ok(_) => panic!("loaded a broken set"),
        Err(e) => assert!(e.to_string().contains("`labels`"), "{e}"),
    }
}

#[test]
fn a_user_model_with_other_labels_drops_in_without_code_changes() {
    if !runtime() {
        return;
    }
    // Relabel the sentiment head (same 3 outputs, new names, custom thresholds).
    let dir = copy_tiny();
    let toml_path = dir.path().join("classifiers/sentiment/model.toml");
    let text = std::fs::read_to_string(&toml_path).unwrap_or_default();
    let text = text
        .replace(
            "labels = [\"negative\", \"neutral\", \"positive\"]",
            "labels = [\"unhappy\", \"calm\", \"happy\"]",
        )
        .replace("negative = 0.5", "unhappy = 0.5")
        .replace("neutral = 0.0", "calm = 0.0")
        .replace("positive = 0.5", "happy = 0.99");
    std::fs::write(&toml_path, text).ok();
    let c = match Classifiers::load(&ClassifierPaths::under(dir.path()), 1) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    let j = match c.classify_texts(&["我要投诉", "太感谢了，问题解决了"], "zh") {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(j[0].sentiment.label, "unhappy");
    // "happy" is the most probable label but below its 0.99 threshold: the next best wins.
    let best = j[1]
        .sentiment
        .distribution
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(l, _)| l.clone());
    assert_eq!(best.as_deref(), Some("happy"));
    assert_eq!(j[1].sentiment.label, "calm");
}

#[test]
fn a_missing_encoder_is_named() {
    if !runtime() {
        return;
    }
    let dir = copy_tiny();
    std::fs::remove_dir_all(dir.path().join("encoder/tiny-enc")).ok();
    match Classifiers::load(&ClassifierPaths::under(dir.path()), 1) {
        Ok(_) => panic!("loaded without an encoder"),
        Err(e @ ClassifyError::NotAModelFolder { .. }) => {
            assert!(e.to_string().contains("tiny-enc"), "{e}")
        }
        Err(e) => panic!("unexpected error: {e}"),
    }
}

#[test]
fn a_head_trained_on_another_encoder_build_is_refused() {
    if !runtime() {
        return;
    }
    let dir = copy_tiny();
    let toml_path = dir.path().join("classifiers/courtesy/model.toml");
    let text = std::fs::read_to_string(&toml_path).unwrap_or_default();
    let other = "ab".repeat(32);
    std::fs::write(
        &toml_path,
        text.replace(
            "encoder = \"tiny-enc\"",
            &format!("encoder = \"tiny-enc\"\nencoder_sha256 = \"{other}\""),
        ),
    )
    .ok();
    match Classifiers::load(&ClassifierPaths::under(dir.path()), 1) {
        Ok(_) => panic!("loaded a head against the wrong encoder"),
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains("`encoder_sha256`") && msg.contains(&other),
                "{msg}"
            );
        }
    }
    // The right hash loads.
    let enc = dir.path().join("encoder/tiny-enc/model.onnx");
    let right = callqa_classify::manifest::sha256_file(&enc).unwrap_or_default();
    let text = std::fs::read_to_string(&toml_path).unwrap_or_default();
    std::fs::write(&toml_path, text.replace(&other, &right)).ok();
    if let Err(e) = Classifiers::load(&ClassifierPaths::under(dir.path()), 1) {
        panic!("{e}");
    }
}
