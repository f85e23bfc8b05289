//! The form engine on small hand-made calls: every outcome, the evidence and the total.

use callqa_core::{
    SCRIPT_STEP_LABELS, SENTIMENT_LABELS, Speaker, SpeechSpan, Transcript, Utterance,
};
use callqa_score::{Form, FormConfig, LabelScore, Outcome, StepHit, UtteranceJudgement, evaluate};

const FORM: &str = r#"
name = "test-form"
dead_air_limit_s = 10

[[sections]]
id = "opening"
[[sections.items]]
id = "greeting"
weight = 10
detector = "script_step:greeting"
window = { first_s = 15 }
[[sections.items]]
id = "empathy"
weight = 10
detector = "script_step:empathy"
na_when = "customer_not_upset"
[[sections.items]]
id = "hold_etiquette"
weight = 10
detector = "hold_etiquette"
na_when = "no_hold"
[[sections.items]]
id = "farewell"
weight = 10
detector = "script_step:farewell"
window = { last_s = 20 }

[[sections]]
id = "conduct"
[[sections.items]]
id = "courtesy"
weight = 20
detector = "courtesy"
auto_fail = true
[[sections.items]]
id = "dead_air"
weight = 10
detector = "metric:longest_dead_air_s <= 10"
[[sections.items]]
id = "interruptions"
weight = 10
detector = "metric:agent_interruptions <= 2"
[[sections.items]]
id = "no_swearing"
weight = 0
detector = "phrase:forbidden"
phrases = ["你烦不烦"]
"#;

fn form() -> Form {
    let config: FormConfig = toml::from_str(FORM).expect("form parses");
    Form::validate(config, &SCRIPT_STEP_LABELS, &SENTIMENT_LABELS).expect("form validates")
}

fn step(s: &str) -> UtteranceJudgement {
    UtteranceJudgement {
        script_steps: vec![StepHit {
            step: s.into(),
            score: 0.9,
        }],
        ..Default::default()
    }
}

fn sentiment(label: &str, score: f32) -> UtteranceJudgement {
    UtteranceJudgement {
        sentiment: Some(LabelScore {
            label: label.into(),
            score,
        }),
        ..Default::default()
    }
}

/// Build a call from (speaker, start s, end s, text, judgement).
fn call(
    turns: Vec<(Speaker, f64, f64, &str, UtteranceJudgement)>,
) -> (Transcript, Vec<UtteranceJudgement>) {
    let mut utterances = Vec::new();
    let mut activity = Vec::new();
    let mut judgements = Vec::new();
    for (i, (speaker, s, e, text, j)) in turns.into_iter().enumerate() {
        let (s, e) = ((s * 1000.0) as u64, (e * 1000.0) as u64);
        utterances.push(Utterance::new(i as u32, speaker, s, e, text));
        activity.push(SpeechSpan {
            speaker,
            start_ms: s,
            end_ms: e,
        });
        judgements.push(j);
    }
    let duration_ms = utterances.iter().map(|u| u.end_ms).max().unwrap_or(0) + 1000;
    let t = Transcript {
        language: "zh".into(),
        duration_ms,
        roles_inferred: false,
        role_confidence: 1.0,
        utterances,
        activity,
        dropped_segments: 0,
    };
    (t, judgements)
}

fn outcome(card: &callqa_score::Scorecard, id: &str) -> Outcome {
    card.items
        .iter()
        .find(|i| i.item_id == id)
        .map(|i| i.result)
        .expect("item present")
}

