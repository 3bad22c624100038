//! `handover escrow`: break-glass secrets sealed k-of-n among custodians.
//!
//! The secret passes through this process only in memory (and in the files the user
//! names); the store and the event log see ciphertexts, commitments and who took part.

use super::records;
use super::Context;
use crate::cli::{EscrowCommand, Format, RecordAction, ShareArgs};
use crate::error::user;
use crate::output;
use anyhow::Result;
use handover_core::{ErrorCode, Escrow, EscrowOpening, EscrowShare, Inventory, Kind, PersonStatus, Record};
use handover_escrow::{SealedShare, ShareText};
use handover_store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(ctx: &Context, cmd: EscrowCommand) -> Result<()> {
    match cmd {
        EscrowCommand::Add { key, name, custodians, threshold, secret_file, system, description } => {
            add(ctx, &key, name, &custodians, threshold, &secret_file, system, description)
        }
        EscrowCommand::List(f) => list(ctx, f.format),
        EscrowCommand::Show { key, format } => records::run(ctx, Kind::Escrow, RecordAction::Show { key, format }),
        EscrowCommand::Share { key, custodian, identity, output } => share(ctx, &key, &custodian, &identity, output.as_deref()),
        EscrowCommand::Open { key, shares, reason, output } => open(ctx, &key, &shares, &reason, output.as_deref()),
        EscrowCommand::Rekey { key, shares, custodians, threshold, reason } => rekey(ctx, &key, &shares, &custodians, threshold, &reason),
        EscrowCommand::Rm { key } => records::run(ctx, Kind::Escrow, RecordAction::Rm { key }),
    }
}

fn escrow_error(e: handover_escrow::EscrowError) -> anyhow::Error {
    user(ErrorCode::InvalidField, e.to_string())
}

fn load(inv: &Inventory, key: &str) -> Result<Escrow> {
    match inv.get(Kind::Escrow, key) {
        Some(Record::Escrow(e)) => Ok((**e).clone()),
        _ => Err(user(ErrorCode::RecordNotFound, format!("there is no escrow {key:?}; `handover escrow list` shows them"))),
    }
}

/// (person, public key) for each custodian, or an error naming who has no key.
fn custodian_keys(inv: &Inventory, custodians: &[String]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for c in custodians {
        let person = inv.person(c).ok_or_else(|| {
            user(ErrorCode::RecordNotFound, format!("custodians: there is no person {c:?}; `handover person list` shows the keys"))
        })?;
        if person.status != PersonStatus::Active {
            return Err(user(ErrorCode::InvalidField, format!("custodians: {c} is {}; choose custodians who are staying", person.status)));
        }
        match &person.escrow_key {
            Some(k) => out.push((c.clone(), k.clone())),
            None => missing.push(c.as_str()),
        }
    }
    if !missing.is_empty() {
        return Err(user(
            ErrorCode::MissingField,
            format!(
                "no escrow_key for {}: register each custodian's public key first, e.g. `handover person set {} escrow_key=age1…` (or an ssh-ed25519 public key)",
                missing.join(", "),
                missing[0]
            ),
        ));
    }
    Ok(out)
}

fn to_stored(sealed: handover_escrow::Sealed) -> (String, Vec<EscrowShare>) {
    let shares = sealed
        .shares
        .into_iter()
        .map(|s| EscrowShare { custodian: s.custodian, recipient: s.recipient, ciphertext: s.ciphertext, commitment: s.commitment })
        .collect();
    (sealed.ciphertext, shares)
}

fn sealed_shares(e: &Escrow) -> Vec<SealedShare> {
    e.shares
        .iter()
        .map(|s| SealedShare {
            custodian: s.custodian.clone(),
            recipient: s.recipient.clone(),
            ciphertext: s.ciphertext.clone(),
            commitment: s.commitment.clone(),
        })
        .collect()
}

fn save(ctx: &Context, current: &Inventory, escrow: Escrow) -> Result<()> {
    records::save_one(ctx, &mut ctx.store()?, current, Record::from(escrow))
}

