//! Which files at `HEAD` count as source code.
//!
//! The reference tool keeps only the files GitHub Linguist assigns a language to in its
//! language statistics: programming and markup languages, not vendored, not
//! documentation, not generated. This is our own, path-only rendering of those rules
//! (Linguist also peeks into file contents for a few generated-file checks; we do not read
//! blobs here): a file counts if its extension or name is a known programming or markup
//! language and no vendor, documentation or generated pattern matches its path.

/// Why a file does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excluded {
    /// Not a programming or markup language (data, prose, binaries, unknown).
    NotSource,
    /// Third-party code copied into the repository.
    Vendored,
    Documentation,
    Generated,
}

impl Excluded {
    pub fn as_str(self) -> &'static str {
        match self {
            Excluded::NotSource => "not source",
            Excluded::Vendored => "vendored",
            Excluded::Documentation => "documentation",
            Excluded::Generated => "generated",
        }
    }
}

/// Extensions of programming and markup languages (lower case, without the dot).
const SOURCE_EXTENSIONS: &[&str] = &[
    // C family and systems
    "c",
    "h",
    "cc",
    "cp",
    "cpp",
    "cxx",
    "c++",
    "hh",
    "hpp",
    "hxx",
    "h++",
    "inl",
    "ipp",
    "tcc",
    "m",
    "mm",
    "cs",
    "csx",
    "java",
    "kt",
    "kts",
    "scala",
    "sc",
    "groovy",
    "gradle",
    "go",
    "rs",
    "swift",
    "d",
    "zig",
    "nim",
    "v",
    "cr",
    "ada",
    "adb",
    "ads",
    "f",
    "for",
    "f77",
    "f90",
    "f95",
    "f03",
    "f08",
    "pas",
    "pp",
    "dpr",
    "asm",
    "s",
    "nasm",
    "cu",
    "cuh",
    "cl",
    "metal",
    "vala",
    "vhd",
    "vhdl",
    "sv",
    "svh",
    // scripting
    "py",
    "pyw",
    "pyx",
    "pxd",
    "pxi",
    "pyi",
    "rb",
    "rake",
    "gemspec",
    "ru",
    "php",
    "phtml",
    "pl",
    "pm",
    "t",
    "pod6",
    "raku",
    "lua",
    "tcl",
    "sh",
    "bash",
    "zsh",
    "ksh",
    "fish",
    "ps1",
    "psm1",
    "psd1",
    "bat",
    "cmd",
    "awk",
    "sed",
    "vim",
    "el",
    "r",
    "jl",
    "ipynb",
    "applescript",
    // web
    "js",
    "mjs",
    "cjs",
    "jsx",
    "ts",
    "mts",
    "cts",
    "tsx",
    "coffee",
    "litcoffee",
    "ls",
    "vue",
    "svelte",
    "astro",
    "elm",
    "dart",
    "hx",
    "html",
    "htm",
    "xhtml",
    "shtml",
    "css",
    "scss",
    "sass",
    "less",
    "styl",
    "stylus",
    "haml",
    "slim",
    "pug",
    "jade",
    "hbs",
    "handlebars",
    "mustache",
    "ejs",
    "erb",
    "jinja",
    "jinja2",
    "j2",
    "twig",
    "liquid",
    "njk",
    "razor",
    "cshtml",
    "jsp",
    "asp",
    "aspx",
    "tex",
    "sty",
    "cls",
    "bib",
    // functional and others
    "hs",
    "lhs",
    "ml",
    "mli",
    "mll",
    "mly",
    "re",
    "rei",
    "fs",
    "fsi",
    "fsx",
    "ex",
    "exs",
    "eex",
    "heex",
    "erl",
    "hrl",
    "clj",
    "cljs",
    "cljc",
    "lisp",
    "lsp",
    "cl",
    "scm",
    "ss",
    "rkt",
    "purs",
    "idr",
    "agda",
    "lean",
    "coq",
    "sml",
    "sig",
    "elv",
    "gleam",
    "odin",
    "sol",
    "move",
    "vb",
    "vbs",
    "bas",
    "frm",
    "abap",
    "cob",
    "cbl",
    "rpg",
    "sas",
    "mat",
    "sql",
    "pls",
    "plsql",
    "pck",
    "prc",
    "tf",
    "hcl",
    "nix",
    "dhall",
    "cmake",
    "mk",
    "mak",
    "am",
    "m4",
    "qml",
    "proto",
    "thrift",
    "graphql",
    "gql",
    "pyt",
    "smali",
    "wat",
    "glsl",
    "hlsl",
    "frag",
    "vert",
];