#[test]
fn model_call_passes_everything_with_evidence() {
    use Speaker::*;
    let (t, j) = call(vec![
        (Agent, 1.0, 3.0, "您好，欢迎致电", step("greeting")),
        (
            Customer,
            3.5,
            6.0,
            "你们怎么回事，扣了我两次钱",
            sentiment("negative", 0.9),
        ),
        (Agent, 6.5, 8.0, "非常抱歉给您带来不便", step("empathy")),
        (
            Agent,
            8.5,
            10.0,
            "请您稍等，我帮您查一下",
            step("hold_request"),
        ),
        (Agent, 22.0, 24.0, "感谢您的耐心等待", step("hold_return")),
        (
            Customer,
            24.5,
            26.0,
            "好的，谢谢你",
            sentiment("positive", 0.8),
        ),
        (Agent, 26.5, 28.0, "感谢来电，再见", step("farewell")),
    ]);
    let card = evaluate(&form(), &t, &j);
    for item in &card.items {
        assert_eq!(
            item.result,
            Outcome::Pass,
            "{} {:?}",
            item.item_id,
            item.evidence
        );
    }
    assert_eq!(card.total_score, 100.0);
    assert!(!card.auto_fail);
    let greeting = &card.items[0];
    assert_eq!(greeting.evidence.idx, Some(0));
    assert_eq!(greeting.evidence.start_ms, Some(1000));
    assert_eq!(greeting.evidence.text, "您好，欢迎致电");
    // The 12 s silence follows a hold request: a hold, not dead air.
    assert_eq!(card.metrics.hold_count, 1);
    assert_eq!(
        card.customer_sentiment_start
            .as_ref()
            .map(|s| s.label.as_str()),
        Some("negative")
    );
    assert_eq!(
        card.customer_sentiment_end
            .as_ref()
            .map(|s| s.label.as_str()),
        Some("positive")
    );
}

#[test]
fn missing_steps_fail_and_na_items_leave_the_denominator() {
    use Speaker::*;
    let (t, j) = call(vec![
        (Customer, 1.0, 3.0, "喂，你好", sentiment("neutral", 0.8)),
        (Agent, 20.0, 22.0, "您好，欢迎致电", step("greeting")), // too late for the 15 s window
        (
            Customer,
            22.5,
            25.0,
            "我想查一下话费",
            sentiment("neutral", 0.8),
        ),
        (Agent, 25.5, 27.0, "好的", UtteranceJudgement::default()),
    ]);
    let card = evaluate(&form(), &t, &j);
    assert_eq!(outcome(&card, "greeting"), Outcome::Fail);
    let greeting = card
        .items
        .iter()
        .find(|i| i.item_id == "greeting")
        .expect("greeting");
    assert_eq!(
        greeting.evidence.idx, None,
        "a fail points at the window searched"
    );
    assert_eq!(greeting.evidence.start_ms, Some(1000));
    assert_eq!(outcome(&card, "empathy"), Outcome::Na);
    assert_eq!(outcome(&card, "hold_etiquette"), Outcome::Na);
    assert_eq!(outcome(&card, "farewell"), Outcome::Fail);
    // 17 s of silence before the agent speaks, with no hold announced: dead air.
    assert_eq!(outcome(&card, "dead_air"), Outcome::Fail);
    // Applicable weight: 10+10+20+10+10+0 = 60; passed: courtesy 20 + interruptions 10 + phrase 0.
    assert!(
        (card.total_score - 50.0).abs() < 1e-9,
        "{}",
        card.total_score
    );
    assert_eq!(card.items_na, 2);
}

#[test]
fn one_impolite_utterance_auto_fails_the_call() {
    use Speaker::*;
    let rude = UtteranceJudgement {
        courtesy: Some(LabelScore {
            label: "impolite".into(),
            score: 0.95,
        }),
        ..Default::default()
    };
    let (t, j) = call(vec![
        (Agent, 1.0, 3.0, "您好，欢迎致电", step("greeting")),
        (Customer, 3.5, 5.0, "我不明白", sentiment("neutral", 0.8)),
        (Agent, 5.5, 7.0, "你烦不烦啊", rude),
        (Agent, 8.0, 9.0, "再见", step("farewell")),
    ]);
    let card = evaluate(&form(), &t, &j);
    assert_eq!(outcome(&card, "courtesy"), Outcome::Fail);
    assert_eq!(outcome(&card, "no_swearing"), Outcome::Fail);
    let c = card
        .items
        .iter()
        .find(|i| i.item_id == "courtesy")
        .expect("courtesy");
    assert_eq!(c.evidence.idx, Some(2));
    assert!(card.auto_fail);
    assert_eq!(card.total_score, 0.0);
}

#[test]
fn hold_without_asking_fails_hold_etiquette() {
    use Speaker::*;
    let (t, j) = call(vec![
        (Agent, 1.0, 3.0, "您好，欢迎致电", step("greeting")),
        (Agent, 15.0, 17.0, "让您久等了", step("hold_return")),
    ]);
    let card = evaluate(&form(), &t, &j);
    assert_eq!(outcome(&card, "hold_etiquette"), Outcome::Fail);
    assert_eq!(outcome(&card, "dead_air"), Outcome::Fail);
}

