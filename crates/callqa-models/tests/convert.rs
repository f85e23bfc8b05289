//! Converter checks: mel filters against librosa (fixture computed once with
//! `librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)`, float32 little-endian 80x201),
//! a synthetic CTranslate2 model converted and read back (names, shapes, row splits, types),
//! and the installed tiny.en / base files (skip when the cache is absent).
use callqa_models::{WeightType, read_ggml_info, resolve_whisper};
use std::io::Write;
use std::path::Path;

#[test]
fn mel_filters_match_librosa() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/librosa_mel_16000_400_80.f32le");
    let raw = std::fs::read(&p).expect("fixture");
    let want: Vec<f32> = raw
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let got = callqa_models::mel_filters(16_000, 400, 80);
    assert_eq!(got.len(), want.len());
    let mut max = 0f32;
    for (g, w) in got.iter().zip(&want) {
        max = max.max((g - w).abs() / w.abs().max(1e-3));
    }
    println!("max relative difference to librosa: {max:e}");
    assert!(max < 1e-5, "max relative difference {max}");
    // Bit-exact, signed zeros included (the file's bytes must not depend on the build).
    let differ = got
        .iter()
        .zip(&want)
        .filter(|(g, w)| g.to_bits() != w.to_bits())
        .count();
    assert_eq!(
        differ, 0,
        "{differ} values differ in their bits from librosa"
    );
    // Not all zero, and each filter has some weight.
    for row in got.chunks(201) {
        assert!(row.iter().any(|x| *x > 0.0));
    }
}

/// A tiny synthetic Whisper in CTranslate2 format: d = 64, 1 encoder + 1 decoder layer.
struct Ct2Writer {
    vars: Vec<(String, Vec<u32>, u8, Vec<u8>)>,
}

impl Ct2Writer {
    fn f16(&mut self, name: &str, dims: &[u32], f: impl Fn(usize) -> f32) {
        let n: u32 = dims.iter().product();
        let data = (0..n as usize).flat_map(|i| half_bytes(f(i))).collect();
        self.vars.push((name.to_string(), dims.to_vec(), 4, data));
    }
    fn write(&self, path: &Path) {
        let mut out = Vec::new();
        let s = |out: &mut Vec<u8>, s: &str| {
            out.extend_from_slice(&((s.len() + 1) as u16).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
            out.push(0);
        };
        out.extend_from_slice(&6u32.to_le_bytes());
        s(&mut out, "WhisperSpec");
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&(self.vars.len() as u32).to_le_bytes());
        for (name, dims, dt, data) in &self.vars {
            s(&mut out, name);
            out.push(dims.len() as u8);
            for d in dims {
                out.extend_from_slice(&d.to_le_bytes());
            }
            out.push(*dt);
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(data);
        }
        out.extend_from_slice(&1u32.to_le_bytes());
        s(&mut out, "decoder/projection/weight");
        s(&mut out, "decoder/embeddings/weight");
        std::fs::write(path, out).expect("write");
    }
}

fn half_bytes(x: f32) -> [u8; 2] {
    // f32 -> f16 for small exact values (tests use multiples of 1/64 below 16).
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    if x == 0.0 {
        return sign.to_le_bytes();
    }
    let exp = ((bits >> 23) & 0xff) as i32 - 127 + 15;
    let mant = ((bits >> 13) & 0x3ff) as u16;
    (sign | ((exp as u16) << 10) | mant).to_le_bytes()
}

