//! ONNX sessions behind the manifests: a token model (sentence encoder, or a `text` classifier
//! that tokenizes itself) and an embedding head. Sessions need `&mut` to run (ort rc.15), so each
//! sits behind a `Mutex`: one session per model per process, shared by all workers.

use crate::ClassifyError;
use callqa_onnx::ort;
use callqa_onnx::ort::session::Session;
use callqa_onnx::ort::value::Tensor;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tokenizers::Tokenizer;

fn run_err(path: &Path, e: impl std::fmt::Display) -> ClassifyError {
    ClassifyError::Run {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Static size of an outlet's last dimension (None when dynamic or not a tensor).
fn last_dim(outlet: &ort::value::Outlet) -> Option<usize> {
    let shape = outlet.dtype().tensor_shape()?;
    shape.last().and_then(|d| usize::try_from(*d).ok())
}

/// Row-wise softmax in place.
pub(crate) fn softmax_rows(values: &mut [f32], cols: usize) {
    for row in values.chunks_mut(cols.max(1)) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for v in row.iter_mut() {
            *v = (*v - max).exp();
            sum += *v;
        }
        if sum > 0.0 {
            for v in row.iter_mut() {
                *v /= sum;
            }
        }
    }
}

/// What a token model returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenOutput {
    /// A sentence embedding `[batch, dim]`, or token states `[batch, seq, dim]` that we mean-pool
    /// and L2-normalise.
    Embedding,
    /// Class probabilities `[batch, n]` (or logits, softmaxed, when the output is named `logits`).
    Probabilities,
}

/// A model that takes `input_ids` and `attention_mask`.
pub(crate) struct TokenModel {
    path: PathBuf,
    tokenizer: Tokenizer,
    session: Mutex<Session>,
    output: String,
    output_is_logits: bool,
    kind: TokenOutput,
    has_token_type_ids: bool,
    pad_id: i64,
    /// Output width when the graph fixes it.
    pub(crate) width: Option<usize>,
}

impl TokenModel {
    pub(crate) fn open(
        model: &Path,
        tokenizer: &Path,
        max_tokens: usize,
        kind: TokenOutput,
        preferred_output: Option<&str>,
        threads: usize,
    ) -> Result<TokenModel, ClassifyError> {
        let mut tok = Tokenizer::from_file(tokenizer).map_err(|e| ClassifyError::Tokenizer {
            path: tokenizer.to_path_buf(),
            message: e.to_string(),
        })?;
        tok.with_padding(None);
        tok.with_truncation(Some(tokenizers::TruncationParams {
            max_length: max_tokens,
            ..Default::default()
        }))
        .map_err(|e| ClassifyError::Tokenizer {
            path: tokenizer.to_path_buf(),
            message: e.to_string(),
        })?;
        let pad_id = ["<pad>", "[PAD]", "<|pad|>"]
            .iter()
            .find_map(|t| tok.token_to_id(t))
            .unwrap_or(0) as i64;
        let session = callqa_onnx::open_session(model, threads)?;
        let inputs: Vec<&str> = session.inputs().iter().map(|o| o.name()).collect();
        for needed in ["input_ids", "attention_mask"] {
            if !inputs.contains(&needed) {
                return Err(ClassifyError::Interface {
                    path: model.to_path_buf(),
                    problem: format!("no input named {needed:?} (inputs: {})", inputs.join(", ")),
                });
            }
        }
        let has_token_type_ids = inputs.contains(&"token_type_ids");
        if let Some(other) = inputs
            .iter()
            .find(|n| !["input_ids", "attention_mask", "token_type_ids"].contains(n))
        {
            return Err(ClassifyError::Interface {
                path: model.to_path_buf(),
                problem: format!("unexpected input {other:?}"),
            });
        }
        let wanted: &[&str] = match kind {
            TokenOutput::Embedding => &["sentence_embedding", "embedding", "last_hidden_state"],
            TokenOutput::Probabilities => &["probabilities", "logits"],
        };
        if let Some(name) = preferred_output
            && !session.outputs().iter().any(|o| o.name() == name)
        {
            return Err(ClassifyError::Interface {
                path: model.to_path_buf(),
                problem: format!("no output named {name:?} (model.toml `output`)"),
            });
        }
        let outlet = preferred_output
            .iter()
            .chain(wanted)
            .find_map(|w| session.outputs().iter().find(|o| o.name() == *w))
            .or_else(|| session.outputs().first())
            .ok_or_else(|| ClassifyError::Interface {
                path: model.to_path_buf(),
                problem: "the model has no outputs".into(),
            })?;
        let output = outlet.name().to_string();
        let width = last_dim(outlet);
        Ok(TokenModel {
            path: model.to_path_buf(),
            tokenizer: tok,
            output_is_logits: output == "logits",
            output,
            kind,
            has_token_type_ids,
            pad_id,
            session: Mutex::new(session),
            width,
        })
    }