#[allow(clippy::too_many_arguments)]
fn add(
    ctx: &Context,
    key: &str,
    name: String,
    custodians: &[String],
    threshold: u8,
    secret_file: &Path,
    system: Option<String>,
    description: Option<String>,
) -> Result<()> {
    let store = ctx.store()?;
    let current = store.load()?;
    if current.contains(Kind::Escrow, key) {
        return Err(user(ErrorCode::DuplicateKey, format!("there already is an escrow {key:?}; `handover escrow rekey` re-seals it")));
    }
    let keys = custodian_keys(&current, custodians)?;
    let secret = zeroize::Zeroizing::new(
        std::fs::read(secret_file).map_err(|e| user(ErrorCode::Storage, format!("cannot read {}: {e}", secret_file.display())))?,
    );
    if secret.is_empty() {
        return Err(user(ErrorCode::MissingField, format!("{} is empty", secret_file.display())));
    }
    let sealed = handover_escrow::seal(key, 1, &secret, &keys, usize::from(threshold)).map_err(escrow_error)?;
    let (ciphertext, shares) = to_stored(sealed);
    let escrow = Escrow {
        key: key.to_string(),
        name,
        description,
        system,
        threshold,
        generation: 1,
        sealed_on: ctx.today,
        ciphertext,
        shares,
        openings: Vec::new(),
    };
    save(ctx, &current, escrow)?;
    println!(
        "Sealed escrow {key}: any {threshold} of {} can open it ({}). Only ciphertexts are stored; delete {} now.",
        custodians.len(),
        custodians.join(", "),
        secret_file.display()
    );
    Ok(())
}

#[derive(serde::Serialize)]
struct Row {
    escrow: String,
    name: String,
    threshold: u8,
    generation: u32,
    custodians: Vec<String>,
    /// Custodians who left or are leaving: rekey.
    departing: Vec<String>,
    /// Custodians still here and not leaving; fewer than the threshold means it cannot be opened.
    available: usize,
    openings: usize,
}

fn list(ctx: &Context, format: Format) -> Result<()> {
    let inv = ctx.store()?.load()?;
    let rows: Vec<Row> = inv
        .escrows()
        .map(|e| {
            let custodians: Vec<String> = e.custodians().map(str::to_string).collect();
            let departing: Vec<String> =
                custodians.iter().filter(|c| inv.person(c).is_none_or(|p| p.status != PersonStatus::Active)).cloned().collect();
            Row {
                escrow: e.key.clone(),
                name: e.name.clone(),
                threshold: e.threshold,
                generation: e.generation,
                available: custodians.len() - departing.len(),
                custodians,
                departing,
                openings: e.openings.len(),
            }
        })
        .collect();
    match format {
        Format::Json => output::json(&rows),
        Format::Table => {
            let mut t = output::table(&["escrow", "name", "opens with", "custodians", "rekey: left or leaving", "openings"]);
            for r in &rows {
                t.add_row(vec![
                    r.escrow.clone(),
                    r.name.clone(),
                    format!("{} of {}", r.threshold, r.custodians.len()),
                    r.custodians.join(", "),
                    r.departing.join(", "),
                    r.openings.to_string(),
                ]);
            }
            println!("{t}");
            Ok(())
        }
    }
}

/// Creates `path` readable by its owner only, refusing to replace an existing file.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| user(ErrorCode::Storage, format!("cannot create {}: {e}", path.display())))?;
    file.write_all(bytes)?;
    Ok(())
}