fn synthetic(dir: &Path) {
    let d = 64u32;
    let mut w = Ct2Writer { vars: Vec::new() };
    let val = |i: usize| ((i % 97) as f32) / 64.0;
    w.f16("encoder/conv1/weight", &[d, 80, 3], val);
    w.f16("encoder/conv1/bias", &[d], val);
    w.f16("encoder/conv2/weight", &[d, d, 3], val);
    w.f16("encoder/conv2/bias", &[d], val);
    w.f16("encoder/position_encodings/encodings", &[1500, d], val);
    let ln = |w: &mut Ct2Writer, p: &str| {
        w.f16(&format!("{p}/gamma"), &[d], val);
        w.f16(&format!("{p}/beta"), &[d], val);
    };
    let lin = |w: &mut Ct2Writer, p: &str, rows: u32, cols: u32| {
        // Row r holds the value r/64 (mod 16) so the split is visible.
        w.f16(&format!("{p}/weight"), &[rows, cols], |i| {
            ((i / cols as usize) % 1024) as f32 / 64.0
        });
        w.f16(&format!("{p}/bias"), &[rows], |i| (i % 1024) as f32 / 64.0);
    };
    ln(&mut w, "encoder/layer_0/self_attention/layer_norm");
    lin(&mut w, "encoder/layer_0/self_attention/linear_0", 3 * d, d);
    lin(&mut w, "encoder/layer_0/self_attention/linear_1", d, d);
    ln(&mut w, "encoder/layer_0/ffn/layer_norm");
    lin(&mut w, "encoder/layer_0/ffn/linear_0", 4 * d, d);
    lin(&mut w, "encoder/layer_0/ffn/linear_1", d, 4 * d);
    ln(&mut w, "encoder/layer_norm");
    w.f16("decoder/embeddings/weight", &[300, d], val);
    w.f16("decoder/position_encodings/encodings", &[448, d], val);
    ln(&mut w, "decoder/layer_0/self_attention/layer_norm");
    lin(&mut w, "decoder/layer_0/self_attention/linear_0", 3 * d, d);
    lin(&mut w, "decoder/layer_0/self_attention/linear_1", d, d);
    ln(&mut w, "decoder/layer_0/attention/layer_norm");
    lin(&mut w, "decoder/layer_0/attention/linear_0", d, d);
    lin(&mut w, "decoder/layer_0/attention/linear_1", 2 * d, d);
    lin(&mut w, "decoder/layer_0/attention/linear_2", d, d);
    ln(&mut w, "decoder/layer_0/ffn/layer_norm");
    lin(&mut w, "decoder/layer_0/ffn/linear_0", 4 * d, d);
    lin(&mut w, "decoder/layer_0/ffn/linear_1", d, 4 * d);
    ln(&mut w, "decoder/layer_norm");
    w.vars.push((
        "encoder/num_heads".into(),
        vec![],
        2,
        2i16.to_le_bytes().to_vec(),
    ));
    w.vars.push((
        "decoder/num_heads".into(),
        vec![],
        2,
        2i16.to_le_bytes().to_vec(),
    ));
    w.write(&dir.join("model.bin"));
    // Vocabulary: "a", "Ġb" (" b"), "Ã©" (bytes C3 A9 = "é"), "Ã" (lone byte C3, not UTF-8),
    // then <|endoftext|> at 4.
    let tok = serde_json::json!({"model": {"vocab": {"a": 0, "Ġb": 1, "Ã©": 2, "Ã": 3, "<|endoftext|>": 4}}});
    let mut f = std::fs::File::create(dir.join("tokenizer.json")).expect("tok");
    f.write_all(tok.to_string().as_bytes()).expect("tok");
}

fn read_f16_row(path: &Path, offset: u64, cols: usize, row: usize) -> Vec<f32> {
    let raw = std::fs::read(path).expect("read");
    let start = offset as usize + row * cols * 2;
    raw[start..start + cols * 2]
        .chunks_exact(2)
        .map(|c| {
            let h = u16::from_le_bytes([c[0], c[1]]);
            let exp = ((h >> 10) & 0x1f) as i32;
            let mant = (h & 0x3ff) as f32;
            if exp == 0 {
                mant / 1024.0 * 2f32.powi(-14)
            } else {
                (1.0 + mant / 1024.0) * 2f32.powi(exp - 15)
            }
        })
        .collect()
}

#[test]
fn synthetic_ct2_converts_to_expected_ggml_layout() {
    let tmp = tempfile::tempdir().expect("tmp");
    synthetic(tmp.path());
    let out = tmp.path().join("out.bin");
    let rep = callqa_models::convert_ct2_dir(tmp.path(), &out, WeightType::F16).expect("convert");
    let h = rep.hparams;
    assert_eq!(
        (
            h.n_vocab,
            h.n_audio_ctx,
            h.n_audio_state,
            h.n_audio_head,
            h.n_audio_layer
        ),
        (300, 1500, 64, 2, 1)
    );
    assert_eq!(
        (
            h.n_text_ctx,
            h.n_text_state,
            h.n_text_head,
            h.n_text_layer,
            h.n_mels
        ),
        (448, 64, 2, 1, 80)
    );
    let info = read_ggml_info(&out).expect("read back");
    assert_eq!(info.ftype, 1);
    assert_eq!((info.n_mel, info.n_fft), (80, 201));
    assert_eq!(
        info.tokens,
        vec![b"a".to_vec(), b" b".to_vec(), vec![0xC3, 0xA9], vec![0xC3]]
    );
    // 5 encoder-level + 15 per encoder layer + 2 ln_post + 2 decoder embeddings
    // + 24 per decoder layer + 2 decoder ln.
    assert_eq!(info.tensors.len(), 5 + 15 + 2 + 2 + 24 + 2);
    let find = |n: &str| {
        info.tensors
            .iter()
            .find(|t| t.0 == n)
            .unwrap_or_else(|| panic!("{n} missing"))
    };
    assert_eq!(find("encoder.conv1.weight").1, vec![3, 80, 64]);
    assert_eq!(find("encoder.conv1.bias").1, vec![1, 64]);
    assert_eq!(find("encoder.conv1.bias").2, 0);
    assert_eq!(find("encoder.positional_embedding").1, vec![64, 1500]);
    assert_eq!(find("encoder.positional_embedding").2, 0);
    assert_eq!(find("decoder.token_embedding.weight").1, vec![64, 300]);
    assert_eq!(find("decoder.token_embedding.weight").2, 1);
    assert_eq!(find("encoder.blocks.0.mlp.0.weight").1, vec![64, 256]);
    assert_eq!(find("encoder.blocks.0.attn_ln.weight").2, 0);
    assert!(info.tensors.iter().all(|t| !t.0.contains("key.bias")));
    assert!(info.tensors.iter().all(|t| !t.0.contains("projection")));
    // Fused qkv split by rows: key row 0 is fused row 64, value row 0 is fused row 128.
    for (name, first) in [
        ("decoder.blocks.0.attn.query.weight", 0.0),
        ("decoder.blocks.0.attn.key.weight", 1.0),
        ("decoder.blocks.0.attn.value.weight", 2.0),
        ("decoder.blocks.0.cross_attn.key.weight", 0.0),
        ("decoder.blocks.0.cross_attn.value.weight", 1.0),
    ] {
        let t = find(name);
        assert_eq!(t.1, vec![64, 64], "{name}");
        let row = read_f16_row(&out, t.3, 64, 0);
        assert_eq!(row[0], first, "{name}");
    }
    // q8_0: 2-D matrices quantised (type 8), conv weights stay f16, ftype 2007.
    let q8 = tmp.path().join("q8.bin");
    callqa_models::convert_ct2_dir(tmp.path(), &q8, WeightType::Q8_0).expect("q8");
    let qi = read_ggml_info(&q8).expect("read q8");
    assert_eq!(qi.ftype, 2007);
    let qfind = |n: &str| qi.tensors.iter().find(|t| t.0 == n).map(|t| t.2);
    assert_eq!(qfind("encoder.blocks.0.attn.query.weight"), Some(8));
    assert_eq!(qfind("encoder.conv1.weight"), Some(1));
    assert_eq!(qfind("encoder.positional_embedding"), Some(0));
}

