#!/usr/bin/env bash
# Regenerates the tiny seed recordings of the fuzz corpus (committed; each under 20 KB).
# The big real seeds are the repository's fixtures/audio files, read at run time.
set -euo pipefail
cd "$(dirname "$0")"
sox -n -r 8000 -c 2 tone_stereo_8k.ogg synth 0.5 sine 440 sine 660
sox -n -r 8000 -c 1 -e mu-law mulaw_8k.wav synth 0.3 sine 300
sox -n -r 8000 -c 1 -e a-law alaw_8k.wav synth 0.3 sine 300
sox -n -r 16000 -c 1 -e floating-point -b 32 f32_16k.wav synth 0.2 sine 500
sox -n -r 22050 -c 2 -b 24 s24_stereo_22k.wav synth 0.1 sine 500 sine 700
sox -n -r 11025 -c 1 -b 8 u8_11k.wav synth 0.3 sine 500
sox -n -r 8000 -c 4 -b 16 quad_8k.wav synth 0.3 sine 300 sine 400 sine 500 sine 600
sox -n -r 48000 -c 2 -b 16 tone_48k.flac synth 0.1 sine 300 sine 400
ffmpeg -y -loglevel error -f lavfi -i "sine=f=440:r=22050:d=0.5" -ac 2 -c:a libmp3lame -b:a 32k tone_22k.mp3
ffmpeg -y -loglevel error -f lavfi -i "sine=f=440:r=16000:d=0.4" -c:a libvorbis tone_16k_ff.ogg