fn emit(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => write_private(path, bytes),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

fn read_identities(path: &Path) -> Result<Vec<Box<dyn age::Identity>>> {
    let contents =
        zeroize::Zeroizing::new(std::fs::read(path).map_err(|e| user(ErrorCode::Storage, format!("cannot read {}: {e}", path.display())))?);
    handover_escrow::load_identities(&path.display().to_string(), &contents).map_err(escrow_error)
}

fn share(ctx: &Context, key: &str, custodian: &str, identity: &Path, output: Option<&Path>) -> Result<()> {
    let escrow = load(&ctx.store()?.load()?, key)?;
    let stored = sealed_shares(&escrow);
    let share = stored
        .iter()
        .find(|s| s.custodian == custodian)
        .ok_or_else(|| user(ErrorCode::InvalidField, format!("{custodian} is not a custodian of {key}")))?;
    let text = handover_escrow::decrypt_share(share, &read_identities(identity)?).map_err(escrow_error)?;
    emit(output, text.as_bytes())
}

/// The share texts given on the command line, decrypted where an identity was given.
fn gather(escrow: &Escrow, args: &ShareArgs) -> Result<(Vec<ShareText>, Vec<String>)> {
    let stored = sealed_shares(escrow);
    let mut texts = Vec::new();
    for pair in &args.identities {
        let (person, file) =
            pair.split_once('=').ok_or_else(|| user(ErrorCode::InvalidField, format!("--identity {pair:?} is not PERSON=FILE")))?;
        let share = stored
            .iter()
            .find(|s| s.custodian == person)
            .ok_or_else(|| user(ErrorCode::InvalidField, format!("{person} is not a custodian of {}", escrow.key)))?;
        let text = handover_escrow::decrypt_share(share, &read_identities(&PathBuf::from(file))?).map_err(escrow_error)?;
        texts.push(handover_escrow::parse_share(&text).map_err(escrow_error)?);
    }
    for file in &args.shares {
        let text = zeroize::Zeroizing::new(
            std::fs::read_to_string(file).map_err(|e| user(ErrorCode::Storage, format!("cannot read {}: {e}", file.display())))?,
        );
        texts.push(handover_escrow::parse_share(&text).map_err(|e| user(ErrorCode::InvalidField, format!("{}: {e}", file.display())))?);
    }
    let mut who: Vec<String> = texts.iter().map(|t| t.custodian.clone()).collect();
    who.sort();
    who.dedup();
    Ok((texts, who))
}

fn recover(escrow: &Escrow, args: &ShareArgs) -> Result<(zeroize::Zeroizing<Vec<u8>>, Vec<String>)> {
    let (texts, who) = gather(escrow, args)?;
    let secret = handover_escrow::open(
        &escrow.key,
        escrow.generation,
        usize::from(escrow.threshold),
        &escrow.ciphertext,
        &sealed_shares(escrow),
        &texts,
    )
    .map_err(escrow_error)?;
    Ok((secret, who))
}

fn open(ctx: &Context, key: &str, args: &ShareArgs, reason: &str, output: Option<&Path>) -> Result<()> {
    let current = ctx.store()?.load()?;
    let mut escrow = load(&current, key)?;
    let (secret, who) = recover(&escrow, args)?;
    // Logged before the secret is released: an opening nobody can see did not happen.
    escrow.openings.push(EscrowOpening { on: ctx.today, by: ctx.actor.clone(), custodians: who.clone(), reason: reason.to_string() });
    save(ctx, &current, escrow)?;
    eprintln!("Opened {key} with the shares of {}; the opening is in the event log.", who.join(", "));
    emit(output, &secret)
}

fn rekey(ctx: &Context, key: &str, args: &ShareArgs, custodians: &[String], threshold: Option<u8>, reason: &str) -> Result<()> {
    let current = ctx.store()?.load()?;
    let mut escrow = load(&current, key)?;
    let (secret, who) = recover(&escrow, args)?;
    let custodians: Vec<String> = if custodians.is_empty() {
        escrow.custodians().filter(|c| current.person(c).is_some_and(|p| p.status == PersonStatus::Active)).map(str::to_string).collect()
    } else {
        custodians.to_vec()
    };
    let threshold = threshold.unwrap_or(escrow.threshold.min(custodians.len().min(255) as u8));
    let keys = custodian_keys(&current, &custodians)?;
    let generation = escrow.generation + 1;
    let sealed = handover_escrow::seal(key, generation, &secret, &keys, usize::from(threshold)).map_err(escrow_error)?;
    let (ciphertext, shares) = to_stored(sealed);
    escrow.openings.push(EscrowOpening { on: ctx.today, by: ctx.actor.clone(), custodians: who, reason: format!("rekey: {reason}") });
    escrow = Escrow { threshold, generation, sealed_on: ctx.today, ciphertext, shares, ..escrow };
    save(ctx, &current, escrow)?;
    println!(
        "Rekeyed {key} (generation {generation}): any {threshold} of {} can open it; shares of earlier generations no longer do.",
        custodians.join(", ")
    );
    Ok(())
}
