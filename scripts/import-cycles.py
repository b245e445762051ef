#!/usr/bin/env python3
"""Lists the import cycles between the modules of a Rust crate, and exits 1 when there is one.

    python3 scripts/import-cycles.py [SRC_DIR] [--only PREFIX]... [--depth N] [--no-tests] [--edges]
    python3 scripts/import-cycles.py --self-test

A module is a file (`a/b.rs` or `a/b/mod.rs` is `crate::a::b`; inline modules such as
`mod tests { .. }` count as part of their file). Module A depends on module B when a `use`
line of A, or a path written out in A's code (`crate::x::f()`, `super::X`, `self::y::Z`, or
a path through a module that A imported), names an item of B. Paths are resolved the way the
compiler resolves them: `crate::`, `super::`, `self::`, child modules and imported names;
a name that a module re-exports (`pub use child::Item`) is followed to the module that
defines it, so going through a facade `mod.rs` is no dependency on the facade itself, but a
facade that defines items its children use, while re-exporting theirs, is a cycle with them.
Paths of other crates are ignored. `mod x;` declarations are no dependency.

Each cycle is printed as its strongly connected set of modules, one shortest round trip
through it, and the lines that make each of its dependencies. `--only PREFIX` reports only
the cycles with a module whose path starts with PREFIX (`crate::api`, or the file path
`src/api`); `--depth N` counts every module as its ancestor N levels below the crate
(`--depth 1`: the rooms `crate::api`, `crate::analysis`, ..., so that an arrow from one
room to another and back is a cycle); `--no-tests` leaves out the code of `#[cfg(test)]`
modules; `--edges` prints every dependency found instead; `--self-test` checks the script on
small crates with known cycles. Exit status: 0 no cycle, 1 a cycle, 2 bad usage.
Standard library only.
"""
import argparse
import collections
import pathlib
import re
import sys

KEYWORD_ITEMS = {"fn", "struct", "enum", "trait", "type", "const", "static", "union", "mod"}
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# ---- lexing: comments and literals out, tokens with their line numbers ----