/// Whole file names that are source without an extension (or despite one).
const SOURCE_NAMES: &[&str] = &[
    "makefile",
    "gnumakefile",
    "dockerfile",
    "containerfile",
    "cmakelists.txt",
    "rakefile",
    "gemfile",
    "podfile",
    "vagrantfile",
    "jenkinsfile",
    "justfile",
    "build",
    "workspace",
    "sconstruct",
    "sconscript",
    "meson.build",
    "snakefile",
    "guardfile",
    "capfile",
    "brewfile",
    "fastfile",
    "appfile",
    "berksfile",
    "thorfile",
    "pkgbuild",
];

/// Directories, at any depth, whose contents are third-party code or tool output.
const VENDOR_DIRS: &[&str] = &[
    "cache",
    "dist",
    "node_modules",
    "bower_components",
    "vendor",
    "vendors",
    "extern",
    "external",
    "externals",
    "third_party",
    "thirdparty",
    "third-party",
    "3rdparty",
    "3rd_party",
    "3rd-party",
    "carthage",
    "pods",
    "godeps",
    "mathjax",
    "ace-builds",
    "env",
    "admin_media",
    ".vscode",
    "bourbon",
    "sparkle",
    "flow-typed",
    "_esy",
];
/// Directories that are vendored only at the top level.
const VENDOR_ROOT_DIRS: &[&str] = &["deps", "debian", "dependencies"];
/// Tooling files that are vendored wherever they are.
const VENDOR_FILES: &[&str] = &[
    "configure",
    "config.guess",
    "config.sub",
    "aclocal.m4",
    "libtool.m4",
    "ltoptions.m4",
    "ltsugar.m4",
    "ltversion.m4",
    "lt~obsolete.m4",
    "cpplint.py",
    "fabfile.py",
    "waf",
    "gradlew",
    "gradlew.bat",
    "mvnw",
    "mvnw.cmd",
    ".gitattributes",
    ".gitignore",
    ".gitmodules",
    ".indent.pro",
    "erlang.mk",
    "run.n",
    "dotnet-install.sh",
    "dotnet-install.ps1",
];

/// Well-known libraries bundled as single files, by (case-sensitive) name.
fn is_bundled_library(name: &str) -> bool {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let js = ext == "js";
    let style = matches!(ext, "css" | "less" | "scss" | "styl" | "sass");
    let no_dot = |rest: &str| !rest.contains('.');
    let version_like = |rest: &str| rest.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-');
    (js && (stem.starts_with("jquery")
        || stem.strip_prefix("angular").is_some_and(no_dot)
        || stem.strip_prefix("d3").is_some_and(|r| no_dot(r) || r.starts_with(".v"))
        || stem == "react"
        || stem.starts_with("react-") && no_dot(stem)
        || stem.starts_with("prototype")
        || matches!(stem, "effects" | "controls" | "dragdrop" | "dojo" | "MochiKit" | "ckeditor" | "Chart" | "shCore" | "shLegacy")
        || matches!(stem, "bootbox" | "pdf.worker" | "fuelux" | "html5shiv" | "respond.min")
        || stem.starts_with("yahoo-")
        || stem.starts_with("yui")
        || stem.starts_with("tiny_mce")
        || stem.starts_with("shBrush")
        || stem.starts_with("mootools")
        || stem.strip_prefix("modernizr-").is_some_and(version_like)
        || stem.starts_with("modernizr.custom.")
        || stem.strip_prefix("knockout-").is_some_and(|r| version_like(r.trim_end_matches(".debug")))
        || stem.ends_with("-vsdoc")
        || stem.ends_with(".intellisense")))
        || ((js || style) && stem.starts_with("bootstrap"))
        || (style
            && (matches!(stem, "font-awesome" | "fontawesome" | "foundation" | "normalize" | "skeleton" | "animate" | "bulma")
                || stem.starts_with("fontello")))
        || name.ends_with(".d.ts")
        || [".min.js", ".min.css", "-min.js", "-min.css"].iter().any(|s| name.ends_with(s))
}

/// Top-level directories holding documentation, examples and samples.
const DOC_ROOT_DIRS: &[&str] = &["doc", "docs", "man", "examples", "demo", "demos", "sample", "samples"];
/// Directories at any depth holding documentation.
const DOC_DIRS: &[&str] = &["documentation", "groovydoc", "javadoc"];

/// Documentation files by name stem (before the first dot), as Linguist spells them:
/// some only in capitals (`INSTALL` is documentation, `install.py` is not).
fn is_doc_file(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    matches!(stem, "CHANGE" | "CHANGES" | "CHANGELOG" | "CONTRIBUTING" | "COPYING" | "INSTALL" | "CITATION" | "CITATIONS")
        || matches!(stem.to_ascii_lowercase().as_str(), "license" | "licence" | "readme")
}

