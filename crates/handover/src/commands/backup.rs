//! `handover backup` and `handover restore`.

use super::Context;
use crate::error::user;
use anyhow::Result;
use handover_core::ErrorCode;
use handover_store::{backup, Location, Store};
use std::io::Write;
use std::path::{Path, PathBuf};

fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

pub fn backup(ctx: &Context, file: &Path) -> Result<()> {
    let store = ctx.store()?;
    if file.exists() {
        return Err(user(ErrorCode::Storage, format!("{} exists; a backup never replaces a file", file.display())));
    }
    let partial = partial_path(file);
    let out = std::fs::OpenOptions::new().write(true).create_new(true).open(&partial).map_err(|e| {
        user(ErrorCode::Storage, format!("cannot create {}: {e} (a previous backup left it? remove it)", partial.display()))
    })?;
    eprintln!("backing up {} to {}", ctx.db.display(), file.display());
    let mut out = std::io::BufWriter::new(out);
    let at = jiff::Timestamp::now().to_string();
    let end = match backup::write(&store, &mut out, &at) {
        Ok(end) => end,
        Err(e) => {
            drop(out);
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
    };
    let file_handle = out.into_inner().map_err(|e| user(ErrorCode::Storage, format!("cannot write {}: {e}", partial.display())))?;
    file_handle.sync_all()?;
    std::fs::rename(&partial, file)?;
    let size = std::fs::metadata(file)?.len();
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "Backed up {} records, {} events, {} users and {} API tokens to {} ({:.1} KiB). Event chain head: {}",
        end.records,
        end.events,
        end.users,
        end.tokens,
        file.display(),
        size as f64 / 1024.0,
        if end.chain_head.is_empty() { "(empty log)" } else { &end.chain_head }
    )?;
    Ok(())
}

pub fn restore(ctx: &Context, file: &Path, check: bool) -> Result<()> {
    let open = || std::fs::File::open(file).map_err(|e| user(ErrorCode::Storage, format!("cannot read {}: {e}", file.display())));
    let name = file.display().to_string();
    if check {
        let end = backup::verify(&name, std::io::BufReader::new(open()?)).map_err(|e| user(ErrorCode::Storage, e.to_string()))?;
        println!("{name} is complete and intact: {} records, {} events, chain head {}", end.records, end.events, end.chain_head);
        return Ok(());
    }
    let existed = ctx.db.exists()?;
    let mut store = ctx.db.open()?;
    let result = backup::restore(&mut store, &name, std::io::BufReader::new(open()?));
    drop(store);
    let (restored, end) = match result {
        Ok(done) => done,
        Err(e) => {
            // A database this command created for the restore goes again: nothing is left behind.
            if let (false, Location::Sqlite(db)) = (existed, &ctx.db) {
                for suffix in ["", "-wal", "-shm"] {
                    let mut path = db.as_os_str().to_owned();
                    path.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(path));
                }
            }
            return Err(user(
                if matches!(e, handover_store::StoreError::NotEmpty { .. }) { ErrorCode::Conflict } else { ErrorCode::Storage },
                e.to_string(),
            ));
        }
    };
    let verified = ctx.store()?.verify_log()?;
    println!(
        "Restored {} records, {} events, {} users and {} API tokens into {}; the event log verifies ({} events, head {}).",
        restored.records,
        restored.events,
        restored.users,
        restored.tokens,
        ctx.db.display(),
        verified.verified,
        verified.head.as_deref().unwrap_or("(empty)")
    );
    if verified.head.as_deref().unwrap_or("") != end.chain_head {
        return Err(user(ErrorCode::Storage, "the restored chain head differs from the backup's; do not use this database"));
    }
    Ok(())
}

/// Streams the source store's dump into the target's restore: the source is read on its
/// own thread (one consistent snapshot) and items cross a bounded channel, so neither
/// side holds the whole store in memory.
pub fn migrate(from: &str, to: &str) -> Result<()> {
    let (source, target) = (Location::parse(from), Location::parse(to));
    if !source.exists()? {
        return Err(user(ErrorCode::Storage, format!("no store at {}", source.display())));
    }
    let mut dest = target.open()?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<handover_store::Result<handover_store::DumpItem>>(4096);
    let reader_source = source.clone();
    let reader = std::thread::spawn(move || -> handover_store::Result<Option<String>> {
        let store = reader_source.open()?;
        let mut head = None;
        let sent = store.dump(&mut |item| {
            if let handover_store::DumpItem::Event { hash, .. } = &item {
                head = Some(hash.clone());
            }
            // A closed channel means the target gave up; stop reading.
            tx.send(Ok(item)).map_err(|_| handover_store::StoreError::Backup("the target stopped reading".into()))
        });
        if let Err(e) = sent {
            let _ = tx.send(Err(handover_store::StoreError::Backup(format!("reading {}: {e}", reader_source.display()))));
            return Err(e);
        }
        Ok(head)
    });
    let restored = dest.restore(&mut rx.into_iter());
    let head = reader.join().map_err(|_| anyhow::anyhow!("the reader thread panicked"))?;
    let restored = restored.map_err(|e| {
        user(if matches!(e, handover_store::StoreError::NotEmpty { .. }) { ErrorCode::Conflict } else { ErrorCode::Storage }, e.to_string())
    })?;
    let head = head?;
    let verified = dest.verify_log()?;
    if verified.first_broken.is_some() || verified.head != head {
        return Err(user(
            ErrorCode::Storage,
            format!("the copy's event chain does not match the source's (head {:?}); do not use it", verified.head),
        ));
    }
    println!(
        "Copied {} records, {} events and {} meta entries from {} to {}; the event chain verifies and ends at the source's head {}.",
        restored.records,
        restored.events,
        restored.meta,
        source.display(),
        target.display(),
        head.as_deref().unwrap_or("(empty log)")
    );
    Ok(())
}
