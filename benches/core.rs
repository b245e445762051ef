//! Criterion benchmarks of the analysis core: PCA fit + transform, k = 10,
//! at the four shapes. Run: `cargo bench --bench core`.
//!
//! Thread count: faer uses the global rayon pool for matrices of at least
//! 100 000 cells; set RAYON_NUM_THREADS to pin it.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use linfa::DatasetBase;
use linfa::traits::Fit;
use obscaling::analysis::{NComponents, PcaParams};

#[path = "common/matgen.rs"]
mod matgen;

const SHAPES: [(usize, usize); 4] = [(100, 10), (1000, 50), (5000, 200), (20000, 500)];
const K: usize = 10;

fn pca_fit(c: &mut Criterion) {
    let mut group = c.benchmark_group("pca_fit_transform_k10");
    for (n, p) in SHAPES {
        let x = matgen::bench_matrix(n, p);
        let cells = n * p;
        // Small shapes: many cheap samples; big shapes: 10 flat samples (one
        // or a few iterations each), so 20000x500 fits its window.
        if cells >= 1_000_000 {
            group.sampling_mode(SamplingMode::Flat);
            group.sample_size(10);
            group.warm_up_time(Duration::from_secs(1));
            group.measurement_time(Duration::from_secs(if cells >= 5_000_000 { 20 } else { 8 }));
        } else {
            group.sampling_mode(SamplingMode::Auto);
            group.sample_size(30);
            group.warm_up_time(Duration::from_millis(500));
            group.measurement_time(Duration::from_secs(3));
        }
        group.throughput(Throughput::Elements(cells as u64));
        let params = PcaParams::new().n_components(NComponents::Count(K));
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{n}x{p}")),
            &x,
            |b, x| {
                b.iter(|| {
                    let pca = params
                        .clone()
                        .fit(&DatasetBase::new(black_box(x.view()), ()))
                        .expect("fit");
                    black_box(pca.transform(x.view()))
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, pca_fit);
criterion_main!(benches);
