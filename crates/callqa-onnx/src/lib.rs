//! ONNX Runtime for callqa: finds `libonnxruntime.so`, loads it once per process, and opens
//! sessions with the settings our models need (full graph optimisation, a fixed thread count).
//!
//! callqa never downloads ONNX Runtime. The library comes from the `onnxruntime` Python wheel that
//! the set-up command installs; [`runtime_library`] looks for it in this order:
//! 1. `ORT_DYLIB_PATH` (a file),
//! 2. `$CALLQA_HOME/lib/libonnxruntime.so*` (the set-up command copies it there),
//! 3. a `.venv/lib/python3*/site-packages/onnxruntime/capi/` folder in the current directory, the
//!    executable's directory, or any of their ancestors.
//!
//! ```no_run
//! let session = callqa_onnx::open_session(std::path::Path::new("model.onnx"), 1)?;
//! # Ok::<(), callqa_onnx::OnnxError>(())
//! ```

#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use ort;

/// What can go wrong loading the runtime or a model.
#[derive(Debug, thiserror::Error)]
pub enum OnnxError {
    /// No ONNX Runtime library was found anywhere we looked.
    #[error(
        "ONNX Runtime library not found (looked at ORT_DYLIB_PATH, {looked}); install it with \
         `scripts/setup.sh` or `pip install onnxruntime==1.31.1` into .venv, or set ORT_DYLIB_PATH \
         to libonnxruntime.so"
    )]
    RuntimeNotFound {
        /// The places searched, for the message.
        looked: String,
    },
    /// An earlier attempt in this process failed; the message says why.
    #[error("{0}")]
    Unavailable(String),
    /// The library was found but could not be loaded.
    #[error("{path}: cannot load ONNX Runtime: {message}")]
    RuntimeLoad {
        /// The library file.
        path: PathBuf,
        /// What ort said.
        message: String,
    },
    /// A model file could not be opened as an ONNX session.
    #[error("{path}: cannot open ONNX model: {message}")]
    Model {
        /// The model file.
        path: PathBuf,
        /// What ort said.
        message: String,
    },
}

/// The home of callqa's caches (see [`callqa_core::callqa_home`]).
pub use callqa_core::callqa_home;

fn find_libonnxruntime_in(dir: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libonnxruntime.so"))
        })
        .collect();
    // Prefer the most specific (versioned) name: the wheel ships only `libonnxruntime.so.1.x.y`.
    found.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
    found.into_iter().next()
}

fn venv_capi_dirs(start: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for ancestor in start.ancestors() {
        let lib = ancestor.join(".venv").join("lib");
        if let Ok(entries) = std::fs::read_dir(&lib) {
            for e in entries.flatten() {
                let capi = e
                    .path()
                    .join("site-packages")
                    .join("onnxruntime")
                    .join("capi");
                if capi.is_dir() {
                    dirs.push(capi);
                }
            }
        }
    }
    dirs
}

/// Locate the ONNX Runtime shared library (see the crate docs for the search order).
pub fn runtime_library() -> Result<PathBuf, OnnxError> {
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let mut looked = Vec::new();
    let home_lib = callqa_home().join("lib");
    looked.push(home_lib.display().to_string());
    if let Some(p) = find_libonnxruntime_in(&home_lib) {
        return Ok(p);
    }
    let mut starts = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        starts.push(dir);
    }
    for start in &starts {
        looked.push(format!(
            "{}/**/.venv/lib/python3*/site-packages/onnxruntime/capi",
            start.display()
        ));
        for dir in venv_capi_dirs(start) {
            if let Some(p) = find_libonnxruntime_in(&dir) {
                return Ok(p);
            }
        }
    }
    Err(OnnxError::RuntimeNotFound {
        looked: looked.join(", "),
    })
}

type LoadedRuntime = (PathBuf, ort::environment::Environment);

static RUNTIME: OnceLock<Result<LoadedRuntime, (PathBuf, String)>> = OnceLock::new();

/// Load ONNX Runtime into this process (once; later calls return the first outcome) and return
/// the process-wide environment that sessions are created in.
pub fn init_runtime() -> Result<&'static ort::environment::Environment, OnnxError> {
    let outcome = RUNTIME.get_or_init(|| {
        let path = runtime_library().map_err(|e| (PathBuf::new(), e.to_string()))?;
        if !path.is_file() {
            return Err((path, "ONNX Runtime library does not exist".to_string()));
        }
        let env = ort::init_from(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| b.with_name("callqa").build().map_err(|e| e.to_string()))
            .map_err(|m| (path.clone(), m))?;
        tracing::debug!(library = %path.display(), "ONNX Runtime loaded");
        Ok((path, env))
    });
    match outcome {
        Ok((_, env)) => Ok(env),
        Err((path, message)) if path.as_os_str().is_empty() => {
            Err(OnnxError::Unavailable(message.clone()))
        }
        Err((path, message)) => Err(OnnxError::RuntimeLoad {
            path: path.clone(),
            message: message.clone(),
        }),
    }
}

/// Open an ONNX model with full graph optimisation and `threads` intra-op threads (0 = ORT's
/// default). One session per model per process, shared by workers, is the intended use.
pub fn open_session(model: &Path, threads: usize) -> Result<ort::session::Session, OnnxError> {
    let env = init_runtime()?;
    let err = |e: &dyn std::fmt::Display| OnnxError::Model {
        path: model.to_path_buf(),
        message: e.to_string(),
    };
    let mut builder = ort::session::Session::builder(env)
        .map_err(|e| err(&e))?
        .with_optimization_level(ort::session::builder::GraphOptimizationLevel::Level3)
        .map_err(|e| err(&e))?;
    if threads > 0 {
        builder = builder.with_intra_threads(threads).map_err(|e| err(&e))?;
    }
    builder.commit_from_file(model).map_err(|e| err(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_model_names_the_file() {
        // Whether or not the runtime is installed, the error must carry the path we gave.
        let missing = Path::new("/nonexistent/definitely-missing.onnx");
        match open_session(missing, 1) {
            Ok(_) => panic!("opened a model that does not exist"),
            Err(e) => {
                let msg = e.to_string();
                assert!(
                    msg.contains("definitely-missing.onnx") || msg.contains("ONNX Runtime"),
                    "{msg}"
                );
            }
        }
    }

    #[test]
    fn finds_versioned_library_in_a_folder() {
        let dir = std::env::temp_dir().join(format!("callqa-onnx-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        std::fs::write(dir.join("libonnxruntime.so.1.31.1"), b"").ok();
        std::fs::write(dir.join("other.so"), b"").ok();
        let found = find_libonnxruntime_in(&dir);
        assert_eq!(found, Some(dir.join("libonnxruntime.so.1.31.1")));
        std::fs::remove_dir_all(&dir).ok();
    }
}
