//! Audio front end: probe, decode, split channels, resample to 16 kHz f32 blocks.
