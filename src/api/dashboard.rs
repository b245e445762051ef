//! The dashboard: one HTML page at `/` with its script and style sheet, the
//! vendored chart runtime (Vega, Vega-Lite, vega-embed and Vega's CSP-safe
//! expression interpreter, see `assets/vendor/SOURCE.md`) and the example
//! leaderboards (`assets/examples/SOURCE.md`), all compiled into the binary.
//! The page only talks to this service (it posts the CSV to the analysis
//! endpoints and draws the Vega-Lite specifications they return); nothing
//! comes from a CDN, and its Content-Security-Policy forbids any other
//! origin, inline code, inline styles and `eval`.
//!
//! These routes are not part of the JSON API and not in the OpenAPI document.

use std::sync::OnceLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, web};

use super::error::{ApiError, ErrorCode};

/// Same-origin only: scripts, styles, fetches, images and icons come from
/// this service (images also from `data:`/`blob:` URLs the page makes itself).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// An asset compiled into the binary.
struct Asset {
    body: &'static [u8],
    content_type: &'static str,
    /// Computed on first use: hashing the half-megabyte chart runtime on
    /// every request would cost more than the 304 it saves.
    etag: OnceLock<String>,
}

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

impl Asset {
    const fn new(body: &'static [u8], content_type: &'static str) -> Self {
        Self {
            body,
            content_type,
            etag: OnceLock::new(),
        }
    }

    /// A strong validator: FNV-1a of the content, so a new build with changed
    /// files gets a new tag and browsers refetch after revalidating.
    fn etag(&self) -> &str {
        self.etag.get_or_init(|| {
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for &byte in self.body {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            format!("\"{hash:016x}\"")
        })
    }

    /// 200 with the body, or 304 when the client's copy is current. Always
    /// revalidated (`no-cache`): the names are fixed, so a long max-age would
    /// serve a stale script after an upgrade.
    fn respond(&self, req: &HttpRequest) -> HttpResponse {
        let etag = self.etag();
        let fresh = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
        let mut response = if fresh {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        response
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((header::ETAG, etag.to_owned()))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
        if fresh {
            response.finish()
        } else {
            response.content_type(self.content_type).body(self.body)
        }
    }
}

static INDEX: Asset = Asset::new(
    include_bytes!("../../assets/dashboard/index.html"),
    "text/html; charset=utf-8",
);

/// A module of the page's script (`assets/dashboard/`), served under its
/// path there: `app.js` imports the others by relative paths.
macro_rules! page_module {
    ($path:literal) => {
        (
            $path,
            Asset::new(
                include_bytes!(concat!("../../assets/dashboard/", $path)),
                JAVASCRIPT,
            ),
        )
    };
}

/// The files under `/assets/`: a fixed allow-list, nothing read from disk.
/// The chart runtime is stored as published and compressed per response by
/// the server's `Compress` middleware (about a quarter of its size in gzip).
static ASSETS: [(&str, Asset); 29] = [
    page_module!("app.js"),
    page_module!("charts.js"),
    page_module!("dom.js"),
    page_module!("downloads.js"),
    page_module!("examples.js"),
    page_module!("messages.js"),
    page_module!("pickers.js"),
    page_module!("requests.js"),
    page_module!("run.js"),
    page_module!("state.js"),
    page_module!("table.js"),
    page_module!("views/complete.js"),
    page_module!("views/compute-fit.js"),
    page_module!("views/design.js"),
    page_module!("views/law.js"),
    page_module!("views/pca.js"),
    page_module!("views/scaling.js"),
    page_module!("views/skills.js"),
    (
        "style.css",
        Asset::new(
            include_bytes!("../../assets/dashboard/style.css"),
            "text/css; charset=utf-8",
        ),
    ),
    (
        "favicon.svg",
        Asset::new(
            include_bytes!("../../assets/dashboard/favicon.svg"),
            "image/svg+xml",
        ),
    ),
    (
        "vendor/vega.min.js",
        Asset::new(
            include_bytes!("../../assets/vendor/vega.min.js"),
            JAVASCRIPT,
        ),
    ),
    (
        "vendor/vega-interpreter.min.js",
        Asset::new(
            include_bytes!("../../assets/vendor/vega-interpreter.min.js"),
            JAVASCRIPT,
        ),
    ),
    (
        "vendor/vega-lite.min.js",
        Asset::new(
            include_bytes!("../../assets/vendor/vega-lite.min.js"),
            JAVASCRIPT,
        ),
    ),
    (
        "vendor/vega-embed.min.js",
        Asset::new(
            include_bytes!("../../assets/vendor/vega-embed.min.js"),
            JAVASCRIPT,
        ),
    ),
    (
        "vendor/LICENSE.vega.txt",
        Asset::new(include_bytes!("../../assets/vendor/LICENSE.vega.txt"), TEXT),
    ),
    (
        "vendor/LICENSE.vega-interpreter.txt",
        Asset::new(
            include_bytes!("../../assets/vendor/LICENSE.vega-interpreter.txt"),
            TEXT,
        ),
    ),
    (
        "vendor/LICENSE.vega-lite.txt",
        Asset::new(
            include_bytes!("../../assets/vendor/LICENSE.vega-lite.txt"),
            TEXT,
        ),
    ),
    (
        "vendor/LICENSE.vega-embed.txt",
        Asset::new(
            include_bytes!("../../assets/vendor/LICENSE.vega-embed.txt"),
            TEXT,
        ),
    ),
    (
        "vendor/THIRD-PARTY-NOTICES.txt",
        Asset::new(
            include_bytes!("../../assets/vendor/THIRD-PARTY-NOTICES.txt"),
            TEXT,
        ),
    ),
];

/// The worked examples (`/examples/...`), see assets/examples/SOURCE.md.
static EXAMPLES: [(&str, Asset); 5] = [
    (
        "paper_set_77.csv",
        Asset::new(
            include_bytes!("../../assets/examples/paper_set_77.csv"),
            "text/csv; charset=utf-8",
        ),
    ),
    (
        "paper_set_77_tasks.csv",
        Asset::new(
            include_bytes!("../../assets/examples/paper_set_77_tasks.csv"),
            "text/csv; charset=utf-8",
        ),
    ),
    (
        "leaderboard_v2_skills.csv",
        Asset::new(
            include_bytes!("../../assets/examples/leaderboard_v2_skills.csv"),
            "text/csv; charset=utf-8",
        ),
    ),
    (
        "benchpress_matrix.csv",
        Asset::new(
            include_bytes!("../../assets/examples/benchpress_matrix.csv"),
            "text/csv; charset=utf-8",
        ),
    ),
    // The BenchPress data's licence asks that its text travel with the data.
    (
        "LICENSE.benchpress.txt",
        Asset::new(
            include_bytes!("../../assets/examples/LICENSE.benchpress.txt"),
            TEXT,
        ),
    ),
];

/// The dashboard page.
#[get("/")]
pub async fn index(req: HttpRequest) -> HttpResponse {
    let mut response = INDEX.respond(&req);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// The page's script, style sheet and icon, and the vendored chart runtime
/// with its licences (`/assets/vendor/...`).
#[get("/assets/{file:.+}")]
pub async fn asset(req: HttpRequest, file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let file = file.into_inner();
    ASSETS
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, asset)| asset.respond(&req))
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no asset named {file:?}")))
}

/// The dashboard's worked examples: the paper's 77-model leaderboard, the
/// same with its emergent-task and post-training columns joined, 15
/// models of the Open LLM Leaderboard v2 for the skills law, and the sparse
/// BenchPress matrix (with its licence) for the completion.
#[get("/examples/{file}")]
pub async fn example(req: HttpRequest, file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let file = file.into_inner();
    EXAMPLES
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, found)| found.respond(&req))
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no example named {file:?}")))
}