#[test]
fn a_wait_the_agent_imposed_without_asking_fails_hold_etiquette_but_is_not_dead_air() {
    use Speaker::*;
    let (t, j) = call(vec![
        (Agent, 1.0, 3.0, "您好，欢迎致电", step("greeting")),
        (
            Customer,
            3.5,
            5.0,
            "我的快递到哪了",
            sentiment("neutral", 0.8),
        ),
        (Agent, 5.5, 6.0, "嗯。", UtteranceJudgement::default()),
        (Agent, 14.0, 17.0, "查到了，还在路上", step("solution")),
    ]);
    let card = evaluate(&form(), &t, &j);
    assert_eq!(card.metrics.unannounced_wait_count, 1);
    assert_eq!(outcome(&card, "hold_etiquette"), Outcome::Fail);
    assert_eq!(outcome(&card, "dead_air"), Outcome::Pass);
    let item = card
        .items
        .iter()
        .find(|i| i.item_id == "hold_etiquette")
        .expect("item");
    assert_eq!(item.evidence.start_ms, Some(6000));
}

#[test]
fn agent_talking_over_the_customer_three_times_fails_interruptions() {
    use Speaker::*;
    let (t, j) = call(vec![
        (Customer, 0.0, 5.0, "我跟你说", sentiment("negative", 0.7)),
        (Agent, 4.0, 6.0, "你听我说", UtteranceJudgement::default()),
        (Customer, 6.5, 10.0, "不是", sentiment("negative", 0.7)),
        (Agent, 9.0, 11.0, "你听我说", UtteranceJudgement::default()),
        (Customer, 11.5, 15.0, "你别打断", sentiment("negative", 0.7)),
        (Agent, 14.0, 16.0, "你听我说", UtteranceJudgement::default()),
    ]);
    let card = evaluate(&form(), &t, &j);
    assert_eq!(card.metrics.agent_interruptions, 3);
    assert_eq!(outcome(&card, "interruptions"), Outcome::Fail);
    let item = card
        .items
        .iter()
        .find(|i| i.item_id == "interruptions")
        .expect("item");
    assert_eq!(item.evidence.start_ms, Some(4000));
}

const PHRASE_FORM: &str = r#"
name = "phrase-form"

[[sections]]
id = "opening"
[[sections.items]]
id = "self_intro"
weight = 10
detector = "script_step:self_intro"
phrases = ["工号", "my name is"]
window = { first_s = 20 }
[[sections.items]]
id = "courtesy"
weight = 10
detector = "courtesy"
min_score = 0.7
auto_fail = true
[[sections.items]]
id = "transfer_promise"
weight = 5
detector = "phrase:required"
phrases = ["转接"]
"#;

fn phrase_form() -> Form {
    let config: FormConfig = toml::from_str(PHRASE_FORM).expect("form parses");
    Form::validate(config, &SCRIPT_STEP_LABELS, &SENTIMENT_LABELS).expect("form validates")
}

fn impolite(score: f32) -> UtteranceJudgement {
    UtteranceJudgement {
        courtesy: Some(LabelScore {
            label: "impolite".into(),
            score,
        }),
        ..Default::default()
    }
}

#[test]
fn a_script_step_item_also_passes_on_its_phrase_inside_the_window_only() {
    use Speaker::*;
    // The classifier missed the step; the mandated wording (as ASR spelt it) is there.
    let (t, j) = call(vec![
        (
            Agent,
            1.0,
            4.0,
            "您好，工号 一零零一，请问有什么可以帮您",
            UtteranceJudgement::default(),
        ),
        (
            Customer,
            4.5,
            6.0,
            "我想查话费",
            UtteranceJudgement::default(),
        ),
    ]);
    let card = evaluate(&phrase_form(), &t, &j);
    assert_eq!(outcome(&card, "self_intro"), Outcome::Pass);
    let item = card
        .items
        .iter()
        .find(|i| i.item_id == "self_intro")
        .expect("item");
    assert_eq!(item.evidence.idx, Some(0));
    // Said after the window: not an introduction.
    let (t, j) = call(vec![
        (Agent, 1.0, 3.0, "您好", UtteranceJudgement::default()),
        (
            Agent,
            25.0,
            27.0,
            "My name is Emma.",
            UtteranceJudgement::default(),
        ),
    ]);
    assert_eq!(
        outcome(&evaluate(&phrase_form(), &t, &j), "self_intro"),
        Outcome::Fail
    );
    // A customer saying it does not count.
    let (t, j) = call(vec![(
        Customer,
        1.0,
        3.0,
        "my name is Bob",
        UtteranceJudgement::default(),
    )]);
    assert_eq!(
        outcome(&evaluate(&phrase_form(), &t, &j), "self_intro"),
        Outcome::Fail
    );
}

