//! Every error code, one table row each: a name, a request, the status and
//! code it must get. Every error is problem+json with the RFC 9457 members.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const JSON: Option<&str> = Some("application/json");
const CSV: Option<&str> = Some("text/csv");

struct Case {
    name: &'static str,
    /// The query string, for the CSV rows.
    query: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
    /// A phrase the detail must contain, so messages stay specific.
    detail: &'static str,
}

fn ok_request() -> Value {
    json!({
        "models": ["llama-7b", "llama-13b", "llama-65b"],
        "benchmarks": ["MMLU", "ARC-C"],
        "scores": [[0.35, 0.50], [0.47, 0.56], [0.63, 0.63]],
    })
}

fn with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut body = ok_request();
    edit(&mut body);
    serde_json::to_vec(&body).unwrap()
}

fn raw(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

fn cases() -> Vec<Case> {
    let c = |name, content_type, body, status, code, detail| Case {
        name,
        query: "",
        content_type,
        body,
        status,
        code,
        detail,
    };
    let q = |query, name, body: &str, status, code, detail| Case {
        name,
        query,
        content_type: CSV,
        body: raw(body),
        status,
        code,
        detail,
    };
    let small_csv = "Model,Family,MMLU,ARC\na,x,0.3,0.4\nb,x,0.5,0.45\nc,y,0.7,0.6\n";
    #[rustfmt::skip]
    let mut rows = vec![
        q("", "csv: ragged line", "Model,MMLU\na,0.3\nb,0.5,0.1\n", 422, "invalid_csv", "line 3"),
        q("", "csv: no header", "", 422, "invalid_csv", "header"),
        q("", "csv: invalid utf-8", "Model,MMLU\na,0.3\nb,0.5\n", 422, "invalid_csv", "UTF-8"),
        q("", "csv: text in a score column", "Model,MMLU\na,0.3\nb,high\n", 422, "invalid_score", "line 3, column 'MMLU' (model 'b')"),
        q("", "csv: infinity", "Model,MMLU\na,0.3\nb,-inf\n", 422, "non_finite_score", "line 3"),
        q("", "csv: no numeric column", "Model,Family\na,x\nb,y\n", 422, "no_matching_columns", "number"),
        q("benchmark_prefix=GLP_", "csv: prefix matches nothing", small_csv, 422, "no_matching_columns", "GLP_"),
        q("benchmarks=MMLU,HumanEval", "csv: unknown benchmark column", small_csv, 422, "unknown_column", "HumanEval"),
        q("model_column=Name", "csv: unknown model column", small_csv, 422, "unknown_column", "Name"),
        q("delimiter=%7C", "query: bad delimiter", small_csv, 422, "invalid_query", "delimiter"),
        q("benchmarks=MMLU&benchmark_prefix=M", "query: both selections", small_csv, 422, "invalid_query", "not both"),
        q("n_components=lots", "query: n_components not a number", small_csv, 422, "invalid_query", "n_components"),
        q("colour=red", "query: unknown parameter", small_csv, 422, "unknown_field", "colour"),
        q("model_column=Family", "csv: duplicate model", small_csv, 422, "duplicate_model", "'x'"),
        q("missing=mean&benchmarks=MMLU,ARC", "csv: unobserved benchmark", "Model,MMLU,ARC\na,0.3,\nb,0.5,NA\nc,0.7,null\n", 422, "unobserved_benchmark", "'ARC'"),
        q("missing=iterative_pca", "csv: unobserved model", "Model,MMLU,ARC\na,0.3,0.1\nb,,\nc,0.7,0.4\n", 422, "unobserved_model", "'b'"),
        q("missing=iterative_pca&imputation_rank=2", "csv: imputation rank too high", "Model,MMLU,ARC\na,0.3,0.1\nb,0.2,\nc,0.7,0.4\n", 422, "invalid_imputation", "rank"),
        q("benchmarks=ARC", "csv: decimal commas named as a benchmark", "Model,MMLU,ARC\na,0.3,\"0,4\"\nb,0.5,\"0,45\"\n", 422, "invalid_score", "decimal comma"),
        q("", "csv: a column of decimal commas picked automatically", "Model,MMLU,ARC\na,0.3,\"0,4\"\nb,0.5,\"0,45\"\n", 422, "invalid_score", "column 'ARC' holds no number"),
        q("", "csv: a column of percentages picked automatically", "Model,MMLU,ARC\na,0.3,40%\nb,0.5,45 %\n", 422, "invalid_score", "percentage"),
        q("", "csv: a ;-separated file read with delimiter ,", "Model;MMLU;ARC\na;0.3;0.4\nb;0.5;0.45\n", 422, "no_matching_columns", "delimiter=;"),
        q("", "csv: a ;-separated file with decimal commas read with delimiter ,", "Model;MMLU\na;0,3\nb;0,5\n", 422, "invalid_csv", "delimiter=;"),
        q("", "csv: duplicate model once trimmed", "Model,MMLU\na,0.3\n a ,0.5\nb,0.7\n", 422, "duplicate_model", "'a'"),
        q("missing=drop_models", "csv: dropping leaves one model", "Model,MMLU,ARC\na,0.3,0.1\nb,0.2,\nc,,0.4\n", 422, "too_few_models", "got 1"),
        c("imputation bounds reversed", JSON, with(|b| { b["scores"][0][0] = Value::Null; b["imputation"] = json!({"bounds": [1, 0]}); }), 422, "invalid_imputation", "lo < hi"),
        c("imputation bounds of three", JSON, with(|b| { b["scores"][0][0] = Value::Null; b["imputation"] = json!({"bounds": [0, 1, 2]}); }), 422, "invalid_imputation", "[lo, hi]"),
        c("imputation max_iter too large", JSON, with(|b| { b["scores"][0][0] = Value::Null; b["missing"] = json!("iterative_pca"); b["imputation"] = json!({"max_iter": 1_000_000}); }), 422, "invalid_imputation", "max_iter"),
        c("unknown imputation option", JSON, with(|b| b["imputation"] = json!({"ranks": 1})), 422, "unknown_field", "ranks"),
        c("unknown missing policy", JSON, with(|b| b["missing"] = json!("zero")), 422, "invalid_request", "unknown variant"),
    ];
    rows.extend(vec![
        c(
            "truncated json",
            JSON,
            raw(r#"{"models": ["a", "b"], "bench"#),
            400,
            "malformed_json",
            "EOF",
        ),
        c(
            "not json at all",
            JSON,
            raw("models=a,b"),
            400,
            "malformed_json",
            "expected",
        ),
        c(
            "nan literal",
            JSON,
            raw(r#"{"models":["a","b"],"benchmarks":["x"],"scores":[[NaN],[1]]}"#),
            400,
            "malformed_json",
            "",
        ),
        c(
            "invalid utf-8",
            JSON,
            b"{\"models\": [\"\xff\xfe\"]}".to_vec(),
            400,
            "malformed_json",
            "",
        ),
        c(
            "deeply nested",
            JSON,
            raw(&format!(
                "{{\"models\": {}{}}}",
                "[".repeat(10_000),
                "]".repeat(10_000)
            )),
            422,
            "invalid_request",
            "invalid type",
        ),
        c(
            "nested past the recursion limit",
            JSON,
            raw(&format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))),
            422,
            "invalid_request",
            "JSON object",
        ),
        c(
            "array instead of object",
            JSON,
            raw(r#"[["a","b"],["x"],[[1],[2]]]"#),
            422,
            "invalid_request",
            "JSON object",
        ),
        c(
            "infinite score",
            JSON,
            raw(r#"{"models":["a","b"],"benchmarks":["x"],"scores":[[1],[-1e999]]}"#),
            422,
            "non_finite_score",
            "row 1 position 0",
        ),
        c(
            "overflowing option",
            JSON,
            raw(
                r#"{"models":["a","b"],"benchmarks":["x"],"scores":[[1],[2]],"n_components":1e999}"#,
            ),
            422,
            "number_out_of_range",
            "out of range",
        ),
        c(
            "wrong content type",
            Some("text/plain"),
            with(|_| {}),
            415,
            "unsupported_media_type",
            "text/plain",
        ),
        c(
            "no content type",
            None,
            with(|_| {}),
            415,
            "unsupported_media_type",
            "no Content-Type",
        ),
        c(
            "unknown field",
            JSON,
            with(|b| b["n_component"] = json!(2)),
            422,
            "unknown_field",
            "n_component",
        ),
        c(
            "string score",
            JSON,
            with(|b| b["scores"][0][0] = json!("0.35")),
            422,
            "invalid_request",
            "invalid type",
        ),
        c(
            "models not an array",
            JSON,
            with(|b| b["models"] = json!(5)),
            422,
            "invalid_request",
            "invalid type",
        ),
        c(
            "missing scores field",
            JSON,
            with(|b| {
                b.as_object_mut().unwrap().remove("scores");
            }),
            422,
            "invalid_request",
            "scores",
        ),
        c(
            "unknown sign",
            JSON,
            with(|b| b["sign"] = json!("positive")),
            422,
            "invalid_request",
            "unknown variant",
        ),
        c(
            "standardize not a bool",
            JSON,
            with(|b| b["standardize"] = json!("yes")),
            422,
            "invalid_request",
            "invalid type",
        ),
        c(
            "fewer rows than models",
            JSON,
            with(|b| {
                b["scores"].as_array_mut().unwrap().pop();
            }),
            422,
            "shape_mismatch",
            "models",
        ),
        c(
            "ragged row",
            JSON,
            with(|b| {
                b["scores"][1].as_array_mut().unwrap().pop();
            }),
            422,
            "shape_mismatch",
            "llama-13b",
        ),
        c(
            "empty model label",
            JSON,
            with(|b| b["models"][1] = json!("")),
            422,
            "empty_label",
            "position 1",
        ),
        c(
            "empty benchmark label",
            JSON,
            with(|b| b["benchmarks"][0] = json!("")),
            422,
            "empty_label",
            "benchmark",
        ),
        c(
            "duplicate model",
            JSON,
            with(|b| b["models"][2] = json!("llama-7b")),
            422,
            "duplicate_model",
            "llama-7b",
        ),
        c(
            "duplicate model once trimmed",
            JSON,
            with(|b| b["models"][2] = json!(" llama-7b\t")),
            422,
            "duplicate_model",
            "llama-7b",
        ),
        c(
            "blank model label",
            JSON,
            with(|b| b["models"][1] = json!("   ")),
            422,
            "empty_label",
            "position 1",
        ),
        c(
            "duplicate benchmark once trimmed",
            JSON,
            with(|b| b["benchmarks"][1] = json!(" MMLU ")),
            422,
            "duplicate_benchmark",
            "MMLU",
        ),
        c(
            "duplicate benchmark",
            JSON,
            with(|b| b["benchmarks"][1] = json!("MMLU")),
            422,
            "duplicate_benchmark",
            "MMLU",
        ),
        c(
            "no benchmarks",
            JSON,
            raw(r#"{"models":["a","b"],"benchmarks":[],"scores":[[],[]]}"#),
            422,
            "no_benchmarks",
            "no benchmarks",
        ),
        c(
            "empty matrix",
            JSON,
            raw(r#"{"models":[],"benchmarks":[],"scores":[]}"#),
            422,
            "no_benchmarks",
            "",
        ),
        c(
            "missing cell",
            JSON,
            with(|b| b["scores"][1][0] = Value::Null),
            422,
            "missing_scores",
            "llama-13b",
        ),
        c(
            "single model",
            JSON,
            raw(r#"{"models":["a"],"benchmarks":["x","y"],"scores":[[0.1,0.2]]}"#),
            422,
            "too_few_models",
            "at least 2",
        ),
        c(
            "no models",
            JSON,
            raw(r#"{"models":[],"benchmarks":["x"],"scores":[]}"#),
            422,
            "too_few_models",
            "got 0",
        ),
        c(
            "zero components",
            JSON,
            with(|b| b["n_components"] = json!(0)),
            422,
            "invalid_n_components",
            "at least 1",
        ),
        c(
            "negative components",
            JSON,
            with(|b| b["n_components"] = json!(-2)),
            422,
            "invalid_n_components",
            "at least 1",
        ),
        c(
            "more components than benchmarks",
            JSON,
            with(|b| b["n_components"] = json!(3)),
            422,
            "invalid_n_components",
            "min(3, 2) = 2",
        ),
        c(
            "fraction above one",
            JSON,
            with(|b| b["n_components"] = json!(1.5)),
            422,
            "invalid_n_components",
            "between 0 and 1",
        ),
        c(
            "n_components a string",
            JSON,
            with(|b| b["n_components"] = json!("2")),
            422,
            "invalid_request",
            "",
        ),
        c(
            "constant scores",
            JSON,
            with(|b| b["scores"] = json!([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])),
            422,
            "zero_variance",
            "constant",
        ),
        c(
            "huge scores",
            JSON,
            with(|b| b["scores"] = json!([[1e300, 0.1], [-1e300, 0.2], [0.0, 0.3]])),
            422,
            "numeric_overflow",
            "too large",
        ),
    ]);
    // Numbers f64 cannot analyse to its precision, and options whose
    // messages must name the field (and quote the number) as sent.
    let subnormal = json!([
        [5e-324, 0],
        [1e-323, 5e-324],
        [1.5e-323, 0],
        [2e-323, 5e-324]
    ]);
    let with_number = |member: &str, text: &str| {
        let mut body = ok_request().to_string();
        body.pop();
        raw(&format!("{body},\"{member}\":{text}}}"))
    };
    #[rustfmt::skip]
    rows.extend(vec![
        c("subnormal scores, standardized", JSON, with(|b| { b["models"] = json!(["a", "b", "c", "d"]); b["scores"] = subnormal.clone(); b["standardize"] = json!(true); }), 422, "numeric_underflow", "benchmark 'MMLU' varies by 5e-324"),
        c("subnormal scores, centred", JSON, with(|b| { b["models"] = json!(["a", "b", "c", "d"]); b["scores"] = subnormal.clone(); }), 422, "numeric_underflow", "smallest normal"),
        c("subnormal scores, imputed", JSON, with(|b| { b["models"] = json!(["a", "b", "c", "d"]); b["scores"] = subnormal.clone(); b["scores"][1][1] = Value::Null; b["missing"] = json!("iterative_pca"); }), 422, "numeric_underflow", "z-scores"),
        c("bootstrap.confidence above one", JSON, with(|b| b["bootstrap"] = json!({"confidence": 1.5})), 422, "invalid_bootstrap", "bootstrap.confidence must lie strictly between 0 and 1, got 1.5"),
        c("bootstrap.seed negative", JSON, with(|b| b["bootstrap"] = json!({"seed": -1})), 422, "invalid_bootstrap", "bootstrap.seed must be"),
        c("bootstrap.resamples beyond an i64", JSON, with_number("bootstrap", "{\"resamples\": 18446744073709551617}"), 422, "invalid_bootstrap", "bootstrap.resamples must be a whole number between 2 and"),
        c("bootstrap.resamples beyond an i64, as sent", JSON, with_number("bootstrap", "{\"resamples\": 18446744073709551617}"), 422, "invalid_bootstrap", "got 18446744073709551617"),
        // 10000 resamples x 1000 benchmarks x 2 or more components: over 10 million loadings to keep.
        c("bootstrap: resamples x components x benchmarks over the limit", JSON, with(|b| { b["benchmarks"] = json!((0..1000).map(|j| format!("b{j}")).collect::<Vec<_>>()); b["scores"] = json!((0..3).map(|i| (0..1000).map(|j| ((i * 7 + j * 3) % 11) as f64 / 10.0).collect::<Vec<_>>()).collect::<Vec<_>>()); b["bootstrap"] = json!({"resamples": 10000}); }), 422, "invalid_bootstrap", "MAX_BOOTSTRAP_VALUES"),
        c("parallel_analysis.quantile above one", JSON, with(|b| b["parallel_analysis"] = json!({"quantile": 2})), 422, "invalid_parallel_analysis", "parallel_analysis.quantile must lie strictly between 0 and 1, got 2"),
        c("parallel_analysis.seed negative", JSON, with(|b| b["parallel_analysis"] = json!({"seed": -1})), 422, "invalid_parallel_analysis", "parallel_analysis.seed must be"),
        c("parallel_analysis.iterations zero", JSON, with(|b| b["parallel_analysis"] = json!({"iterations": 0})), 422, "invalid_parallel_analysis", "parallel_analysis.iterations must be"),
        c("n_components beyond a u64", JSON, with_number("n_components", "18446744073709551617"), 422, "invalid_n_components", "n_components is 18446744073709551617"),
        c("n_components whole but beyond an i64", JSON, with_number("n_components", "1e29"), 422, "invalid_n_components", "n_components is 1e29"),
        c("n_components beyond a u64, negative", JSON, with_number("n_components", "-18446744073709551617"), 422, "invalid_n_components", "got -18446744073709551617"),
        c("n_components out of f64 range", JSON, with_number("n_components", "1e400"), 422, "number_out_of_range", "number out of range"),
        c("imputation.rank beyond an i64", JSON, with_number("imputation", "{\"rank\": 18446744073709551617}"), 422, "invalid_imputation", "imputation.rank must be a whole number, at least 1, got 18446744073709551617"),
        c("imputation.tol negative", JSON, with(|b| b["imputation"] = json!({"tol": -1})), 422, "invalid_imputation", "imputation.tol must be"),
        q("n_components=18446744073709551617", "query: n_components beyond a u64", small_csv, 422, "invalid_n_components", "n_components is 18446744073709551617"),
        q("imputation_tol=-1", "query: imputation_tol negative", small_csv, 422, "invalid_imputation", "imputation_tol must be"),
        q("imputation_rank=0", "query: imputation_rank zero", small_csv, 422, "invalid_imputation", "imputation_rank must be"),
    ]);
    rows.extend(lm_eval_cases());
    rows
}

/// Bad lm-evaluation-harness uploads (`format=lm_eval`): each a coded 4xx.
fn lm_eval_cases() -> Vec<Case> {
    const LM: &str = "format=lm_eval";
    const FORM: Option<&str> = Some("multipart/form-data; boundary=b");
    let l = |query, name, content_type, body: &str, status, code, detail| Case {
        name,
        query,
        content_type,
        body: raw(body),
        status,
        code,
        detail,
    };
    let doc = |model: &str, results: &str| {
        format!(r#"{{"model_name": "{model}", "results": {results}, "config": {{"model": "hf"}}}}"#)
    };
    let ok = |model: &str, a: f64| {
        doc(
            model,
            &format!(
                r#"{{"t1": {{"acc,none": {a}, "acc_stderr,none": "N/A"}}, "t2": {{"acc,none": {}}}}}"#,
                1.0 - a
            ),
        )
    };
    let three = format!("[{}, {}, {}]", ok("a", 0.2), ok("b", 0.5), ok("c", 0.7));
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let part = |name: &str, body: &str| {
        format!(
            "--b\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.json\"\r\n\r\n{body}\r\n"
        )
    };
    #[rustfmt::skip]
    let rows = vec![
        l(LM, "lm_eval: an empty upload", JSON, "", 422, "invalid_lm_eval", "empty"),
        l(LM, "lm_eval: an empty array", JSON, "[]", 422, "invalid_lm_eval", "empty array"),
        l(LM, "lm_eval: a form without a results part", FORM, leak(format!("{}--b--\r\n", part("models", "Model,F\na,x"))), 422, "invalid_lm_eval", "no results document"),
        l(LM, "lm_eval: a document of another shape", JSON, r#"{"models": ["a"], "scores": [[1]]}"#, 422, "invalid_lm_eval", "has no 'results'"),
        l(LM, "lm_eval: a number for a document", JSON, leak(format!("[{}, 7]", ok("a", 0.2))), 422, "invalid_lm_eval", "array index 1 is not an lm-evaluation-harness"),
        l(LM, "lm_eval: results not an object", JSON, leak(doc("a", "[0.5]")), 422, "invalid_lm_eval", "'results' of the document is an array"),
        l(LM, "lm_eval: a task not an object", JSON, leak(doc("a", r#"{"t1": 0.5}"#)), 422, "invalid_lm_eval", "task 't1'"),
        l(LM, "lm_eval: a string metric value", JSON, leak(doc("a", r#"{"t1": {"acc,none": "0.5"}}"#)), 422, "invalid_score", "task 't1', metric 'acc,none' is the string '0.5'"),
        l(LM, "lm_eval: a string metric value in a form names the file", FORM, leak(format!("{}--b--\r\n", part("f", &doc("a", r#"{"t1": {"acc,none": "high"}}"#)))), 422, "invalid_score", "f.json"),
        l(LM, "lm_eval: Infinity", JSON, leak(doc("a", r#"{"t1": {"acc,none": Infinity}}"#)), 422, "non_finite_score", "Infinity"),
        l(LM, "lm_eval: no model", JSON, leak(format!("[{}, {}]", ok("a", 0.2), r#"{"results": {"t1": {"acc,none": 0.1}}, "config": {"model_args": "dtype=float16"}}"#)), 422, "empty_label", "array index 1 names no model"),
        l(LM, "lm_eval: no model in a form names the part", FORM, leak(format!("{}{}--b--\r\n", part("f", &ok("a", 0.2)), part("g", r#"{"results": {"t1": {"acc,none": 0.1}}}"#))), 422, "empty_label", "part 2 ('g', file g.json)"),
        l(LM, "lm_eval: a part that is not JSON", FORM, leak(format!("{}--b--\r\n", part("f", "model,score"))), 422, "invalid_lm_eval", "part 1 ('f', file f.json) is not JSON"),
        l(LM, "lm_eval: not JSON", JSON, "{\"results\": ", 400, "malformed_json", "EOF"),
        l(LM, "lm_eval: groups listed under one another in a circle", JSON, r#"{"model_name": "a", "results": {"t1": {"acc,none": 0.5}, "g1": {"acc,none": 0.4}}, "group_subtasks": {"g1": ["g2", "t1"], "g2": ["g1"]}}"#, 422, "invalid_lm_eval", "'g1' under 'g2', 'g2' under 'g1'"),
        l(LM, "lm_eval: two values for a model and task", JSON, leak(format!("[{}, {}]", ok("a", 0.2), ok("a", 0.3))), 422, "duplicate_score", "model 'a' has two scores for task 't1'"),
        l("format=lm_eval&metrics=t1:f1", "lm_eval: a named metric the task lacks", JSON, leak(three.clone()), 422, "unknown_column", "task 't1' has no metric 'f1' (array index 0 and the other documents have acc,none)"),
        l("format=lm_eval&metrics=t1", "lm_eval: a metrics item without a metric", JSON, leak(three.clone()), 422, "invalid_query", "task:metric,filter"),
        l("format=lm_eval&tasks=t3", "lm_eval: a task no document has", JSON, leak(three.clone()), 422, "no_matching_columns", "task 't3'"),
        l("format=lm_eval&task_prefix=x", "lm_eval: a prefix no task has", JSON, leak(three.clone()), 422, "no_matching_columns", "starts with 'x'"),
        l("format=lm_eval&benchmarks=t1", "lm_eval: a table parameter", JSON, leak(three.clone()), 422, "invalid_query", "benchmarks applies to tables"),
        l("tasks=t1", "lm_eval: tasks without format=lm_eval", CSV, small_csv_text(), 422, "invalid_query", "tasks applies to format=lm_eval"),
        l("format=lm_eval&group_column=F", "lm_eval: a per-model column without a models part", JSON, leak(three.clone()), 422, "unknown_column", "'models' part"),
        l(LM, "lm_eval: a table body", CSV, small_csv_text(), 422, "invalid_query", "format=lm_eval reads results files"),
        // A form or JSON Lines is results whether the query says format=lm_eval or not.
        l("", "JSON Lines without format=lm_eval, of another shape", Some("application/jsonl"), r#"{"models": ["a"], "scores": [[1]]}"#, 422, "invalid_lm_eval", "has no 'results'"),
    ];
    rows
}

fn small_csv_text() -> &'static str {
    "Model,Family,MMLU,ARC\na,x,0.3,0.4\nb,x,0.5,0.45\nc,y,0.7,0.6\n"
}

/// A bad request to an endpoint other than /v1/pca: the endpoint's path,
/// the body, and what the problem must say.
struct Routed {
    name: &'static str,
    path: &'static str,
    body: Value,
    code: &'static str,
    /// Phrases the detail must contain: the field or the data it is about.
    detail: &'static [&'static str],
}

/// A `/v1/pca/transform` request: a basis fitted with `standardize: true`
/// on three benchmarks, and one model at +-1e308 on each.
const TRANSFORM_OVERFLOW: &str = r#"{"basis": {"format": "obscaling.basis/v1", "benchmarks": ["x", "y", "z"], "mean": [0.4166666666666667, 0.4666666666666666, 0.5750000000000001], "scale": [0.24094720491334934, 0.20749832663314552, 0.19947848672643037], "components": [[0.6029291579343368, 0.5600122722486889, 0.5682100715786831], [-0.05750101391290843, 0.7408775743735265, -0.6691741575923166], [-0.7957198400891983, 0.370791956117254, 0.4788979655074356]], "sign": "positive_sum", "explained_variance_ratio": [0.9122784248676333, 0.08548524324197594, 0.002236331890390704], "missing": {"policy": "reject"}, "n_models": 6, "fingerprint": "72b3df3295c3ac465930e5e57cb748a5e88e34e833eda8c6f9588e2582cd1130"}, "models": ["new"], "benchmarks": ["x", "y", "z"], "scores": [[1e+308, -1e+308, 1e+308]]}"#;

fn routed_cases() -> Vec<Routed> {
    let (law, _) = crate::scaling::law_request();
    let law_with = |edit: &dyn Fn(&mut Value)| {
        let mut body = law.clone();
        edit(&mut body);
        body
    };
    let target = |edit: &dyn Fn(f64) -> f64| {
        law_with(&|b: &mut Value| {
            for v in b["target"]["values"].as_array_mut().unwrap() {
                if let Some(x) = v.as_f64() {
                    *v = json!(edit(x));
                }
            }
        })
    };
    let skills = obscaling::api::scaling::skills::skills_request_example();
    let skills_with = |edit: &dyn Fn(&mut Value)| {
        let mut body = skills.clone();
        edit(&mut body);
        body
    };
    let mut design = ok_request();
    design["families"] = json!(["llama", "llama", "llama"]);
    design["max_models"] = json!(2);
    let design_with = |edit: &dyn Fn(&mut Value)| {
        let mut body = design.clone();
        edit(&mut body);
        body
    };
    let r = |name, path, body, code, detail| Routed {
        name,
        path,
        body,
        code,
        detail,
    };
    let (law_path, skills_path, design_path) = (
        "/v1/scaling/law",
        "/v1/scaling/skills",
        "/v1/scaling/select-families",
    );
    let mut pca_supplementary = ok_request();
    pca_supplementary["supplementary"] = json!({"models": ["far"], "scores": [[1.7e308, 1.7e308]]});
    // A standardised basis (as `/v1/pca` with `return_basis` gives it) and
    // a model whose finite scores overflow once centred and scaled.
    let transform: Value = serde_json::from_str(TRANSFORM_OVERFLOW).unwrap();
    vec![
        r(
            "pca: supplementary model whose projection overflows",
            "/v1/pca",
            pca_supplementary,
            "numeric_overflow",
            &["model 'far'", "placed on their components"],
        ),
        r(
            "transform: model whose projection overflows",
            "/v1/pca/transform",
            transform,
            "numeric_overflow",
            &["model 'new'", "placed on their components"],
        ),
        r(
            "skills: every model the same size",
            skills_path,
            skills_with(&|b| {
                for v in b["params"].as_array_mut().unwrap() {
                    *v = json!(7.0);
                }
            }),
            "invalid_skills",
            &["the same params", "must vary"],
        ),
        r(
            "law: target times 10",
            law_path,
            target(&|x| 10.0 * x),
            "invalid_target",
            &["outside [0, 1]", "target_range"],
        ),
        r(
            "law: target negated",
            law_path,
            target(&|x| -x),
            "invalid_target",
            &["outside [0, 1]"],
        ),
        r(
            "law: target above its stated range",
            law_path,
            law_with(&|b| {
                b["target"]["values"][0] = json!(3);
                b["target_range"] = json!([0, 2]);
            }),
            "invalid_target",
            &["is 3.0", "[0.0, 2.0]"],
        ),
        r(
            "law: target range wider than an f64",
            law_path,
            law_with(&|b| b["target_range"] = json!([-1e308, 1e308])),
            "invalid_target",
            &["target_range", "finite"],
        ),
        r(
            "law: constant target with a reference family",
            law_path,
            law_with(&|b| {
                b["reference_family"] = json!("Llama-2");
                b["target"]["values"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .filter(|v| !v.is_null())
                    .for_each(|v| *v = json!(0.5));
            }),
            "invalid_target",
            &["0.5 for every one of the", "training models"],
        ),
        r(
            "skills: floor above every score",
            skills_path,
            skills_with(&|b| b["floors"][0] = json!(0.99)),
            "invalid_skills",
            &["benchmark 'IFEval'", "0.99", "highest score, 0.27"],
        ),
        r(
            "skills: skills beyond an i64",
            skills_path,
            skills_with(&|b| b["skills"] = json!(18446744073709551615u64)),
            "invalid_skills",
            &["skills must be", "18446744073709551615"],
        ),
        r(
            "skills: seed negative",
            skills_path,
            skills_with(&|b| b["seed"] = json!(-1)),
            "invalid_skills",
            &["seed must be", "got -1"],
        ),
        r(
            "skills: evaluate.n_train_models zero",
            skills_path,
            skills_with(&|b| b["evaluate"] = json!({"groups": [["qwen2"]], "n_train_models": 0})),
            "invalid_skills",
            &["evaluate.n_train_models must be"],
        ),
        r(
            "select-families: seed negative",
            design_path,
            design_with(&|b| b["seed"] = json!(-1)),
            "invalid_design",
            &["seed must be", "got -1"],
        ),
        r(
            "select-families: baseline_samples zero",
            design_path,
            design_with(&|b| b["baseline_samples"] = json!(0)),
            "invalid_design",
            &["baseline_samples must be"],
        ),
        r(
            "select-families: top above 100",
            design_path,
            design_with(&|b| b["top"] = json!(101)),
            "invalid_design",
            &["top must be", "got 101"],
        ),
        r(
            "law: huber_delta not positive",
            law_path,
            law_with(&|b| {
                b["loss"] = json!("huber");
                b["huber_delta"] = json!(-1);
            }),
            "invalid_law",
            &["huber_delta must be positive, got -1"],
        ),
        r(
            "law: target_range of three numbers",
            law_path,
            law_with(&|b| b["target_range"] = json!([0, 0.5, 1])),
            "invalid_target",
            &["target_range must be [lo, hi] with lo < hi, got [0.0, 0.5, 1.0]"],
        ),
        r(
            "law: neither target nor targets",
            law_path,
            law_with(&|b| {
                b.as_object_mut().unwrap().remove("target");
            }),
            "invalid_target",
            &["give target or targets"],
        ),
        r(
            "law: target and targets",
            law_path,
            law_with(&|b| {
                let target = b["target"].clone();
                b["targets"] = json!([target]);
            }),
            "invalid_target",
            &["give target or targets, not both"],
        ),
        r(
            "law: targets empty",
            law_path,
            law_with(&|b| {
                b.as_object_mut().unwrap().remove("target");
                b["targets"] = json!([]);
            }),
            "invalid_target",
            &["targets must name at least one target"],
        ),
        r(
            "law: a target named twice",
            law_path,
            law_with(&|b| {
                let target = b.as_object_mut().unwrap().remove("target").unwrap();
                b["targets"] = json!([target.clone(), target]);
            }),
            "invalid_target",
            &["is given twice"],
        ),
        r(
            "law: more targets than MAX_TARGETS",
            law_path,
            law_with(&|b| {
                let target = b.as_object_mut().unwrap().remove("target").unwrap();
                let targets: Vec<Value> = (0..101)
                    .map(|t| {
                        let mut one = target.clone();
                        one["name"] = json!(format!("target {t}"));
                        one
                    })
                    .collect();
                b["targets"] = json!(targets);
            }),
            "invalid_target",
            &["101 targets given", "MAX_TARGETS"],
        ),
        r(
            "law: a target named with white space only",
            law_path,
            law_with(&|b| b["target"]["name"] = json!(" \t")),
            "empty_label",
            &["the name of the target at position 0 is empty"],
        ),
        r(
            "law: a target named like a benchmark",
            law_path,
            law_with(&|b| {
                b["target"]["name"] = json!(format!(" {} ", b["benchmarks"][1].as_str().unwrap()))
            }),
            "invalid_target",
            &["is also one of the benchmarks"],
        ),
        r(
            "law: flops with params",
            law_path,
            law_with(&|b| {
                let flops = b["flops"].clone();
                b["params"] = flops;
            }),
            "invalid_compute",
            &["give flops, or params and tokens, not both"],
        ),
        r(
            "law: params without tokens",
            law_path,
            law_with(&|b| {
                let flops = b.as_object_mut().unwrap().remove("flops").unwrap();
                b["params"] = flops;
            }),
            "invalid_compute",
            &["params and tokens go together"],
        ),
        r(
            "compute-fit: no compute",
            "/v1/scaling/compute-fit",
            design_with(&|b| {
                b.as_object_mut().unwrap().remove("max_models");
            }),
            "invalid_compute",
            &["give flops, or params and tokens"],
        ),
        r(
            "skills: params not positive",
            skills_path,
            skills_with(&|b| b["params"][0] = json!(-1)),
            "invalid_compute",
            &["model 'pythia-160m' has params -1; it must be a positive number"],
        ),
        r(
            "skills: params not one per model",
            skills_path,
            skills_with(&|b| {
                b["params"].as_array_mut().unwrap().pop();
            }),
            "shape_mismatch",
            &["params has", "but models gives"],
        ),
        r(
            "skills: no model with a family",
            skills_path,
            skills_with(&|b| {
                for family in b["families"].as_array_mut().unwrap() {
                    *family = Value::Null;
                }
            }),
            "invalid_skills",
            &["no model has params, tokens and a family ("],
        ),
        r(
            "skills: evaluate names no group",
            skills_path,
            skills_with(&|b| b["evaluate"] = json!({"groups": []})),
            "invalid_skills",
            &["evaluate.groups names no group"],
        ),
        r(
            "skills: an empty evaluate group",
            skills_path,
            skills_with(&|b| b["evaluate"] = json!({"groups": [["pythia"], []]})),
            "invalid_skills",
            &["evaluate group 2 names no family"],
        ),
        r(
            "skills: an evaluate group of an unknown family",
            skills_path,
            skills_with(&|b| b["evaluate"] = json!({"groups": [["nope"]]})),
            "invalid_skills",
            &["evaluate group 1 names family 'nope', which no model has"],
        ),
        r(
            "compute-fit: min_family_size beyond an i64",
            "/v1/scaling/compute-fit",
            design_with(&|b| {
                b.as_object_mut().unwrap().remove("max_models");
                b["flops"] = json!([1, 2, 3]);
                b["min_family_size"] = json!(1e20);
            }),
            "invalid_request",
            &["min_family_size must be", "got 1e+20"],
        ),
    ]
}

#[tokio::test]
async fn bad_options_and_data_of_every_endpoint_get_their_coded_problem() {
    let app = spawn_app().await;
    for case in routed_cases() {
        let (status, content_type, body) = app.post_json(case.path, &case.body).await;
        assert_eq!(status, 422, "{}: {body}", case.name);
        assert_problem(case.name, status, &content_type, &body, case.code);
        let detail = body["detail"].as_str().unwrap();
        for phrase in case.detail {
            assert!(
                detail.contains(phrase),
                "{}: detail {detail:?} lacks {phrase:?}",
                case.name
            );
        }
    }
}

/// A small leaderboard that /v1/complete answers.
fn completion_board() -> Value {
    json!({
        "models": ["m1", "m2", "m3", "m4", "m5", "m6"],
        "benchmarks": ["MMLU", "GSM8K", "Elo"],
        "scores": [[45.2, 30.1, 1105], [58.7, null, 1160], [63.0, 51.0, null],
                   [70.4, 72.8, 1220], [77.9, 81.5, 1250], [82.1, 88.0, 1281]],
    })
}

/// The bad requests of `/v1/complete` (issue 32, item 7): each a coded
/// 422, never a 500. (A model or a benchmark without enough scores is an
/// answer, not an error: tests/api/complete.rs.)
fn completion_cases() -> Vec<Routed> {
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut body = completion_board();
        edit(&mut body);
        body
    };
    let r = |name, body, code, detail| Routed {
        name,
        path: "/v1/complete",
        body,
        code,
        detail,
    };
    vec![
        r(
            "complete: two models",
            json!({"models": ["a", "b"], "benchmarks": ["X", "Y"], "scores": [[1, null], [2, 3]]}),
            "too_few_models",
            &["at least 3 models", "got 2"],
        ),
        r(
            "complete: a percentage stated to be a fraction",
            with(&|b| b["scales"] = json!({"MMLU": "fraction"})),
            "invalid_completion",
            &[
                "'MMLU' is stated to be a fraction",
                "model 'm1' scores 45.2",
            ],
        ),
        r(
            "complete: a scale for no benchmark",
            with(&|b| b["scales"] = json!({"ARC": "percent"})),
            "invalid_completion",
            &["scales names benchmark 'ARC'"],
        ),
        r(
            "complete: a scale of an unknown kind",
            with(&|b| b["scales"] = json!({"MMLU": "percentage"})),
            "invalid_request",
            &["unknown variant `percentage`"],
        ),
        r(
            "complete: more probes than benchmarks",
            with(&|b| b["probes"] = json!(4)),
            "invalid_completion",
            &["probes asks for 4 benchmarks, but only 3 of the 3"],
        ),
        r(
            "complete: probes above the most",
            with(&|b| b["probes"] = json!(51)),
            "invalid_completion",
            &["probes must be at most 50"],
        ),
        r(
            "complete: negative probes",
            with(&|b| b["probes"] = json!(-1)),
            "invalid_completion",
            &["probes must be a whole number, at least 0, got -1"],
        ),
        r(
            "complete: fractional probes",
            with(&|b| b["probes"] = json!(1.5)),
            "invalid_completion",
            &["probes must be a whole number", "got 1.5"],
        ),
        r(
            "complete: interval 1",
            with(&|b| b["interval"] = json!(1)),
            "invalid_completion",
            &["interval must lie strictly between 0 and 1", "got 1"],
        ),
        r(
            "complete: interval 0",
            with(&|b| b["interval"] = json!(0)),
            "invalid_completion",
            &["interval must lie strictly between 0 and 1"],
        ),
        r(
            "complete: interval as a percentage",
            with(&|b| b["interval"] = json!(90)),
            "invalid_completion",
            &["got 90"],
        ),
        r(
            "complete: a PCA option",
            with(&|b| b["missing"] = json!("mean")),
            "unknown_field",
            &["missing"],
        ),
        r(
            "complete: nothing to hold out",
            json!({"models": ["a", "b", "c"], "benchmarks": ["X"], "scores": [[1], [2], [3]]}),
            "invalid_completion",
            &["no observed score can be held out"],
        ),
    ]
}

#[tokio::test]
async fn bad_completions_get_their_coded_problem() {
    let app = spawn_app().await;
    for case in completion_cases() {
        let (status, content_type, body) = app.post_json(case.path, &case.body).await;
        assert_eq!(status, 422, "{}: {body}", case.name);
        assert_problem(case.name, status, &content_type, &body, case.code);
        let detail = body["detail"].as_str().unwrap();
        for phrase in case.detail {
            assert!(
                detail.contains(phrase),
                "{}: detail {detail:?} lacks {phrase:?}",
                case.name
            );
        }
    }
    // And the server still completes.
    let (status, _, body) = app.post_json("/v1/complete", &completion_board()).await;
    assert_eq!(status, 200, "{body}");
}

fn assert_problem(name: &str, status: u16, content_type: &str, body: &Value, code: &str) {
    assert_eq!(
        content_type, "application/problem+json",
        "{name}: content type"
    );
    assert_eq!(body["code"], code, "{name}: {body}");
    assert_eq!(body["status"], status, "{name}: status member");
    assert_eq!(
        body["type"],
        format!("urn:obscaling:problem:{code}"),
        "{name}"
    );
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{name}: title"
    );
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{name}: detail"
    );
}

#[tokio::test]
async fn every_bad_request_gets_its_coded_problem() {
    let app = spawn_app().await;
    for case in cases() {
        let mut body = case.body;
        if case.name == "csv: invalid utf-8" {
            body[12] = 0xff;
        }
        let path = format!("/v1/pca?{}", case.query);
        let (status, content_type, body) = app.post_raw(&path, case.content_type, body).await;
        assert_eq!(status, case.status, "{}: {body}", case.name);
        assert_problem(case.name, status, &content_type, &body, case.code);
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.contains(case.detail),
            "{}: detail {detail:?} lacks {:?}",
            case.name,
            case.detail
        );
    }
    // And the server is still serving.
    let (status, _, _) = app.post_json("/v1/pca", &ok_request()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn missing_cells_are_listed_by_label() {
    let app = spawn_app().await;
    let mut request = ok_request();
    request["scores"][0][1] = Value::Null;
    request["scores"][2][0] = Value::Null;
    let (status, _, body) = app.post_json("/v1/pca", &request).await;
    assert_eq!(status, 422);
    assert_eq!(body["missing_count"], 2);
    assert_eq!(
        body["cells"],
        json!([{"model": "llama-7b", "benchmark": "ARC-C"}, {"model": "llama-65b", "benchmark": "MMLU"}])
    );
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let app: TestApp = spawn_app_with(|c| c.max_body_bytes = 1024).await;
    let mut request = ok_request();
    request["models"][0] = json!("x".repeat(2000));
    let (status, content_type, body) = app.post_json("/v1/pca", &request).await;
    assert_eq!(status, 413, "{body}");
    assert_problem(
        "too large",
        status,
        &content_type,
        &body,
        "payload_too_large",
    );
    assert!(body["detail"].as_str().unwrap().contains("1024"));
    // Under the limit is fine on the same server.
    let (status, _, _) = app.post_json("/v1/pca", &ok_request()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_are_json_404_and_405() {
    let app = spawn_app().await;
    let (status, content_type, body) = app.get("/v1/nope").await;
    assert_eq!(status, 404);
    assert_problem("unknown path", status, &content_type, &body, "not_found");

    let response = app
        .client
        .get(format!("{}/v1/pca", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "method_not_allowed");
}

#[test]
fn the_table_covers_every_request_error_code() {
    let covered: Vec<&str> = cases()
        .iter()
        .map(|c| c.code)
        .chain(edge_cases().iter().map(|c| c.code))
        .chain(completion_cases().iter().map(|c| c.code))
        .collect();
    // Tested by their own tests in this file and in reliability.rs.
    let elsewhere = [
        "payload_too_large",
        "not_found",
        "method_not_allowed",
        "internal_error",
    ];
    // The scaling endpoints' codes have their table in scaling.rs (the
    // skills law's in skills_endpoint.rs); the limits theirs in
    // reliability.rs.
    let scaling_table = [
        include_str!("scaling.rs"),
        include_str!("skills_endpoint.rs"),
        include_str!("reliability.rs"),
        include_str!("uncertainty.rs"),
        include_str!("basis.rs"),
        include_str!("formats.rs"),
    ]
    .concat();
    for code in obscaling::api::error::ErrorCode::ALL {
        let code = code.as_str();
        assert!(
            covered.contains(&code)
                || elsewhere.contains(&code)
                || scaling_table.contains(&format!("\"{code}\"")),
            "error code {code} has no test row"
        );
    }
}

/// A request body sent with a `Content-Encoding`, or a form, that the edge
/// refuses before any table or JSON reader sees it.
struct EdgeCase {
    name: &'static str,
    path: &'static str,
    content_type: &'static str,
    content_encoding: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
    detail: &'static str,
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn brotli(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    {
        let mut w = ::brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        w.write_all(data).unwrap();
    }
    out
}

/// A zstd frame that asks for a 2^27 window and does not say its size, as
/// `zstd --long` or a streaming compressor at an ultra level writes it.
fn zstd_wide_window(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
    e.window_log(27).unwrap();
    e.include_contentsize(false).unwrap();
    e.long_distance_matching(true).unwrap();
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A form of `basis` (the example PCA basis) and `scores` parts, each with
/// its media type, plus `extra` empty parts.
fn basis_form(scores_type: &str, extra: usize) -> (String, Vec<u8>) {
    let boundary = "edge-case-b0undary";
    let basis = include_str!("../../src/api/examples/basis.json");
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"basis\"\r\nContent-Type: application/json\r\n\r\n{basis}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"scores\"; filename=\"new.csv\"\r\nContent-Type: {scores_type}\r\n\r\n\
         Model,MMLU,ARC-C,HellaSwag,GSM8K\nnew-1,0.5,0.5,0.7,0.3\nnew-2,0.6,0.55,0.75,0.4\n\r\n"
    );
    for i in 0..extra {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"p{i}\"\r\n\r\n\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

fn edge_cases() -> Vec<EdgeCase> {
    let json = with(|_| {});
    let csv = b"Model,MMLU,ARC\na,0.3,0.4\nb,0.5,0.45\nc,0.7,0.6\n".to_vec();
    let mut gz_trailing = gzip(&json);
    gz_trailing.extend_from_slice(b"\0\0\0garbage");
    let mut gz_corrupt = gzip(&csv);
    let middle = gz_corrupt.len() / 2;
    gz_corrupt[middle] ^= 0xff;
    let gz = gzip(&json);
    let gz_cut = gz[..gz.len() - 4].to_vec();
    let mut zlib_trailing = zlib(&json);
    zlib_trailing.extend_from_slice(b"x");
    let mut br_trailing = brotli(&csv);
    br_trailing.extend_from_slice(b"more");
    let mut zstd_garbage = zstd::encode_all(&json[..], 3).unwrap();
    zstd_garbage.extend_from_slice(b"not a frame");
    // Zeros decode far past the 100 kB limit of the server these run on.
    let zeros = vec![b' '; 4 << 20];
    let (form_type, form_seventeen) = basis_form("text/csv", 15);
    let (form_json_type, form_json_scores) = basis_form("application/json", 0);
    let e = |name, path, content_type, content_encoding, body, status, code, detail| EdgeCase {
        name,
        path,
        content_type,
        content_encoding,
        body,
        status,
        code,
        detail,
    };
    let (json_type, csv_type) = ("application/json", "text/csv");
    #[rustfmt::skip]
    let rows = vec![
        e("gzip with bytes after its member", "/v1/pca", json_type, Some("gzip"), gz_trailing, 400, "invalid_content_encoding", "gzip"),
        e("gzip corrupt, a CSV body", "/v1/pca", csv_type, Some("gzip"), gz_corrupt, 400, "invalid_content_encoding", "gzip"),
        e("gzip cut short", "/v1/pca", json_type, Some("gzip"), gz_cut, 400, "invalid_content_encoding", "gzip"),
        e("x-gzip that is not gzip", "/v1/pca", csv_type, Some("x-gzip"), csv.clone(), 400, "invalid_content_encoding", "gzip"),
        e("deflate with a byte after its stream", "/v1/pca", json_type, Some("deflate"), zlib_trailing, 400, "invalid_content_encoding", "after the end"),
        e("br with bytes after its stream", "/v1/pca", csv_type, Some("br"), br_trailing, 400, "invalid_content_encoding", "after the end"),
        e("zstd followed by garbage", "/v1/pca", json_type, Some("zstd"), zstd_garbage, 400, "invalid_content_encoding", "zstd"),
        e("zstd frame with a 2^27 window", "/v1/pca", json_type, Some("zstd"), zstd_wide_window(&json), 400, "invalid_content_encoding", "window"),
        e("gzip bomb", "/v1/pca", json_type, Some("gzip"), gzip(&zeros), 413, "payload_too_large", "once decoded"),
        e("deflate bomb", "/v1/inspect", csv_type, Some("deflate"), zlib(&zeros), 413, "payload_too_large", "once decoded"),
        e("br bomb", "/v1/scaling/skills", json_type, Some("br"), brotli(&zeros), 413, "payload_too_large", "once decoded"),
        e("zstd bomb that declares its size", "/v1/pca", json_type, Some("zstd"), zstd::bulk::compress(&zeros, 3).unwrap(), 413, "payload_too_large", "once decoded"),
        e("an unknown encoding", "/v1/pca", json_type, Some("compress"), json.clone(), 415, "unsupported_media_type", "compress"),
        e("two encodings", "/v1/pca", json_type, Some("gzip, br"), json.clone(), 415, "unsupported_media_type", "more than one"),
        e("a form of 17 parts", "/v1/pca/transform", form_type.leak(), None, form_seventeen, 400, "invalid_multipart", "more than 16 parts"),
        e("a scores part typed application/json", "/v1/pca/transform", form_json_type.leak(), None, form_json_scores, 415, "unsupported_media_type", "application/json"),
    ];
    rows
}

#[tokio::test]
async fn every_bad_encoding_or_form_gets_its_coded_problem() {
    let app = spawn_app_with(|c| c.max_body_bytes = 100_000).await;
    for case in edge_cases() {
        let mut request = app
            .client
            .post(format!("{}{}", app.base, case.path))
            .header("content-type", case.content_type)
            .body(case.body);
        if let Some(encoding) = case.content_encoding {
            request = request.header("content-encoding", encoding);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let body: Value = response.json().await.expect("a JSON body");
        assert_eq!(status, case.status, "{}: {body}", case.name);
        assert_problem(case.name, status, &content_type, &body, case.code);
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.contains(case.detail),
            "{}: detail {detail:?} lacks {:?}",
            case.name,
            case.detail
        );
    }
}

/// What the edge accepts beside the rows above: every member of a
/// multi-member gzip (RFC 1952), x-gzip, each encoding of JSON and CSV, and
/// a form's `scores` part typed `text/plain` (what form clients write for a
/// file of unknown type), read as CSV.
#[tokio::test]
async fn valid_encodings_and_forms_are_read_whole() {
    let app = spawn_app().await;
    let send = |path: &str, content_type: &str, encoding: Option<&str>, body: Vec<u8>| {
        let mut request = app
            .client
            .post(format!("{}{path}", app.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(encoding) = encoding {
            request = request.header("content-encoding", encoding);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let json = with(|_| {});
    let (status, plain) = send("/v1/pca", "application/json", None, json.clone()).await;
    assert_eq!(status, 200, "{plain}");
    let split = json.len() / 2;
    let mut members = gzip(&json[..split]);
    members.extend(gzip(&json[split..]));
    let mut frames = zstd::encode_all(&json[..split], 3).unwrap();
    frames.extend(zstd::encode_all(&json[split..], 3).unwrap());
    for (encoding, body) in [
        ("gzip", members.clone()),
        ("x-gzip", members),
        ("deflate", zlib(&json)),
        ("br", brotli(&json)),
        ("zstd", frames),
        ("identity", json.clone()),
    ] {
        let (status, answer) = send("/v1/pca", "application/json", Some(encoding), body).await;
        assert_eq!((status, &answer), (200, &plain), "{encoding}");
    }
    let csv = b"Model,MMLU,ARC\na,0.3,0.4\nb,0.5,0.45\nc,0.7,0.6\n";
    let (_, from_csv) = send("/v1/pca", "text/csv", None, csv.to_vec()).await;
    let mut csv_members = gzip(&csv[..20]);
    csv_members.extend(gzip(&csv[20..]));
    let (status, answer) = send("/v1/pca", "text/csv", Some("gzip"), csv_members).await;
    assert_eq!((status, answer), (200, from_csv));
    let (form_type, form) = basis_form("text/csv", 0);
    let (status, as_csv) = send("/v1/pca/transform", &form_type, None, form).await;
    assert_eq!(status, 200, "{as_csv}");
    let (form_type, form) = basis_form("text/plain", 0);
    let (status, as_plain) = send("/v1/pca/transform", &form_type, None, form).await;
    assert_eq!((status, as_plain), (200, as_csv));
}
