//! A Linux host's accounts: `/etc/passwd`, `/etc/group`, `/etc/shadow` (lock and expiry
//! only — password hashes are never kept), sudoers (with `sudoers.d`) and each user's
//! `~/.ssh/authorized_keys`, read below a root directory or over SSH (one connection, the
//! files framed by length; [`read_ssh`]).
//!
//! What counts as what:
//! - an **account** is a passwd line, named by its login. `root` (uid 0) is `shared` and
//!   holds an admin grant `uid 0`; other uids below 1000, and logins whose shell is
//!   `nologin`/`false`, are `service`. Locked (`!` in shadow) or expired → disabled.
//! - a **group** is a `group` line (split groups — one name on several lines — are merged),
//!   a `group` account named `group:NAME` with a `member of NAME` grant, admin for
//!   `sudo`, `wheel`, `admin`, `root` (gid 0) and the rest of the directory rule set.
//!   Members: the group's member list and each user's primary gid.
//! - **sudo**: each rule gives its users (aliases expanded; `%group` to the group) a grant
//!   `sudo: COMMANDS` — admin when the commands include `ALL` or a shell, write otherwise.
//! - **SSH keys**: each authorized key is a grant `ssh key SHA256:… COMMENT` on its user
//!   (level read: a way in, not a privilege), so plans can revoke it by name.
//! - a **grant** in the summary is a direct account→entitlement edge.

use crate::directory::group_level;
use crate::reconcile::{Hints, Imported};
use base64::Engine;
use handover_core::{Account, AccountKind, AccountStatus, Grant, Level};
use jiff::civil::Date;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// The files of one host, by path relative to its root (`etc/passwd`, …).
#[derive(Debug, Clone, Default)]
pub struct HostFiles {
    pub passwd: String,
    pub group: Option<String>,
    pub shadow: Option<String>,
    /// `etc/sudoers` then `etc/sudoers.d/*`, each with its name.
    pub sudoers: Vec<(String, String)>,
    /// `(login, file name, content)` of each authorized_keys file found.
    pub authorized_keys: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinuxError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LinuxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for LinuxError {}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

struct User {
    name: String,
    uid: u32,
    gid: String,
    shell: String,
    gecos: String,
}

/// Reads a host's files below `root` (a mounted image, a copy, or `/` itself). Only
/// `etc/passwd` is required.
pub fn read_root(root: &std::path::Path) -> std::io::Result<HostFiles> {
    read_with(&|p| std::fs::read_to_string(root.join(p)), &|dir| {
        std::fs::read_dir(root.join(dir)).map(|d| d.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect()).unwrap_or_default()
    })
}

/// Reads a host's files over SSH, with the system's `ssh` client (so the user's keys,
/// agent, `~/.ssh/config` and known hosts apply; `options` are passed as `-o OPTION`).
/// One connection: a POSIX `sh` script on the host prints every file the login may read
/// (see [`SSH_SCRIPT`]); shadow and sudoers need root, and are left out like missing
/// files when the login cannot read them.
pub fn read_ssh(destination: &str, options: &[String]) -> std::io::Result<HostFiles> {
    use std::io::Write;
    let mut ssh = std::process::Command::new("ssh");
    // Never stop to ask for a password or a host key: fail instead.
    ssh.args(["-o", "BatchMode=yes"]);
    if !options.iter().any(|o| o.to_ascii_lowercase().starts_with("connecttimeout")) {
        ssh.args(["-o", "ConnectTimeout=15"]);
    }
    for option in options {
        ssh.arg("-o").arg(option);
    }
    // `--`: a destination cannot be taken for an option.
    ssh.args(["--", destination, "sh -s"]);
    let mut child = ssh
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot run ssh: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A host that closes early is reported by the exit status below.
        let _ = stdin.write_all(SSH_SCRIPT.as_bytes());
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        let said = said.trim();
        return Err(std::io::Error::other(format!(
            "ssh {destination} failed ({}){}",
            out.status,
            if said.is_empty() { String::new() } else { format!(": {said}") }
        )));
    }
    let files = parse_frames(&out.stdout).map_err(|e| {
        // Most often the login's shell printed something of its own (an `echo` in .bashrc).
        let hint = "check that a non-interactive login prints nothing (`ssh HOST true` should print nothing)";
        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{e}; {hint}"))
    })?;
    read_with(
        &|p| {
            files
                .get(p)
                .cloned()
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, format!("{p}: no such file on {destination}")))
        },
        &|dir| {
            let prefix = format!("{dir}/");
            files.keys().filter_map(|k| k.strip_prefix(&prefix)).filter(|name| !name.contains('/')).map(str::to_string).collect()
        },
    )
}