#[test]
fn a_negated_phrase_does_not_count() {
    use Speaker::*;
    let (t, j) = call(vec![
        (
            Agent,
            1.0,
            3.0,
            "这个不转接的",
            UtteranceJudgement::default(),
        ),
        (Agent, 4.0, 6.0, "我没有工号", UtteranceJudgement::default()),
    ]);
    let card = evaluate(&phrase_form(), &t, &j);
    assert_eq!(outcome(&card, "transfer_promise"), Outcome::Fail);
    assert_eq!(outcome(&card, "self_intro"), Outcome::Fail);
    let (t, j) = call(vec![(
        Agent,
        1.0,
        3.0,
        "好的，马上为您转接",
        UtteranceJudgement::default(),
    )]);
    assert_eq!(
        outcome(&evaluate(&phrase_form(), &t, &j), "transfer_promise"),
        Outcome::Pass
    );
}

#[test]
fn courtesy_min_score_ignores_weakly_impolite_lines() {
    use Speaker::*;
    let (t, j) = call(vec![(Agent, 1.0, 3.0, "那就先这样了", impolite(0.62))]);
    let card = evaluate(&phrase_form(), &t, &j);
    assert_eq!(outcome(&card, "courtesy"), Outcome::Pass);
    assert!(!card.auto_fail);
    let (t, j) = call(vec![(
        Agent,
        1.0,
        3.0,
        "你自己不看短信怪谁",
        impolite(0.88),
    )]);
    let card = evaluate(&phrase_form(), &t, &j);
    assert_eq!(outcome(&card, "courtesy"), Outcome::Fail);
    assert!(card.auto_fail);
}

// ---------------------------------------------------------------------------------------------
// Review instead of silent zeroes: auto-fail only on reliable, high-probability evidence.

use callqa_core::ReviewReason;

fn item<'c>(card: &'c callqa_score::Scorecard, id: &str) -> &'c callqa_score::ItemResult {
    card.items
        .iter()
        .find(|i| i.item_id == id)
        .expect("item present")
}

/// An agent line with this p(impolite), greeted first.
fn rude_call(p: f32) -> (Transcript, Vec<UtteranceJudgement>) {
    use Speaker::*;
    call(vec![
        (Agent, 1.0, 3.0, "您好，工号一零零一", step("greeting")),
        (Customer, 3.5, 5.0, "我不明白", sentiment("neutral", 0.8)),
        (Agent, 5.5, 7.0, "你自己不看短信怪谁", impolite(p)),
    ])
}

#[test]
fn a_clearly_impolite_reliable_turn_auto_fails_without_review() {
    let (t, j) = rude_call(0.88);
    let card = evaluate(&phrase_form(), &t, &j);
    let c = item(&card, "courtesy");
    assert_eq!(c.result, Outcome::Fail);
    assert_eq!(c.evidence.idx, Some(2));
    assert!((c.confidence - 0.88).abs() < 1e-6, "{}", c.confidence);
    assert!(card.auto_fail);
    assert_eq!(card.total_score, 0.0);
    assert!(!card.needs_review, "{:?}", card.review_reasons);
}

#[test]
fn a_weakly_impolite_turn_passes_and_flags_the_call_for_review() {
    // 0.62: between the review threshold (default 0.5) and min_score 0.7.
    let (t, j) = rude_call(0.62);
    let card = evaluate(&phrase_form(), &t, &j);
    let c = item(&card, "courtesy");
    assert_eq!(c.result, Outcome::Pass);
    assert_eq!(c.evidence.idx, Some(2), "the suspect turn is the evidence");
    assert_eq!(c.review_reasons, vec![ReviewReason::CourtesyLowConfidence]);
    assert!((c.confidence - 0.38).abs() < 1e-6, "{}", c.confidence);
    assert!(!card.auto_fail);
    assert!(card.total_score > 0.0);
    assert!(card.needs_review);
    assert_eq!(
        card.review_reasons,
        vec![ReviewReason::CourtesyLowConfidence]
    );
    // Below the review threshold: a plain pass.
    let (t, j) = rude_call(0.45);
    let card = evaluate(&phrase_form(), &t, &j);
    assert_eq!(outcome(&card, "courtesy"), Outcome::Pass);
    assert!(!card.needs_review);
    assert!((item(&card, "courtesy").confidence - 0.55).abs() < 1e-6);
}

