//! Two-speaker clustering of window embeddings and frame-level resegmentation.

/// Dot product (cosine for L2-normalised vectors).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Scale `v` to unit length (left as is when it is all zero).
pub fn normalise(v: &mut [f32]) {
    let n = dot(v, v).sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Mean direction of the rows `members` of `emb` (`dim` columns), unit length.
pub fn centroid(emb: &[f32], dim: usize, members: impl Iterator<Item = usize>) -> Vec<f32> {
    let mut c = vec![0f32; dim];
    for i in members {
        for (a, b) in c.iter_mut().zip(&emb[i * dim..(i + 1) * dim]) {
            *a += b;
        }
    }
    normalise(&mut c);
    c
}

/// Average-linkage agglomerative clustering (cosine similarity) of the rows `rows` of `emb`
/// down to two clusters; returns a 0/1 label per row of `rows`.
pub fn average_linkage_two(emb: &[f32], dim: usize, rows: &[usize]) -> Vec<u8> {
    let n = rows.len();
    if n < 2 {
        return vec![0; n];
    }
    // sim[i][j]: average similarity between clusters i and j (Lance-Williams update).
    let mut sim = vec![0f32; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let s = dot(
                &emb[rows[i] * dim..(rows[i] + 1) * dim],
                &emb[rows[j] * dim..(rows[j] + 1) * dim],
            );
            sim[i * n + j] = s;
            sim[j * n + i] = s;
        }
    }
    let mut size = vec![1usize; n];
    let mut alive = vec![true; n];
    let mut owner: Vec<usize> = (0..n).collect();
    let mut clusters = n;
    while clusters > 2 {
        let mut best = (f32::NEG_INFINITY, 0, 0);
        for i in 0..n {
            if !alive[i] {
                continue;
            }
            for j in i + 1..n {
                if alive[j] && sim[i * n + j] > best.0 {
                    best = (sim[i * n + j], i, j);
                }
            }
        }
        let (_, a, b) = best;
        let (sa, sb) = (size[a] as f32, size[b] as f32);
        for k in 0..n {
            if alive[k] && k != a && k != b {
                let s = (sa * sim[a * n + k] + sb * sim[b * n + k]) / (sa + sb);
                sim[a * n + k] = s;
                sim[k * n + a] = s;
            }
        }
        size[a] += size[b];
        alive[b] = false;
        for o in owner.iter_mut() {
            if *o == b {
                *o = a;
            }
        }
        clusters -= 1;
    }
    let first = owner[0];
    owner.iter().map(|&o| u8::from(o != first)).collect()
}

/// Two centroids from labels, refined by cosine k-means over all rows (`iterations` at most).
pub fn refine_two(emb: &[f32], dim: usize, labels: &mut [u8], iterations: usize) -> [Vec<f32>; 2] {
    let n = labels.len();
    let mut cents = [
        centroid(emb, dim, (0..n).filter(|&i| labels[i] == 0)),
        centroid(emb, dim, (0..n).filter(|&i| labels[i] == 1)),
    ];
    for _ in 0..iterations {
        let mut changed = false;
        for (i, l) in labels.iter_mut().enumerate() {
            let e = &emb[i * dim..(i + 1) * dim];
            let new = u8::from(dot(e, &cents[1]) > dot(e, &cents[0]));
            changed |= new != *l;
            *l = new;
        }
        if !changed {
            break;
        }
        cents = [
            centroid(emb, dim, (0..n).filter(|&i| labels[i] == 0)),
            centroid(emb, dim, (0..n).filter(|&i| labels[i] == 1)),
        ];
    }
    cents
}

/// Best two-state path for per-frame scores (`score > 0` favours state 0, `< 0` state 1): the
/// path maximising `sum(±score) - penalty(t) * switches`, where `penalty[t]` is the cost of
/// switching between frame `t - 1` and frame `t`.
pub fn viterbi_two(score: &[f32], penalty: &[f32]) -> Vec<u8> {
    let n = score.len();
    if n == 0 {
        return Vec::new();
    }
    let mut back = vec![[0u8; 2]; n];
    let mut acc = [score[0], -score[0]];
    for t in 1..n {
        let p = penalty[t];
        let mut next = [0f32; 2];
        for (s, sign) in [(0usize, 1f32), (1, -1.0)] {
            let stay = acc[s];
            let switch = acc[1 - s] - p;
            let (best, from) = if stay >= switch {
                (stay, s)
            } else {
                (switch, 1 - s)
            };
            next[s] = best + sign * score[t];
            back[t][s] = from as u8;
        }
        acc = next;
    }
    let mut path = vec![0u8; n];
    let mut s = usize::from(acc[1] > acc[0]);
    for t in (0..n).rev() {
        path[t] = s as u8;
        s = back[t][s] as usize;
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let mut v = v.to_vec();
        normalise(&mut v);
        v
    }

    #[test]
    fn average_linkage_separates_two_groups() {
        let mut emb = Vec::new();
        for k in 0..10 {
            let j = k as f32 * 0.01;
            emb.extend(unit(&[1.0, j, 0.0]));
            emb.extend(unit(&[0.0, j, 1.0]));
        }
        let rows: Vec<usize> = (0..20).collect();
        let mut labels = average_linkage_two(&emb, 3, &rows);
        for k in 0..10 {
            assert_eq!(labels[2 * k], labels[0]);
            assert_ne!(labels[2 * k + 1], labels[0]);
        }
        let c = refine_two(&emb, 3, &mut labels, 5);
        assert!(dot(&c[0], &c[1]) < 0.1);
    }

    #[test]
    fn viterbi_ignores_short_blips_and_follows_long_runs() {
        let mut score = vec![1.0f32; 50];
        score[20] = -3.0; // one frame against a long run: not worth two switches of cost 5
        score.extend(vec![-1.0f32; 50]);
        let path = viterbi_two(&score, &vec![5.0; score.len()]);
        assert!(path[..50].iter().all(|&s| s == 0));
        assert!(path[50..].iter().all(|&s| s == 1));
    }
}