#[test]
fn non_ggml_file_is_refused_clearly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let p = tmp.path().join("x.bin");
    std::fs::write(&p, b"\x06\x00\x00\x00not ggml").expect("write");
    let err = resolve_whisper(p.to_str().expect("utf8")).expect_err("must fail");
    assert!(
        err.to_string().contains("not a ggml Whisper model"),
        "{err}"
    );
    assert!(resolve_whisper("no-such-model").is_err());
}

#[test]
fn installed_models_have_whisper_hparams_and_vocab() {
    for (name, want) in [
        ("tiny.en", (51864, 384, 6, 4, 50256)),
        ("base", (51865, 512, 8, 6, 50257)),
    ] {
        let Ok(m) = resolve_whisper(name) else {
            eprintln!("SKIP: {name} not installed (run `callqa models fetch`)");
            continue;
        };
        let info = read_ggml_info(&m.path).expect("read");
        let h = info.hparams;
        assert_eq!(
            (
                h.n_vocab,
                h.n_audio_state,
                h.n_audio_head,
                h.n_audio_layer,
                info.tokens.len()
            ),
            want
        );
        assert_eq!(
            (h.n_audio_ctx, h.n_text_ctx, h.n_mels, info.ftype),
            (1500, 448, 80, 1)
        );
        assert_eq!(
            info.tensors.len(),
            5 + 15 * h.n_audio_layer as usize + 2 + 2 + 24 * h.n_text_layer as usize + 2
        );
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&info.filters),
            bits(&callqa_models::mel_filters(16_000, 400, 80))
        );
        // GPT-2 byte-level decoding: id 220 is " ", id 1 is "\"", and some tokens are lone
        // non-UTF-8 bytes.
        assert_eq!(info.tokens[220], b" ".to_vec());
        assert_eq!(info.tokens[1], b"\"".to_vec());
        assert!(info.tokens.iter().any(|t| std::str::from_utf8(t).is_err()));
    }
}

#[test]
fn verify_reports_a_changed_file_with_both_hashes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("m");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("ggml-model.bin"), b"lmgg-and-more").expect("write");
    let m = callqa_models::InstalledModel {
        name: "m".into(),
        file: "ggml-model.bin".into(),
        sha256: "00".repeat(32),
        size: 13,
        weight_type: "f16".into(),
        source: "test".into(),
        source_sha256: String::new(),
        converter_version: "1".into(),
        dir: dir.clone(),
    };
    std::fs::write(dir.join("manifest.toml"), toml_of(&m)).expect("manifest");
    let listed = callqa_models::installed(tmp.path());
    assert_eq!(listed.len(), 1);
    let err = callqa_models::verify(&listed[0]).expect_err("mismatch");
    let msg = err.to_string();
    assert!(
        msg.contains("ggml-model.bin") && msg.contains(&"00".repeat(32)),
        "{msg}"
    );
    assert!(msg.contains("found"), "{msg}");
}

fn toml_of(m: &callqa_models::InstalledModel) -> String {
    format!(
        "name = {:?}\nfile = {:?}\nsha256 = {:?}\nsize = {}\nweight_type = {:?}\nsource = {:?}\nsource_sha256 = {:?}\nconverter_version = {:?}\n",
        m.name,
        m.file,
        m.sha256,
        m.size,
        m.weight_type,
        m.source,
        m.source_sha256,
        m.converter_version
    )
}