#[test]
fn the_review_threshold_is_a_form_key() {
    let text = PHRASE_FORM.replace(
        "min_score = 0.7\n",
        "min_score = 0.7\nreview_min_score = 0.65\n",
    );
    let config: FormConfig = toml::from_str(&text).expect("form parses");
    let form = Form::validate(config, &SCRIPT_STEP_LABELS, &SENTIMENT_LABELS).expect("valid");
    let (t, j) = rude_call(0.62);
    let card = evaluate(&form, &t, &j);
    assert_eq!(outcome(&card, "courtesy"), Outcome::Pass);
    assert!(!card.needs_review, "0.62 is below review_min_score 0.65");
}

#[test]
fn an_impolite_turn_with_low_asr_confidence_cannot_auto_fail_the_call() {
    let (mut t, j) = rude_call(0.9);
    t.utterances[2].avg_logprob = Some(-1.6);
    let card = evaluate(&phrase_form(), &t, &j);
    let c = item(&card, "courtesy");
    assert_eq!(c.result, Outcome::Pass);
    assert_eq!(c.evidence.idx, Some(2));
    assert_eq!(c.review_reasons, vec![ReviewReason::AsrLowConfidence]);
    // 1 - 0.9 * 0.5 (halved for low-confidence ASR)
    assert!((c.confidence - 0.55).abs() < 1e-6, "{}", c.confidence);
    assert!(!card.auto_fail);
    assert!(card.total_score > 0.0);
    assert_eq!(card.review_reasons, vec![ReviewReason::AsrLowConfidence]);
    // Adequate ASR confidence: the same line fails the call.
    t.utterances[2].avg_logprob = Some(-0.3);
    let card = evaluate(&phrase_form(), &t, &j);
    assert!(card.auto_fail);
    assert!(!card.needs_review);
}

#[test]
fn a_reliable_impolite_turn_fails_the_call_even_beside_a_garbled_one() {
    use Speaker::*;
    let (mut t, j) = call(vec![
        (Agent, 1.0, 3.0, "喂你怎么么", impolite(0.95)),
        (Customer, 3.5, 5.0, "我不明白", sentiment("neutral", 0.8)),
        (Agent, 5.5, 7.0, "你自己不看短信怪谁", impolite(0.8)),
    ]);
    t.utterances[0].avg_logprob = Some(-1.8);
    t.utterances[2].avg_logprob = Some(-0.2);
    let card = evaluate(&phrase_form(), &t, &j);
    assert_eq!(outcome(&card, "courtesy"), Outcome::Fail);
    assert_eq!(item(&card, "courtesy").evidence.idx, Some(2));
    assert!(card.auto_fail);
}

#[test]
fn inferred_roles_with_low_confidence_flag_the_call_and_cannot_auto_fail_it() {
    let (mut t, j) = rude_call(0.9);
    t.roles_inferred = true;
    t.role_confidence = 0.45;
    let card = evaluate(&phrase_form(), &t, &j);
    assert_eq!(outcome(&card, "courtesy"), Outcome::Pass);
    assert!(!card.auto_fail);
    assert_eq!(card.review_reasons, vec![ReviewReason::RolesUncertain]);
    // Uncertain roles flag the call even with nothing impolite in it.
    let (mut t, j) = rude_call(0.1);
    t.roles_inferred = true;
    t.role_confidence = 0.45;
    let card = evaluate(&phrase_form(), &t, &j);
    assert!(card.needs_review);
    assert_eq!(card.review_reasons, vec![ReviewReason::RolesUncertain]);
    // Confident inferred roles: the line fails the call; confidence scaled by role_confidence.
    let (mut t, j) = rude_call(0.9);
    t.roles_inferred = true;
    t.role_confidence = 0.8;
    let card = evaluate(&phrase_form(), &t, &j);
    assert!(card.auto_fail);
    assert!(!card.needs_review);
    assert!((item(&card, "courtesy").confidence - 0.72).abs() < 1e-6);
    assert!((item(&card, "self_intro").confidence - 0.8).abs() < 1e-6);
}