    /// Token counts of `texts` after truncation (to sort a batch by length).
    pub(crate) fn encode(&self, texts: &[String]) -> Result<Vec<Vec<u32>>, ClassifyError> {
        texts
            .iter()
            .map(|t| {
                self.tokenizer
                    .encode(t.as_str(), true)
                    .map(|e| e.get_ids().to_vec())
                    .map_err(|e| run_err(&self.path, format!("tokenizer: {e}")))
            })
            .collect()
    }

    /// Run one padded batch; returns `rows × width` values, row-major, and the width.
    pub(crate) fn run_batch(&self, batch: &[&[u32]]) -> Result<(Vec<f32>, usize), ClassifyError> {
        let rows = batch.len();
        let seq = batch.iter().map(|ids| ids.len()).max().unwrap_or(0).max(1);
        let mut ids = vec![self.pad_id; rows * seq];
        let mut mask = vec![0i64; rows * seq];
        for (r, toks) in batch.iter().enumerate() {
            for (c, &t) in toks.iter().enumerate() {
                ids[r * seq + c] = i64::from(t);
                mask[r * seq + c] = 1;
            }
        }
        let shape = [rows, seq];
        let err = |e: ort::Error| run_err(&self.path, e);
        let mut inputs: Vec<(String, ort::session::SessionInputValue)> = vec![
            (
                "input_ids".into(),
                Tensor::from_array((shape, ids)).map_err(err)?.into(),
            ),
            (
                "attention_mask".into(),
                Tensor::from_array((shape, mask.clone()))
                    .map_err(err)?
                    .into(),
            ),
        ];
        if self.has_token_type_ids {
            inputs.push((
                "token_type_ids".into(),
                Tensor::from_array((shape, vec![0i64; rows * seq]))
                    .map_err(err)?
                    .into(),
            ));
        }
        let mut session = self
            .session
            .lock()
            .map_err(|_| run_err(&self.path, "session lock poisoned by an earlier panic"))?;
        let outputs = session.run(inputs).map_err(err)?;
        let value = outputs
            .get(&self.output)
            .ok_or_else(|| run_err(&self.path, format!("no output {:?}", self.output)))?;
        let (out_shape, data) = value.try_extract_tensor::<f32>().map_err(err)?;
        let dims: Vec<usize> = out_shape.iter().map(|&d| d.max(0) as usize).collect();
        match (self.kind, dims.as_slice()) {
            (_, [r, w]) if *r == rows => {
                let mut v = data.to_vec();
                if self.kind == TokenOutput::Probabilities && self.output_is_logits {
                    softmax_rows(&mut v, *w);
                }
                Ok((v, *w))
            }
            (TokenOutput::Embedding, [r, s, w]) if *r == rows && *s == seq => {
                Ok((mean_pool(data, &mask, rows, seq, *w), *w))
            }
            _ => Err(run_err(
                &self.path,
                format!(
                    "output {:?} has shape {dims:?}; expected [{rows}, n]",
                    self.output
                ),
            )),
        }
    }
}