/// Registers the dashboard's routes on a plain actix `App` (after
/// `split_for_parts`, so they stay out of the OpenAPI document).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(index).service(asset).service(example);
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test as actix_test;
    use actix_web::{App, body};

    #[actix_web::test]
    async fn serves_the_page_with_a_same_origin_policy() {
        let app = actix_test::init_service(App::new().configure(configure)).await;
        let resp =
            actix_test::call_service(&app, actix_test::TestRequest::get().uri("/").to_request())
                .await;
        assert_eq!(resp.status(), 200);
        let h = resp.headers();
        assert_eq!(
            h.get(header::CONTENT_TYPE).unwrap(),
            "text/html; charset=utf-8"
        );
        assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "no-cache");
        let csp = h
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(csp.starts_with("default-src 'self'"));
        assert!(!csp.contains("http"));
        let body = body::to_bytes(resp.into_body()).await.unwrap();
        let html = std::str::from_utf8(&body).unwrap();
        assert!(html.contains("/assets/app.js"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[actix_web::test]
    async fn serves_allow_listed_assets_only() {
        let app = actix_test::init_service(App::new().configure(configure)).await;
        for (uri, content_type) in [
            ("/assets/app.js", "text/javascript; charset=utf-8"),
            ("/assets/style.css", "text/css; charset=utf-8"),
            ("/assets/favicon.svg", "image/svg+xml"),
            (
                "/assets/vendor/vega.min.js",
                "text/javascript; charset=utf-8",
            ),
            (
                "/assets/vendor/vega-interpreter.min.js",
                "text/javascript; charset=utf-8",
            ),
            (
                "/assets/vendor/vega-lite.min.js",
                "text/javascript; charset=utf-8",
            ),
            (
                "/assets/vendor/vega-embed.min.js",
                "text/javascript; charset=utf-8",
            ),
            (
                "/assets/vendor/THIRD-PARTY-NOTICES.txt",
                "text/plain; charset=utf-8",
            ),
            ("/examples/paper_set_77.csv", "text/csv; charset=utf-8"),
            (
                "/examples/paper_set_77_tasks.csv",
                "text/csv; charset=utf-8",
            ),
            (
                "/examples/leaderboard_v2_skills.csv",
                "text/csv; charset=utf-8",
            ),
            ("/examples/benchpress_matrix.csv", "text/csv; charset=utf-8"),
            (
                "/examples/LICENSE.benchpress.txt",
                "text/plain; charset=utf-8",
            ),
        ] {
            let resp = actix_test::call_service(
                &app,
                actix_test::TestRequest::get().uri(uri).to_request(),
            )
            .await;
            assert_eq!(resp.status(), 200, "{uri}");
            assert_eq!(
                resp.headers().get(header::CONTENT_TYPE).unwrap(),
                content_type,
                "{uri}"
            );
            assert!(resp.headers().contains_key(header::ETAG), "{uri}");
        }
        for uri in [
            "/assets/index.html",
            "/assets/..%2FCargo.toml",
            "/assets/vendor/../app.js",
            "/assets/vendor/SOURCE.md",
            "/assets/vendor/",
            "/assets/nope.js",
            "/examples/SOURCE.md",
            "/examples/nope.csv",
        ] {
            let resp = actix_test::call_service(
                &app,
                actix_test::TestRequest::get().uri(uri).to_request(),
            )
            .await;
            assert_eq!(resp.status(), 404, "{uri}");
            assert_eq!(
                resp.headers().get(header::CONTENT_TYPE).unwrap(),
                "application/problem+json",
                "{uri}"
            );
        }
    }

    #[actix_web::test]
    async fn answers_304_to_a_current_etag() {
        let app = actix_test::init_service(App::new().configure(configure)).await;
        let resp = actix_test::call_service(
            &app,
            actix_test::TestRequest::get()
                .uri("/assets/app.js")
                .to_request(),
        )
        .await;
        let etag = resp.headers().get(header::ETAG).unwrap().clone();
        let resp = actix_test::call_service(
            &app,
            actix_test::TestRequest::get()
                .uri("/assets/app.js")
                .insert_header((header::IF_NONE_MATCH, etag))
                .to_request(),
        )
        .await;
        assert_eq!(resp.status(), 304);
    }

    /// The page's modules under `assets/dashboard/`, by their paths there.
    fn page_modules(dir: &std::path::Path, under: &str, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            if path.is_dir() {
                page_modules(&path, &format!("{under}{name}/"), found);
            } else if name.ends_with(".js") {
                found.push(format!("{under}{name}"));
            }
        }
    }

    /// Every module on disk is served as JavaScript, revalidated, and every
    /// module a module imports is one of them (a file left out of the
    /// allow-list would break the page with a 404).
    #[actix_web::test]
    async fn serves_every_module_of_the_page_and_what_each_imports() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/dashboard");
        let mut modules = Vec::new();
        page_modules(&dir, "", &mut modules);
        modules.sort();
        assert!(modules.len() > 5 && modules.contains(&"views/pca.js".to_owned()));
        let app = actix_test::init_service(App::new().configure(configure)).await;
        for module in &modules {
            let uri = format!("/assets/{module}");
            let resp = actix_test::call_service(
                &app,
                actix_test::TestRequest::get().uri(&uri).to_request(),
            )
            .await;
            assert_eq!(resp.status(), 200, "{uri}");
            let h = resp.headers();
            assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), JAVASCRIPT, "{uri}");
            assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "no-cache", "{uri}");
            assert!(h.contains_key(header::ETAG), "{uri}");
            let served = body::to_bytes(resp.into_body()).await.unwrap();
            assert_eq!(served, std::fs::read(dir.join(module)).unwrap(), "{uri}");

            // `import ... from './x.js';` resolved against the module's folder.
            let text = std::str::from_utf8(&served).unwrap();
            let folder = std::path::Path::new(module).parent().unwrap();
            for line in text.lines().filter(|l| l.starts_with("import ")) {
                let target = line.rsplit(" from ").next().unwrap();
                let target = target.trim_end_matches(';').trim_matches('\'');
                assert!(
                    target.starts_with("./") || target.starts_with("../"),
                    "{module}: {line}"
                );
                let mut parts: Vec<&str> = folder.iter().map(|p| p.to_str().unwrap()).collect();
                for part in target.split('/') {
                    match part {
                        "." => {}
                        ".." => assert!(parts.pop().is_some(), "{module}: {line}"),
                        name => parts.push(name),
                    }
                }
                let resolved = parts.join("/");
                assert!(modules.contains(&resolved), "{module} imports {resolved}");
            }
        }
        let html = std::str::from_utf8(INDEX.body).unwrap();
        assert!(html.contains(r#"<script type="module" src="/assets/app.js"></script>"#));
    }

    /// Every vendored build the page loads is served, and each carries its
    /// licence (the page's footer links them).
    #[test]
    fn the_chart_runtime_and_its_licences_are_allow_listed() {
        let html = std::str::from_utf8(INDEX.body).unwrap();
        for build in ["vega", "vega-interpreter", "vega-lite", "vega-embed"] {
            let script = format!("vendor/{build}.min.js");
            assert!(html.contains(&format!("/assets/{script}")), "{script}");
            let licence = format!("vendor/LICENSE.{build}.txt");
            assert!(html.contains(&format!("/assets/{licence}")), "{licence}");
            let (_, file) = ASSETS.iter().find(|(n, _)| *n == licence).unwrap();
            let text = std::str::from_utf8(file.body).unwrap();
            assert!(text.contains("Redistribution and use in source and binary forms"));
        }
    }

    fn example(name: &str) -> &'static str {
        let (_, found) = EXAMPLES.iter().find(|(n, _)| *n == name).unwrap();
        std::str::from_utf8(found.body).unwrap()
    }

    #[test]
    fn the_example_is_the_paper_set() {
        let text = example("paper_set_77.csv");
        assert!(text.starts_with("Model,Model Family,"));
        assert_eq!(text.lines().count(), 78);
    }

    /// The task example is the paper set, every line unchanged, with columns
    /// appended (scripts/make-example-tasks.py).
    #[test]
    fn the_task_example_extends_the_paper_set() {
        let paper = example("paper_set_77.csv");
        let tasks = example("paper_set_77_tasks.csv");
        assert_eq!(tasks.lines().count(), paper.lines().count());
        for (p, t) in paper.lines().zip(tasks.lines()) {
            assert!(t.starts_with(&format!("{p},")), "{t}");
        }
        assert!(
            tasks
                .lines()
                .next()
                .unwrap()
                .contains(",word_unscrambling_2_exact_match,")
        );
    }

    /// The skills example is lines of the Sloth leaderboard, unchanged
    /// (assets/examples/SOURCE.md): its header, and 15 models each with its
    /// parameters and tokens, none of Qwen2 but its 0.5B.
    #[test]
    fn the_skills_example_is_lines_of_the_v2_leaderboard() {
        let leaderboard = include_str!("../../tests/fixtures/sloth/leaderboard_v2.csv");
        let skills = example("leaderboard_v2_skills.csv");
        let mut lines = skills.lines();
        assert_eq!(lines.next(), leaderboard.lines().next());
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), 15);
        for row in &rows {
            assert!(leaderboard.lines().any(|l| l == *row), "{row}");
            let cells: Vec<&str> = row.split(',').collect();
            // #Params (B) and Pretraining Data Size (T).
            assert!(cells[4].parse::<f64>().unwrap() > 0.0, "{row}");
            assert!(cells[5].parse::<f64>().unwrap() > 0.0, "{row}");
        }
        let qwen2: Vec<&str> = rows
            .iter()
            .filter(|r| r.split(',').nth(1) == Some("qwen2"))
            .map(|r| r.split(',').next().unwrap())
            .collect();
        assert_eq!(qwen2, ["qwen2-0.5b"]);
    }

    /// The completion's example is the BenchPress fixture byte for byte
    /// (assets/examples/SOURCE.md), 84 models x 133 benchmarks with most
    /// cells empty, and its licence, whose text must travel with the data,
    /// is served beside it and linked from the page.
    #[test]
    fn the_benchpress_example_travels_with_its_licence() {
        let matrix = example("benchpress_matrix.csv");
        assert_eq!(
            matrix,
            include_str!("../../tests/fixtures/benchpress/matrix.csv")
        );
        let rows: Vec<&str> = matrix.lines().collect();
        assert_eq!(rows.len(), 85);
        assert!(rows[0].starts_with("model,"));
        let mut empty = 0;
        for row in &rows {
            let cells: Vec<&str> = row.split(',').collect();
            assert_eq!(cells.len(), 134, "{row}");
            empty += cells.iter().filter(|c| c.is_empty()).count();
        }
        assert_eq!(empty, 84 * 133 - 2604);
        let licence = example("LICENSE.benchpress.txt");
        assert_eq!(
            licence,
            include_str!("../../tests/fixtures/benchpress/LICENSE")
        );
        assert!(licence.starts_with("Community Data License Agreement - Permissive - Version 2.0"));
        let html = std::str::from_utf8(INDEX.body).unwrap();
        assert!(html.contains(r#"href="/examples/LICENSE.benchpress.txt""#));
    }
}