#[test]
fn an_unknown_speaker_cannot_auto_fail_the_call() {
    let (mut t, j) = rude_call(0.9);
    t.utterances[2].speaker = Speaker::Unknown;
    let card = evaluate(&phrase_form(), &t, &j);
    assert_eq!(outcome(&card, "courtesy"), Outcome::Pass);
    assert!(!card.auto_fail);
    assert_eq!(card.review_reasons, vec![ReviewReason::RolesUncertain]);
}

#[test]
fn back_channels_are_not_turns_for_script_steps_and_courtesy() {
    use Speaker::*;
    let (mut t, j) = call(vec![
        (
            Customer,
            1.0,
            6.0,
            "我的宽带从昨天开始就断了，一直连不上",
            sentiment("negative", 0.5),
        ),
        (Agent, 2.0, 2.6, "嗯，您好", step("greeting")),
        (Agent, 3.0, 3.5, "工号", UtteranceJudgement::default()),
        (Agent, 4.0, 4.4, "切", impolite(0.95)),
    ]);
    for u in &mut t.utterances[1..] {
        u.backchannel = true;
    }
    let card = evaluate(&phrase_form(), &t, &j);
    assert_eq!(outcome(&card, "courtesy"), Outcome::Pass);
    assert!(!card.auto_fail);
    assert!(!card.needs_review);
    assert_eq!(
        outcome(&card, "self_intro"),
        Outcome::Fail,
        "phrase in a back-channel"
    );
    // Unflagged, the same lines are turns.
    for u in &mut t.utterances {
        u.backchannel = false;
    }
    let card = evaluate(&phrase_form(), &t, &j);
    assert_eq!(outcome(&card, "courtesy"), Outcome::Fail);
    assert_eq!(outcome(&card, "self_intro"), Outcome::Pass);
    let card = evaluate(&form(), &t, &j);
    assert_eq!(outcome(&card, "greeting"), Outcome::Pass);
}

#[test]
fn a_failed_item_on_garbled_evidence_is_flagged_and_keeps_its_result_unless_auto_fail() {
    use Speaker::*;
    // hold_etiquette fails on a "thanks for holding" nobody asked for; the line is garbled.
    let (mut t, j) = call(vec![
        (Agent, 1.0, 3.0, "您好，欢迎致电", step("greeting")),
        (Agent, 15.0, 17.0, "让您久等了", step("hold_return")),
    ]);
    t.utterances[1].avg_logprob = Some(-2.0);
    let card = evaluate(&form(), &t, &j);
    let h = item(&card, "hold_etiquette");
    assert_eq!(h.result, Outcome::Fail);
    assert_eq!(h.review_reasons, vec![ReviewReason::AsrLowConfidence]);
    assert!(
        card.review_reasons
            .contains(&ReviewReason::AsrLowConfidence)
    );
    // A forbidden phrase said in a garbled line does not zero the call when the item is auto-fail.
    let text = PHRASE_FORM.to_string()
        + "[[sections.items]]\nid = \"no_swearing\"\nweight = 5\ndetector = \"phrase:forbidden\"\nphrases = [\"你烦不烦\"]\nauto_fail = true\n";
    let config: FormConfig = toml::from_str(&text).expect("form parses");
    let f = Form::validate(config, &SCRIPT_STEP_LABELS, &SENTIMENT_LABELS).expect("valid");
    let (mut t, j) = call(vec![(
        Agent,
        1.0,
        3.0,
        "你烦不烦啊",
        UtteranceJudgement::default(),
    )]);
    t.utterances[0].avg_logprob = Some(-1.4);
    let card = evaluate(&f, &t, &j);
    assert_eq!(outcome(&card, "no_swearing"), Outcome::Pass);
    assert!(!card.auto_fail);
    assert_eq!(card.review_reasons, vec![ReviewReason::AsrLowConfidence]);
    t.utterances[0].avg_logprob = None; // not from ASR: reliable
    let card = evaluate(&f, &t, &j);
    assert_eq!(outcome(&card, "no_swearing"), Outcome::Fail);
    assert!(card.auto_fail);
}