/// Mean-pool token states over the attention mask and L2-normalise each row.
fn mean_pool(data: &[f32], mask: &[i64], rows: usize, seq: usize, dim: usize) -> Vec<f32> {
    let mut out = vec![0f32; rows * dim];
    for r in 0..rows {
        let row = &mut out[r * dim..(r + 1) * dim];
        let mut count = 0f32;
        for s in 0..seq {
            if mask[r * seq + s] == 0 {
                continue;
            }
            count += 1.0;
            let base = (r * seq + s) * dim;
            for (o, v) in row.iter_mut().zip(&data[base..base + dim]) {
                *o += v;
            }
        }
        let count = count.max(1.0);
        row.iter_mut().for_each(|v| *v /= count);
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        row.iter_mut().for_each(|v| *v /= norm);
    }
    out
}

/// A classifier head over sentence embeddings: `embedding` f32 [batch, dim] → `probabilities`.
pub(crate) struct EmbeddingHead {
    path: PathBuf,
    session: Mutex<Session>,
    input: String,
    output: String,
    output_is_logits: bool,
    /// Input width when the graph fixes it.
    pub(crate) in_dim: Option<usize>,
    /// Output width when the graph fixes it.
    pub(crate) width: Option<usize>,
}

impl EmbeddingHead {
    pub(crate) fn open(model: &Path, threads: usize) -> Result<EmbeddingHead, ClassifyError> {
        let session = callqa_onnx::open_session(model, threads)?;
        let interface = |problem: String| ClassifyError::Interface {
            path: model.to_path_buf(),
            problem,
        };
        let input = match session.inputs() {
            [one] => one,
            many => {
                return Err(interface(format!(
                    "expected one input (embedding), found {}",
                    many.len()
                )));
            }
        };
        let in_dim = last_dim(input);
        let input = input.name().to_string();
        let outlet = ["probabilities", "logits"]
            .iter()
            .find_map(|w| session.outputs().iter().find(|o| o.name() == *w))
            .or_else(|| session.outputs().first())
            .ok_or_else(|| interface("the model has no outputs".into()))?;
        let output = outlet.name().to_string();
        let width = last_dim(outlet);
        Ok(EmbeddingHead {
            path: model.to_path_buf(),
            output_is_logits: output == "logits",
            session: Mutex::new(session),
            input,
            output,
            in_dim,
            width,
        })
    }

    /// Run on `rows` embeddings of width `dim` (row-major); returns `rows × width` probabilities.
    pub(crate) fn run(
        &self,
        embeddings: Vec<f32>,
        rows: usize,
        dim: usize,
    ) -> Result<(Vec<f32>, usize), ClassifyError> {
        let err = |e: ort::Error| run_err(&self.path, e);
        let tensor = Tensor::from_array(([rows, dim], embeddings)).map_err(err)?;
        let mut session = self
            .session
            .lock()
            .map_err(|_| run_err(&self.path, "session lock poisoned by an earlier panic"))?;
        let outputs = session
            .run(vec![(
                self.input.clone(),
                ort::session::SessionInputValue::from(tensor),
            )])
            .map_err(err)?;
        let value = outputs
            .get(&self.output)
            .ok_or_else(|| run_err(&self.path, format!("no output {:?}", self.output)))?;
        let (shape, data) = value.try_extract_tensor::<f32>().map_err(err)?;
        match shape.as_ref() {
            [r, w] if *r as usize == rows && *w > 0 => {
                let w = *w as usize;
                let mut v = data.to_vec();
                if self.output_is_logits {
                    softmax_rows(&mut v, w);
                }
                Ok((v, w))
            }
            other => Err(run_err(
                &self.path,
                format!(
                    "output {:?} has shape {other:?}; expected [{rows}, n]",
                    self.output
                ),
            )),
        }
    }
}