/// Run by `sh -s` on the host: prints each readable file as a line `BYTES PATH` (the path
/// relative to `/`) followed by its bytes.
pub const SSH_SCRIPT: &str = r#"emit() { if [ -f "/$1" ] && [ -r "/$1" ]; then printf '%s %s\n' "$(wc -c < "/$1" | tr -d ' ')" "$1"; cat "/$1"; fi; }
emit etc/passwd
emit etc/group
emit etc/shadow
emit etc/sudoers
for f in /etc/sudoers.d/*; do emit "${f#/}"; done
cut -d: -f6 /etc/passwd | sort -u | while IFS= read -r h; do case "$h" in /*) emit "${h#/}/.ssh/authorized_keys" ;; esac; done
"#;

/// Splits what [`SSH_SCRIPT`] printed into files by path. Text that is not UTF-8 is kept
/// with replacement characters (a GECOS field in Latin-1 should not stop an import).
pub fn parse_frames(out: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    let mut at = 0;
    while at < out.len() {
        let malformed = |what: &str| format!("the host's answer is malformed at byte {at}: {what}");
        let end = out[at..].iter().position(|b| *b == b'\n').ok_or_else(|| malformed("a header without a line end"))? + at;
        let header = std::str::from_utf8(&out[at..end]).map_err(|_| malformed("a header that is not UTF-8"))?;
        let (bytes, path) = header.split_once(' ').ok_or_else(|| malformed("a header without a path"))?;
        let bytes: usize = bytes.parse().map_err(|_| malformed("a header without a length"))?;
        let body = end + 1;
        let Some(next) = body.checked_add(bytes).filter(|n| *n <= out.len()) else {
            return Err(malformed(&format!("{path} is cut short (a file that changed while it was read?)")));
        };
        files.insert(path.to_string(), String::from_utf8_lossy(&out[body..next]).into_owned());
        at = next;
    }
    Ok(files)
}

/// Reads a host's files through `read` (a path relative to the root → its text; an error
/// when it is missing or unreadable) and `list` (the names in a directory). Only
/// `etc/passwd` is required.
fn read_with(read: &dyn Fn(&str) -> std::io::Result<String>, list: &dyn Fn(&str) -> Vec<String>) -> std::io::Result<HostFiles> {
    let optional = |p: &str| read(p).ok();
    let passwd = read("etc/passwd")?;
    let mut sudoers: Vec<(String, String)> = optional("etc/sudoers").map(|t| vec![("etc/sudoers".to_string(), t)]).unwrap_or_default();
    let mut names = list("etc/sudoers.d");
    // As sudo does: skip names with a dot or ending in `~` (editor and package files).
    names.retain(|n| !n.contains('.') && !n.ends_with('~'));
    names.sort();
    for n in names {
        let path = format!("etc/sudoers.d/{n}");
        if let Some(text) = optional(&path) {
            sudoers.push((path, text));
        }
    }
    let mut authorized_keys = Vec::new();
    for line in passwd.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() == 7 && f[5].starts_with('/') {
            let path = format!("{}/.ssh/authorized_keys", f[5].trim_start_matches('/'));
            if let Some(text) = optional(&path) {
                authorized_keys.push((f[0].to_string(), path, text));
            }
        }
    }
    Ok(HostFiles { passwd, group: optional("etc/group"), shadow: optional("etc/shadow"), sudoers, authorized_keys })
}

pub fn parse(system: &str, files: &HostFiles, today: Date) -> Result<Imported, LinuxError> {
    let err = |file: &str, line: usize, message: String| LinuxError { file: file.to_string(), line, message };
    let mut out = Imported::default();
    let mut users: Vec<User> = Vec::new();
    for (n, line) in lines(&files.passwd) {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() != 7 {
            return Err(err("etc/passwd", n, format!("expected 7 fields (name:password:uid:gid:gecos:home:shell), found {}", f.len())));
        }
        let uid = f[2].parse::<u32>().map_err(|_| err("etc/passwd", n, format!("uid {:?} is not a number", f[2])))?;
        if users.iter().any(|u| u.name == f[0]) {
            out.warnings.push(format!("etc/passwd:{n}: a second line for {:?}; the first is kept", f[0]));
            continue;
        }
        users.push(User { name: f[0].to_string(), uid, gid: f[3].to_string(), shell: f[6].to_string(), gecos: f[4].to_string() });
    }
    // Groups, merged across split lines.
    let mut groups: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    for (n, line) in lines(files.group.as_deref().unwrap_or("")) {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() != 4 {
            return Err(err("etc/group", n, format!("expected 4 fields (name:password:gid:members), found {}", f.len())));
        }
        let entry = groups.entry(f[0].to_string()).or_insert_with(|| (f[2].to_string(), BTreeSet::new()));
        entry.1.extend(f[3].split(',').map(str::trim).filter(|m| !m.is_empty()).map(str::to_string));
    }
    // Shadow: lock and expiry only.
    let mut locked: HashMap<String, bool> = HashMap::new();
    for (n, line) in lines(files.shadow.as_deref().unwrap_or("")) {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() < 8 {
            return Err(err("etc/shadow", n, format!("expected 9 fields, found {}", f.len())));
        }
        let epoch = Date::constant(1970, 1, 1);
        let expired = f[7]
            .parse::<i64>()
            .ok()
            .is_some_and(|d| epoch.checked_add(jiff::Span::new().days(d.clamp(0, 3_000_000))).is_ok_and(|e| e <= today));
        locked.insert(f[0].to_string(), f[1].starts_with('!') || expired);
    }

    let group_key = |name: &str| Account::key_of(system, &format!("group:{name}"));
    let gid_to_group: HashMap<&str, &str> = groups.iter().map(|(name, (gid, _))| (gid.as_str(), name.as_str())).collect();
    let mut member_of: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (name, (_, members)) in &groups {
        for m in members {
            member_of.entry(m.clone()).or_default().insert(group_key(name));
        }
    }
    for u in &users {
        let key = Account::key_of(system, &u.name);
        let kind = if u.uid == 0 {
            AccountKind::Shared
        } else if u.uid < 1000 || u.shell.ends_with("nologin") || u.shell.ends_with("/false") {
            AccountKind::Service
        } else {
            AccountKind::Personal
        };
        let mut groups_of = member_of.remove(&u.name).unwrap_or_default();
        if let Some(g) = gid_to_group.get(u.gid.as_str()) {
            groups_of.insert(group_key(g));
        }
        let status = if locked.get(&u.name).copied().unwrap_or(false) { AccountStatus::Disabled } else { AccountStatus::Active };
        if u.uid == 0 {
            out.grants.push(Grant { account: key.clone(), privilege: "uid 0 (superuser)".into(), level: Level::Admin, via: None });
        }
        let display = u.gecos.split(',').next().filter(|g| !g.trim().is_empty()).map(str::to_string);
        out.accounts.push((
            Account {
                system: system.into(),
                name: u.name.clone(),
                person: None,
                kind,
                status,
                mfa: None,
                last_used: None,
                created: None,
                member_of: groups_of.into_iter().collect(),
            },
            Hints { email: None, display_name: display },
        ));
    }
    for (name, (gid, _)) in &groups {
        out.accounts.push((Account::new(system, format!("group:{name}"), AccountKind::Group), Hints::default()));
        out.grants.push(Grant {
            account: group_key(name),
            privilege: format!("member of {name}"),
            level: group_level(name, Some(gid)),
            via: None,
        });
    }

    let known: BTreeSet<String> = out.accounts.iter().map(|(a, _)| Account::key_of(&a.system, &a.name)).collect();
    let mut unknown_sudo = BTreeSet::new();
    for (file, text) in &files.sudoers {
        for rule in sudo_rules(file, text, &mut out.warnings)? {
            for who in rule.users {
                let key = match who.strip_prefix('%') {
                    Some(g) => group_key(g),
                    None => Account::key_of(system, &who),
                };
                if !known.contains(&key) {
                    unknown_sudo.insert(who);
                    continue;
                }
                let privilege = format!("sudo: {}", rule.commands);
                if !out.grants.iter().any(|g| g.account == key && g.privilege == privilege) {
                    out.grants.push(Grant { account: key, privilege, level: rule.level, via: None });
                }
            }
        }
    }
    if !unknown_sudo.is_empty() {
        out.warnings.push(format!(
            "sudo rules name users or groups that are not on the host: {}",
            unknown_sudo.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    for (login, file, text) in &files.authorized_keys {
        let key = Account::key_of(system, login);
        if !known.contains(&key) {
            continue;
        }
        for (n, line) in lines(text) {
            match ssh_key(line) {
                Some((fingerprint, comment)) => {
                    let privilege = format!("ssh key {fingerprint}{}", comment.map(|c| format!(" {c}")).unwrap_or_default());
                    if !out.grants.iter().any(|g| g.account == key && g.privilege == privilege) {
                        out.grants.push(Grant { account: key.clone(), privilege, level: Level::Read, via: None });
                    }
                }
                None => out.warnings.push(format!("{file}:{n}: not an SSH public key; skipped")),
            }
        }
    }
    Ok(out)
}

const KEY_TYPES: [&str; 8] = [
    "ssh-rsa",
    "ssh-dss",
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// `(SHA256:… fingerprint, comment)` of one authorized_keys line, options allowed before
/// the key type (quoted values may contain spaces).
pub fn ssh_key(line: &str) -> Option<(String, Option<String>)> {
    // Tokens, keeping quoted option values together.
    let mut tokens = Vec::new();
    let (mut cur, mut quoted) = (String::new(), false);
    for c in line.trim().chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    let at = tokens.iter().position(|t| KEY_TYPES.contains(&t.as_str()) || t.starts_with("ssh-") || t.starts_with("ecdsa-"))?;
    let blob = base64::engine::general_purpose::STANDARD.decode(tokens.get(at + 1)?.as_bytes()).ok()?;
    let digest = Sha256::digest(&blob);
    let fingerprint = format!("SHA256:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest));
    let comment = (tokens.len() > at + 2).then(|| tokens[at + 2..].join(" "));
    Some((fingerprint, comment))
}

struct SudoRule {
    users: Vec<String>,
    commands: String,
    level: Level,
}

const SHELLS: [&str; 8] = ["/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash", "/bin/su", "/usr/bin/su", "/bin/zsh", "/usr/bin/zsh"];

/// The rules of one sudoers file: continuation lines joined, comments and `Defaults`
/// dropped, `User_Alias` and `Cmnd_Alias` expanded.
fn sudo_rules(file: &str, text: &str, warnings: &mut Vec<String>) -> Result<Vec<SudoRule>, LinuxError> {
    let mut logical: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let (start, mut acc) = pending.take().unwrap_or((i + 1, String::new()));
        if let Some(body) = line.strip_suffix('\\') {
            acc.push_str(body);
            acc.push(' ');
            pending = Some((start, acc));
        } else {
            acc.push_str(line);
            logical.push((start, acc));
        }
    }
    if let Some(p) = pending {
        logical.push(p);
    }
    let mut user_alias: HashMap<String, Vec<String>> = HashMap::new();
    let mut cmnd_alias: HashMap<String, Vec<String>> = HashMap::new();
    let mut rules = Vec::new();
    for (n, line) in logical {
        let t = line.trim();
        if t.starts_with("#include") || t.starts_with("@include") {
            warnings.push(format!("{file}:{n}: {t:?} is not followed; files in sudoers.d are read on their own"));
            continue;
        }
        // A comment starts at `#` unless it is `#` followed by a digit (a uid).
        let t = match t.char_indices().find(|(i, c)| *c == '#' && !t[i + 1..].starts_with(|d: char| d.is_ascii_digit())) {
            Some((i, _)) => t[..i].trim(),
            None => t,
        };
        if t.is_empty() || t.starts_with("Defaults") {
            continue;
        }
        for (kw, map) in [
            ("User_Alias", Some(&mut user_alias)),
            ("Cmnd_Alias", Some(&mut cmnd_alias)),
            ("Cmd_Alias", None),
            ("Runas_Alias", None),
            ("Host_Alias", None),
        ] {
            if let Some(rest) = t.strip_prefix(kw) {
                if let Some(map) = map {
                    for def in rest.split(':') {
                        if let Some((name, values)) = def.split_once('=') {
                            map.insert(
                                name.trim().to_string(),
                                values.split(',').map(|v| v.trim().trim_matches('"').to_string()).filter(|v| !v.is_empty()).collect(),
                            );
                        }
                    }
                }
            }
        }
        if ["User_Alias", "Cmnd_Alias", "Cmd_Alias", "Runas_Alias", "Host_Alias"].iter().any(|kw| t.starts_with(kw)) {
            continue;
        }
        let Some((left, right)) = t.split_once('=') else {
            return Err(LinuxError {
                file: file.to_string(),
                line: n,
                message: format!("not a sudoers rule (no `=`): {:?}", t.chars().take(60).collect::<String>()),
            });
        };
        // USERS HOSTS: the user list is the first run of comma-joined tokens.
        let mut user_part = String::new();
        for token in left.split_whitespace() {
            if user_part.is_empty() || user_part.ends_with(',') || token.starts_with(',') {
                user_part.push_str(token);
            } else {
                break;
            }
        }
        let mut users = Vec::new();
        expand(&user_part, &user_alias, &mut users, 0);
        // Commands: after an optional (runas) and tags; a later `: HOST =` starts another spec.
        let mut commands: Vec<String> = Vec::new();
        for spec in split_outside_parens(right, ':').into_iter().map(str::trim) {
            let spec = spec.rsplit_once('=').map_or(spec, |(_, c)| c).trim();
            let spec = match spec.strip_prefix('(') {
                Some(rest) => rest.split_once(')').map_or("", |(_, c)| c).trim(),
                None => spec,
            };
            for c in spec.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                if c.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_') && !cmnd_alias.contains_key(c) && c != "ALL" {
                    continue; // a tag such as NOPASSWD, already split at `:`
                }
                match cmnd_alias.get(c) {
                    Some(expanded) => commands.extend(expanded.iter().cloned()),
                    None => commands.push(c.to_string()),
                }
            }
        }
        let nopasswd = right.contains("NOPASSWD");
        let admin = commands.iter().any(|c| c == "ALL" || SHELLS.contains(&c.split_whitespace().next().unwrap_or("")));
        let mut text = commands.join(", ");
        if nopasswd {
            text.push_str(" (NOPASSWD)");
        }
        let text: String = text.chars().take(200).collect();
        if users.iter().any(|u| u == "ALL") {
            warnings.push(format!("{file}:{n}: a rule for ALL users ({text}); every account on the host has it"));
        }
        users.retain(|u| u != "ALL" && !u.starts_with('!'));
        rules.push(SudoRule { users, commands: text, level: if admin { Level::Admin } else { Level::Write } });
    }
    Ok(rules)
}

/// Splits at `sep` except inside parentheses: `(ALL:ALL) ALL` is one piece.
fn split_outside_parens(s: &str, sep: char) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c == sep && depth <= 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn expand(list: &str, aliases: &HashMap<String, Vec<String>>, out: &mut Vec<String>, depth: usize) {
    for item in list.split(',').map(|u| u.trim().trim_matches('"')).filter(|u| !u.is_empty()) {
        match aliases.get(item) {
            Some(members) if depth < 8 => expand(&members.join(","), aliases, out, depth + 1),
            _ => out.push(item.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> Date {
        Date::constant(2026, 11, 26)
    }

    #[test]
    fn maps_users_groups_sudo_and_keys() {
        let files = HostFiles {
            passwd: "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nann:x:1000:1000:Ann Example,,,:/home/ann:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/bash\n".into(),
            group: Some("root:x:0:\nsudo:x:27:ann\nann:x:1000:\nbob:x:1001:\ndevs:x:2000:bob\ndevs:x:2000:ann\n".into()),
            shadow: Some("root:!:19000:0:99999:7:::\nann:$6$hash:19000:0:99999:7:::\nbob:$6$hash:19000:0:99999:7::19500:\n".into()),
            sudoers: vec![("etc/sudoers".into(), "Defaults env_reset\n# comment\nUser_Alias OPS = bob\nCmnd_Alias RESTART = /usr/bin/systemctl restart *\n%sudo ALL=(ALL:ALL) ALL\nOPS ALL = NOPASSWD: RESTART\n".into())],
            authorized_keys: vec![("ann".into(), "home/ann/.ssh/authorized_keys".into(), "from=\"10.0.0.1\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ann@laptop\n".into())],
        };
        let out = parse("web1", &files, today()).unwrap();
        let acc = |n: &str| out.accounts.iter().find(|(a, _)| a.name == n).unwrap().0.clone();
        assert_eq!(acc("root").kind, AccountKind::Shared);
        assert_eq!(acc("root").status, AccountStatus::Disabled, "locked with !");
        assert_eq!(acc("daemon").kind, AccountKind::Service);
        assert_eq!(acc("bob").status, AccountStatus::Disabled, "expired (day 19500 is 2023)");
        assert_eq!(acc("ann").member_of, vec!["web1/group:ann", "web1/group:devs", "web1/group:sudo"], "split group lines merged");
        let grant =
            |account: &str, prefix: &str| out.grants.iter().find(|g| g.account == account && g.privilege.starts_with(prefix)).cloned();
        assert_eq!(grant("web1/group:sudo", "member of").unwrap().level, Level::Admin);
        assert_eq!(grant("web1/group:sudo", "sudo: ALL").unwrap().level, Level::Admin);
        let restart = grant("web1/bob", "sudo:").unwrap();
        assert_eq!((restart.level, restart.privilege.as_str()), (Level::Write, "sudo: /usr/bin/systemctl restart * (NOPASSWD)"));
        let key = grant("web1/ann", "ssh key SHA256:").unwrap();
        assert!(key.privilege.ends_with(" ann@laptop"), "{}", key.privilege);
        assert_eq!(acc("ann").name, "ann");
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let files = HostFiles { passwd: "root:x:0:0:root:/root:/bin/bash\nbroken:x:1\n".into(), ..HostFiles::default() };
        let e = parse("h", &files, today()).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("etc/passwd", 2));
    }

    #[test]
    fn fingerprints_match_openssh() {
        // OpenSSH 9 `ssh-keygen -lf` prints exactly this fingerprint for this key.
        let (fp, comment) = ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl").unwrap();
        assert_eq!(fp, "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU");
        assert_eq!(comment, None);
        let (same, comment) = ssh_key("command=\"echo hi there\",no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ann @ laptop").unwrap();
        assert_eq!((same, comment.as_deref()), (fp, Some("ann @ laptop")), "options with quoted spaces before the key type");
    }

    #[test]
    fn reads_the_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/identity");
        let read = |p: &str| std::fs::read_to_string(dir.join(p));
        let Ok(passwd) = read("passwd/split-groups/passwd") else {
            assert!(std::env::var_os("CI").is_none(), "corpus missing in CI");
            return;
        };
        let files = HostFiles {
            passwd,
            group: read("passwd/split-groups/group").ok(),
            shadow: read("passwd/split-groups/shadow").ok(),
            sudoers: vec![("cvtsudoers-sample.sudoers".into(), read("sudoers/cvtsudoers-sample.sudoers").unwrap())],
            authorized_keys: vec![("root".into(), "rustcrypto-authorized_keys".into(), read("ssh/rustcrypto-authorized_keys").unwrap())],
        };
        let out = parse("host", &files, today()).unwrap();
        let foo = out.accounts.iter().find(|(a, _)| a.name == "foo1").unwrap();
        assert!(foo.0.member_of.contains(&"host/group:foo".to_string()), "split group `foo` merged");
        assert!(out.grants.iter().any(|g| g.account == "host/root" && g.privilege == "sudo: ALL" && g.level == Level::Admin));
        let keys = out.grants.iter().filter(|g| g.account == "host/root" && g.privilege.starts_with("ssh key ")).count();
        assert!(keys >= 5, "{keys} keys read from the RustCrypto authorized_keys examples");
        for name in ["regress-test1.in", "regress-test2.in", "regress-test6.in"] {
            let text = read(&format!("sudoers/{name}")).unwrap();
            let files = HostFiles {
                passwd: "root:x:0:0:root:/root:/bin/bash\n".into(),
                sudoers: vec![(name.into(), text)],
                ..HostFiles::default()
            };
            parse("host", &files, today()).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn frames_split_into_files_and_a_cut_answer_is_refused() {
        let out = b"11 etc/passwd\nroot:x:0:0\n0 etc/group\n5 home/a b/.ssh/authorized_keys\nk\xffey\n";
        let files = parse_frames(out).unwrap();
        assert_eq!(files["etc/passwd"], "root:x:0:0\n");
        assert_eq!(files["etc/group"], "");
        assert_eq!(files["home/a b/.ssh/authorized_keys"], "k\u{fffd}ey\n", "a path with a space; bytes that are not UTF-8 replaced");
        let cut = parse_frames(b"11 etc/passwd\nroot:x").unwrap_err();
        assert!(cut.contains("etc/passwd is cut short"), "{cut}");
        assert!(parse_frames(b"x etc/passwd\n").unwrap_err().contains("without a length"));
        assert!(parse_frames(b"12").unwrap_err().contains("without a line end"));
        assert!(parse_frames(b"").unwrap().is_empty());
    }

    proptest! {
        #[test]
        fn frames_never_panic_and_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..200), files in proptest::collection::btree_map("[a-z/ .]{1,12}", ".{0,40}", 0..5)) {
            let _ = parse_frames(&bytes);
            let mut out = Vec::new();
            for (path, text) in &files {
                out.extend_from_slice(format!("{} {path}\n{text}", text.len()).as_bytes());
            }
            prop_assert_eq!(parse_frames(&out).unwrap(), files);
        }

        #[test]
        fn never_panics(passwd in ".{0,200}", group in ".{0,100}", sudoers in "(ALL|=|:|,|%|#|\\\\|\n|\\(|\\)|[a-z/ ]{1,6}|NOPASSWD:|User_Alias|Cmnd_Alias){0,40}", keys in ".{0,200}") {
            let files = HostFiles { passwd, group: Some(group), shadow: None, sudoers: vec![("s".into(), sudoers)], authorized_keys: vec![("root".into(), "k".into(), keys)] };
            let _ = parse("h", &files, Date::constant(2026, 11, 26));
        }
    }
}