def tokens(text):
    """(token, line) pairs: identifiers, `::`, punctuation; literals become `LIT`."""
    out = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    line += text[i] == "\n"
                    i += 1
        elif re.match(r'(b?r#*")', text[i:i + 260]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'(b?r)(#*)"', text[i:])
            end = '"' + m.group(2)
            j = text.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            line += text.count("\n", i, j)
            out.append(("LIT", line))
            i = j
        elif c == '"' or (c == "b" and text.startswith('b"', i)):
            j = i + (2 if c == "b" else 1)
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            line += text.count("\n", i, j)
            out.append(("LIT", line))
            i = j + 1
        elif c == "'" or (c == "b" and text.startswith("b'", i)):
            j = i + (2 if c == "b" else 1)
            # A char literal ('x', '\n', '\u{..}') closes; a lifetime ('a) does not.
            m = re.match(r"(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[j:j + 12])
            if m:
                out.append(("LIT", line))
                i = j + len(m.group(0))
            else:
                m = IDENT.match(text, j)
                i = m.end() if m else j
        elif c.isalpha() or c == "_":
            m = IDENT.match(text, i)
            out.append((m.group(0), line))
            i = m.end()
        elif c.isdigit():
            m = re.match(r"[0-9][0-9A-Za-z_.]*", text[i:])
            out.append(("LIT", line))
            i += len(m.group(0))
        elif text.startswith("::", i):
            out.append(("::", line))
            i += 2
        else:
            out.append((c, line))
            i += 1
    return out


# ---- the module tree ----

class Module:
    def __init__(self, path, file, is_test=False):
        self.path = path  # tuple of names below the crate root
        self.file = file  # the file that holds it
        self.is_test = is_test
        self.children = {}  # name -> Module
        self.items = set()
        self.reexports = {}  # name -> absolute path (tuple)
        self.globs = []  # absolute module paths of `pub use x::*`
        self.aliases = {}  # name -> absolute path, from every `use` in the module
        self.uses = []  # (absolute path, line, is_test, glob)
        self.paths = []  # (raw segments, line, is_test): paths written in code

    def file_module(self):
        return self if self.path == () or self.file != self.parent.file else self.parent.file_module()


def file_of(root_dir, path):
    """The file of module `path` (a tuple), or None."""
    base = root_dir.joinpath(*path)
    for candidate in (base.with_suffix(".rs"), base / "mod.rs"):
        if candidate.is_file():
            return candidate
    return None


def parse_use_tree(toks, i, prefix):
    """Parses a use tree from toks[i]; returns (leaves, next index). A leaf is
    (segments, alias, is_glob)."""
    leaves, segs = [], list(prefix)
    while i < len(toks):
        t = toks[i][0]
        if t == "{":
            i += 1
            while toks[i][0] != "}":
                sub, i = parse_use_tree(toks, i, segs)
                leaves += sub
                if toks[i][0] == ",":
                    i += 1
            return leaves, i + 1
        if t == "*":
            return [(segs, None, True)], i + 1
        if IDENT.fullmatch(t) or t == "$":
            if t == "$":  # $crate inside a macro
                i += 1
                t = "$" + toks[i][0]
            segs = segs + [t]
            i += 1
            if i < len(toks) and toks[i][0] == "::":
                i += 1
                continue
            alias = None
            if i < len(toks) and toks[i][0] == "as":
                alias = toks[i + 1][0]
                i += 2
            if segs[-1] == "self":
                segs = segs[:-1]
                alias = alias or (segs[-1] if segs else None)
            return [(segs, alias or segs[-1], False)], i
        if t == "::":  # a leading `::crate_name`
            i += 1
            continue
        return [(segs, None, False)], i
    return [], i


def parse_file(module, toks, modules, root_dir):
    """Fills `module` (a file module) and its inline modules from the file's tokens."""
    # Scopes: (module, brace depth of its body).
    stack = [(module, 0)]
    depth = 0
    i = 0
    cfg_test = False
    pending_vis = False
    while i < len(toks):
        t, line = toks[i]
        current, body_depth = stack[-1]
        at_item_level = depth == body_depth
        if t == "#" and i + 1 < len(toks) and toks[i + 1][0] in ("[", "!"):
            # An attribute: note #[cfg(test)], skip the rest.
            j = i + (2 if toks[i + 1][0] == "[" else 3)
            level, k = 1, j
            while k < len(toks) and level:
                level += {"[": 1, "]": -1}.get(toks[k][0], 0)
                k += 1
            words = [x[0] for x in toks[j:k - 1]]
            if words[:3] == ["cfg", "(", "test"]:
                cfg_test = True
            i = k
            continue
        if t == "pub":
            pending_vis = True
            i += 1
            if i < len(toks) and toks[i][0] == "(":
                while toks[i][0] != ")":
                    i += 1
                i += 1
            continue
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if len(stack) > 1 and depth < stack[-1][1]:
                stack.pop()
        elif t == ";":
            cfg_test = False
        elif t == "use":
            leaves, j = parse_use_tree(toks, i + 1, [])
            for segs, alias, glob in leaves:
                entry = (tuple(segs), line, current.is_test or cfg_test, glob)
                current.uses.append(entry)
                if glob:
                    if pending_vis and at_item_level:
                        current.globs.append(tuple(segs))
                elif alias and alias != "_":
                    current.aliases[alias] = tuple(segs)
                    if pending_vis and at_item_level:
                        current.reexports[alias] = tuple(segs)
            pending_vis = False
            cfg_test = False
            i = j
            continue
        elif t == "macro_rules" and i + 2 < len(toks) and toks[i + 1][0] == "!":
            if at_item_level:
                current.items.add(toks[i + 2][0])
        elif t in KEYWORD_ITEMS and i + 1 < len(toks) and IDENT.fullmatch(toks[i + 1][0]):
            name = toks[i + 1][0]
            if t == "mod" and at_item_level:
                nxt = toks[i + 2][0] if i + 2 < len(toks) else ";"
                child_path = current.path + (name,)
                if nxt == "{":
                    child = Module(child_path, current.file, current.is_test or cfg_test)
                    child.parent = current
                    current.children[name] = child
                    modules[child_path] = child
                    stack.append((child, depth + 1))
                    depth += 1
                    cfg_test = False
                    pending_vis = False
                    i += 3
                    continue
                file = file_of(root_dir, child_path)
                if file is not None:
                    child = Module(child_path, file, current.is_test or cfg_test)
                    child.parent = current
                    current.children[name] = child
                    modules[child_path] = child
                    parse_file(child, tokens(file.read_text()), modules, root_dir)
            elif at_item_level and t != "mod":
                current.items.add(name)
            pending_vis = False
            cfg_test = cfg_test and t == "mod"
        elif IDENT.fullmatch(t) and (i == 0 or toks[i - 1][0] != "::"):
            # A path written in code: IDENT :: IDENT ...
            segs, k = [t], i + 1
            while k + 1 < len(toks) and toks[k][0] == "::" and IDENT.fullmatch(toks[k + 1][0]):
                segs.append(toks[k + 1][0])
                k += 2
            if len(segs) > 1:
                current.paths.append((tuple(segs), line, current.is_test or cfg_test))
                i = k
                continue
        if t not in ("pub",):
            pending_vis = pending_vis and t in ("async", "unsafe", "extern", "const")
        i += 1


# ---- resolution ----

def absolute(module, segs, modules):
    """The path from the crate root that `segs`, written in `module`, names; None if it
    names another crate (or something unknown)."""
    if not segs:
        return None
    head = segs[0]
    if head in ("crate", "$crate"):
        return tuple(segs[1:])
    if head == "self":
        return module.path + tuple(segs[1:])
    if head == "super":
        base = module.path
        k = 0
        while k < len(segs) and segs[k] == "super":
            base = base[:-1]
            k += 1
        return base + tuple(segs[k:])
    if head in module.children:
        return module.path + tuple(segs)
    if head in module.aliases and module.aliases[head] != tuple(segs[:1]):
        target = absolute(module, list(module.aliases[head]), modules)
        return None if target is None else target + tuple(segs[1:])
    return None


def resolve(path, modules, seen=None):
    """The module that defines what `path` (from the crate root) names."""
    seen = seen or set()
    if path in seen:
        return modules.get(path[:-1], modules[()])
    seen.add(path)
    m = modules[()]
    i = 0
    while i < len(path) and path[i] in m.children:
        m = m.children[path[i]]
        i += 1
    if i == len(path):
        return m
    name = path[i]
    if name in m.items:
        return m
    if name in m.reexports:
        target = absolute(m, list(m.reexports[name]), modules)
        if target is not None:
            return resolve(target + path[i + 1:], modules, seen)
        return m
    for glob in m.globs:
        target = absolute(m, list(glob), modules)
        if target is not None:
            g = resolve(target, modules, seen)
            if name in g.items or name in g.reexports or name in g.children:
                return resolve(g.path + path[i:], modules, seen)
    return m


def dependencies(modules, with_tests):
    """{(from file module, to file module): [(file, line, is_test)]}."""
    edges = collections.defaultdict(list)
    for m in modules.values():
        src = m.file_module()
        refs = [(p, line, test) for p, line, test, _ in m.uses]
        refs += [(p, line, test) for p, line, test in m.paths]
        for segs, line, test in refs:
            if test and not with_tests:
                continue
            path = absolute(m, list(segs), modules)
            if path is None:
                continue
            dst = resolve(path, modules).file_module()
            if dst is not src:
                edges[(src.path, dst.path)].append((m.file, line, test))
    return edges


def strongly_connected(nodes, succ):
    """Tarjan's algorithm, iteratively."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(succ.get(root, ())))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(succ.get(w, ()))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
    return out


def shortest_cycle(comp, succ):
    """One shortest round trip through the first module of `comp`, within it."""
    members = set(comp)
    start = min(comp)
    prev = {start: None}
    queue = collections.deque([start])
    while queue:
        v = queue.popleft()
        for w in sorted(succ.get(v, ())):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return [start]


SELF_TEST = {
    # (files, cycles expected with tests, without tests)
    "a use in each direction": (
        {"lib.rs": "mod a; mod b;", "a.rs": "use crate::b::X; pub struct Y;",
         "b.rs": "use super::a::Y; pub struct X;"},
        [["a", "b"]], [["a", "b"]]),
    "a facade whose children use what it defines": (
        {"lib.rs": "pub mod f;", "f/mod.rs": "mod g; pub use g::G; pub struct F;",
         "f/g.rs": "use super::F; pub struct G;"},
        [["f", "f::g"]], [["f", "f::g"]]),
    "a pure facade, siblings through its re-export": (
        {"lib.rs": "pub mod h;", "h/mod.rs": "mod i; mod j; pub use i::I; pub use j::J;",
         "h/i.rs": "pub struct I;", "h/j.rs": "use super::I; pub struct J(I);"},
        [], []),
    "a path written in code, and a test module's import": (
        {"lib.rs": "mod k; mod l; mod m;",
         "k.rs": "pub fn k() { crate::l::l() }",
         "l.rs": "pub fn l() {} #[cfg(test)] mod tests { use crate::m::M; }",
         "m.rs": "pub struct M; fn f() { super::k::k() }"},
        [["k", "l", "m"]], []),
    "comments, strings and lifetimes": (
        {"lib.rs": "mod n; mod o;",
         "n.rs": "// use crate::o::O;\n/* crate::o::O */ pub struct N<'a>(&'a str);\n"
                 "const S: &str = \"crate::o::O\"; const C: char = '\\'';",
         "o.rs": "use crate::n::N;"},
        [], []),
}


def self_test():
    import tempfile

    failed = 0
    for case, (files, with_tests, without_tests) in SELF_TEST.items():
        with tempfile.TemporaryDirectory() as tmp:
            src = pathlib.Path(tmp)
            for path, text in files.items():
                (src / path).parent.mkdir(parents=True, exist_ok=True)
                (src / path).write_text(text)
            for tests, want in ((True, with_tests), (False, without_tests)):
                root = Module((), src / "lib.rs")
                root.parent = None
                modules = {(): root}
                parse_file(root, tokens((src / "lib.rs").read_text()), modules, src)
                succ = collections.defaultdict(set)
                for a, b in dependencies(modules, tests):
                    succ[a].add(b)
                nodes = sorted({m.file_module().path for m in modules.values()})
                got = sorted(
                    sorted("::".join(p) for p in c)
                    for c in strongly_connected(nodes, succ)
                    if len(c) > 1
                )
                if got != sorted(want):
                    failed += 1
                    print(f"FAILED {case} (tests {tests}): {got}, expected {want}")
    print(f"self-test: {len(SELF_TEST) * 2 - failed} of {len(SELF_TEST) * 2} checks passed")
    return 1 if failed else 0


def name(path):
    return "::".join(("crate",) + path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", nargs="?", default=None, help="the crate's src directory")
    parser.add_argument("--only", action="append", default=[], help="report cycles touching this prefix")
    parser.add_argument("--depth", type=int, default=None, help="collapse modules to N levels")
    parser.add_argument("--no-tests", action="store_true", help="ignore #[cfg(test)] modules")
    parser.add_argument("--edges", action="store_true", help="print every dependency")
    parser.add_argument("--self-test", action="store_true", help="check the script itself")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    src = pathlib.Path(args.src) if args.src else pathlib.Path(__file__).resolve().parent.parent / "src"
    root_file = src / "lib.rs" if (src / "lib.rs").is_file() else src / "main.rs"
    if not root_file.is_file():
        print(f"no lib.rs or main.rs in {src}", file=sys.stderr)
        return 2
    root = Module((), root_file)
    root.parent = None
    modules = {(): root}
    parse_file(root, tokens(root_file.read_text()), modules, src)

    edges = dependencies(modules, not args.no_tests)
    if args.depth is not None:
        if args.depth < 1:
            print("--depth must be at least 1", file=sys.stderr)
            return 2
        collapsed = collections.defaultdict(list)
        for (a, b), refs in edges.items():
            a, b = a[: args.depth], b[: args.depth]
            if a != b:
                collapsed[(a, b)] += refs
        edges = collapsed
    succ = collections.defaultdict(set)
    for a, b in edges:
        succ[a].add(b)
    files = {m.file_module().path: m.file_module().file for m in modules.values()}
    if args.depth is not None:
        files = {p[: args.depth]: modules[p[: args.depth]].file for p in files}

    def rel(f):
        return str(f.relative_to(src.parent)) if src.parent in f.parents else str(f)

    def where(path):
        return rel(files[path])

    def wanted(comp):
        if not args.only:
            return True
        return any(
            name(p).startswith(pre) or where(p).startswith(pre) for p in comp for pre in args.only
        )

    def evidence(refs):
        """`file:line, line, ...` per file, in order of first appearance."""
        by_file = {}
        for file, line, test in refs:
            by_file.setdefault(file, []).append(f"{line}{' (test)' if test else ''}")
        return "; ".join(f"{rel(f)}:{', '.join(lines)}" for f, lines in by_file.items())

    if args.edges:
        for (a, b), refs in sorted(edges.items()):
            print(f"{name(a)} -> {name(b)}  [{evidence(refs)}]")
        return 0

    cycles = [sorted(c) for c in strongly_connected(sorted(files), succ) if len(c) > 1]
    cycles = [c for c in cycles if wanted(c)]
    for comp in sorted(cycles):
        members = set(comp)
        trip = shortest_cycle(comp, succ)
        print(f"cycle of {len(comp)} modules: " + " -> ".join(name(p) for p in trip))
        for (a, b), refs in sorted(edges.items()):
            if a in members and b in members:
                print(f"    {name(a)} -> {name(b)}  ({evidence(refs)})")
    scope = f" touching {', '.join(args.only)}" if args.only else ""
    print(f"{len(cycles)} import cycle(s){scope} among {len(files)} modules of {src}")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