#[test]
fn the_asr_cut_is_a_form_key() {
    // -0.7 is below the default cut (-0.5): no auto-fail, review.
    let (mut t, j) = rude_call(0.9);
    t.utterances[2].avg_logprob = Some(-0.7);
    let card = evaluate(&form(), &t, &j);
    assert!(!card.auto_fail);
    assert_eq!(card.review_reasons, vec![ReviewReason::AsrLowConfidence]);
    // A form that trusts ASR down to -1.0 fails the call on the same line.
    let lenient = FORM.replace(
        "dead_air_limit_s = 10\n",
        "dead_air_limit_s = 10\nmin_asr_avg_logprob = -1.0\n",
    );
    let config: FormConfig = toml::from_str(&lenient).expect("form parses");
    let f = Form::validate(config, &SCRIPT_STEP_LABELS, &SENTIMENT_LABELS).expect("valid");
    let card = evaluate(&f, &t, &j);
    assert!(card.auto_fail);
    assert!(!card.needs_review);
}

#[test]
fn confidence_per_detector() {
    use Speaker::*;
    let (t, j) = call(vec![
        (Agent, 1.0, 3.0, "您好，欢迎致电", step("greeting")),
        (Customer, 3.5, 5.0, "我想查话费", sentiment("neutral", 0.8)),
        (Agent, 5.5, 7.0, "好的", UtteranceJudgement::default()),
    ]);
    let card = evaluate(&form(), &t, &j);
    let conf = |id: &str| item(&card, id).confidence;
    assert!(
        (conf("greeting") - 0.9).abs() < 1e-6,
        "classifier probability"
    );
    assert_eq!(conf("farewell"), 1.0, "fail with no near miss");
    assert_eq!(conf("courtesy"), 1.0, "nothing labelled impolite");
    // dead air 0 s against 10 s and 0 interruptions against 2: clear margins.
    assert_eq!(conf("dead_air"), 1.0);
    assert_eq!(conf("interruptions"), 1.0);
    assert!(
        (conf("empathy") - 1.0).abs() < 1e-6,
        "no negative customer line"
    );
    for i in &card.items {
        assert!((0.0..=1.0).contains(&i.confidence), "{i:?}");
    }
}

#[test]
fn evidence_times_never_show_sixty_seconds() {
    use Speaker::*;
    let (t, j) = call(vec![
        (Agent, 1.0, 3.0, "您好", step("greeting")),
        (
            Customer,
            100.0,
            119.96,
            "我想查话费",
            sentiment("neutral", 0.8),
        ),
    ]);
    let card = evaluate(&form(), &t, &j);
    let c = item(&card, "courtesy");
    assert!(
        c.evidence.text.ends_with("in 00:01.0-02:00.0"),
        "{}",
        c.evidence.text
    );
}

#[test]
fn an_impolite_score_on_a_courteous_script_line_goes_to_review_not_auto_fail() {
    // "You're speaking with Emma." classified self_intro by the script-step head and impolite
    // by the courtesy head: the heads disagree, so the call is flagged, not zeroed.
    use Speaker::*;
    let mut both = impolite(0.88);
    both.script_steps = step("self_intro").script_steps;
    let (t, j) = call(vec![
        (Agent, 1.0, 3.0, "您好，工号一零零一", step("greeting")),
        (Customer, 3.5, 5.0, "我不明白", sentiment("neutral", 0.8)),
        (Agent, 5.5, 7.0, "我是客服小王", both),
    ]);
    let card = evaluate(&phrase_form(), &t, &j);
    let c = item(&card, "courtesy");
    assert_eq!(c.result, Outcome::Pass);
    assert_eq!(c.evidence.idx, Some(2));
    assert_eq!(c.review_reasons, vec![ReviewReason::CourtesyLowConfidence]);
    assert!(!card.auto_fail);
    assert!(card.needs_review);
    // Saying the form's mandated self-introduction phrase counts the same way, even when the
    // script-step head missed the line.
    let (t, j) = call(vec![
        (Agent, 1.0, 3.0, "您好，工号一零零一", step("greeting")),
        (Customer, 3.5, 5.0, "我不明白", sentiment("neutral", 0.8)),
        (Agent, 5.5, 7.0, "my name is Emma", impolite(0.88)),
    ]);
    let card = evaluate(&phrase_form(), &t, &j);
    assert!(!card.auto_fail);
    assert_eq!(
        item(&card, "courtesy").review_reasons,
        vec![ReviewReason::CourtesyLowConfidence]
    );
    // The same probability on a line that is no script step still auto-fails.
    let (t, j) = rude_call(0.88);
    assert!(evaluate(&phrase_form(), &t, &j).auto_fail);
}