/// Classifies a repository-relative path (with `/` separators).
pub fn classify(path: &str) -> Result<(), Excluded> {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let name = parts.pop().unwrap_or_default();
    let dirs = parts;

    let original_name = path.rsplit('/').next().unwrap_or(path);
    let vendored = dirs.iter().any(|d| VENDOR_DIRS.contains(d))
        || dirs.first().is_some_and(|d| VENDOR_ROOT_DIRS.contains(d))
        || dirs.windows(2).any(|w| matches!(w, ["gradle", "wrapper"] | [".mvn", "wrapper"] | [".yarn", "releases"]))
        || matches!(dirs.as_slice(), ["doc" | "docs", d, ..] if ["build", "_build", "theme", "themes", "_themes", "template", "templates", "_templates", "static", "_static"].contains(d))
        || VENDOR_FILES.contains(&name)
        || is_bundled_library(original_name);
    if vendored {
        return Err(Excluded::Vendored);
    }
    let doc_root = dirs.first().is_some_and(|d| DOC_ROOT_DIRS.contains(d));
    let doc_dir = dirs.iter().any(|d| DOC_DIRS.contains(d)) || dirs.windows(2).any(|w| w == ["inst", "doc"]);
    if doc_root || doc_dir || is_doc_file(original_name) {
        return Err(Excluded::Documentation);
    }
    if is_generated(name) {
        return Err(Excluded::Generated);
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e);
    let source = SOURCE_NAMES.contains(&name) || ext.is_some_and(|e| SOURCE_EXTENSIONS.contains(&e));
    if source {
        Ok(())
    } else {
        Err(Excluded::NotSource)
    }
}

fn is_generated(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        ".pb.go",
        ".pb.cc",
        ".pb.h",
        ".pb.c",
        "_pb2.py",
        "_pb2_grpc.py",
        ".pb.swift",
        "_pb.js",
        "_pb.d.ts",
        ".designer.cs",
        ".designer.vb",
        ".g.dart",
        ".freezed.dart",
        ".g.cs",
        ".generated.cs",
        ".generated.ts",
        ".generated.js",
        ".js.map",
        ".css.map",
        ".bundle.js",
        ".chunk.js",
        "_generated.go",
        ".gen.go",
        "_string.go",
        ".xcodeproj",
    ];
    SUFFIXES.iter().any(|s| name.ends_with(s)) || name.starts_with("zz_generated")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_files_count() {
        for p in [
            "setup/install.py",
            "src/Angular.js",
            "packages/react/index.js",
            "lib/debian/x.py",
            "src/main.rs",
            "lib/app.py",
            "Makefile",
            "web/index.html",
            "web/site.scss",
            "cmd/tool/main.go",
            "notebook.ipynb",
        ] {
            assert_eq!(classify(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn vendored_documentation_generated_and_data_do_not() {
        let cases = [
            ("vendor/lib/x.go", Excluded::Vendored),
            ("web/node_modules/a/index.js", Excluded::Vendored),
            ("static/jquery-3.7.1.js", Excluded::Vendored),
            ("js/angular-route.js", Excluded::Vendored),
            ("third_party/zlib/inflate.c", Excluded::Vendored),
            ("docs/conf.py", Excluded::Documentation),
            ("README.md", Excluded::Documentation),
            ("pkg/LICENSE", Excluded::Documentation),
            ("src/Documentation/build.py", Excluded::Documentation),
            ("examples/hello.rs", Excluded::Documentation),
            ("CHANGELOG.md", Excluded::Documentation),
            ("static/app.min.js", Excluded::Vendored),
            ("types/index.d.ts", Excluded::Vendored),
            ("lib/bootstrap.css", Excluded::Vendored),
            ("gradle/wrapper/gradle-wrapper.jar", Excluded::Vendored),
            ("debian/rules", Excluded::Vendored),
            ("api/service.pb.go", Excluded::Generated),
            ("package.json", Excluded::NotSource),
            ("config.yaml", Excluded::NotSource),
            ("notes.txt", Excluded::NotSource),
            ("logo.png", Excluded::NotSource),
        ];
        for (p, why) in cases {
            assert_eq!(classify(p), Err(why), "{p}");
        }
    }

    #[test]
    fn a_docs_directory_below_the_root_is_still_source() {
        // Linguist treats only a top-level docs/ as documentation.
        assert_eq!(classify("src/docs/render.py"), Ok(()));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_path_is_classified_without_panicking(path in "\\PC{0,80}") {
            let _ = classify(&path);
        }

        #[test]
        fn anything_under_node_modules_is_vendored(dir in "[a-z/]{0,20}", name in "[a-z]{1,8}\\.(js|rs|py)") {
            prop_assert_eq!(classify(&format!("{dir}/node_modules/{name}")), Err(Excluded::Vendored));
        }
    }
}
