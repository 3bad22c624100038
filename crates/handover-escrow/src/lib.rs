//! Break-glass escrow: a secret that no single person can open, and that survives any
//! custodian leaving.
//!
//! Sealing: the secret is encrypted with a fresh 256-bit key (ChaCha20-Poly1305, the
//! escrow's key and generation as associated data); the key is split k-of-n with Shamir's
//! scheme over GF(256) (`blahaj`); each custodian's share is written as a small text and
//! encrypted to that custodian's age or SSH public key. What is stored is only
//! ciphertexts, plus a SHA-256 commitment of each share text so that a tampered or
//! corrupted share is named on opening instead of silently producing garbage.
//!
//! Opening needs any k share texts of the current generation, each decrypted by its
//! custodian with their own identity. Rekeying opens, then seals again under a new key and
//! generation: old shares no longer match and are refused.
//!
//! The secret and the key live only in memory here (`Zeroizing` buffers); nothing in this
//! crate logs or stores them.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read as _;
use std::str::FromStr;
use zeroize::Zeroizing;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const SHARE_HEADER: &str = "handover-escrow-share 1";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EscrowError {
    #[error("{custodian}: {message}")]
    Recipient { custodian: String, message: String },
    #[error("threshold {threshold} must be between 2 and the number of custodians ({custodians})")]
    Threshold { threshold: usize, custodians: usize },
    #[error("{0}")]
    Share(String),
    #[error("{have} valid shares given; {need} are needed to open it")]
    NotEnough { have: usize, need: usize },
    #[error("the shares do not open the secret: the stored ciphertext or the shares were altered")]
    Decrypt,
    #[error("{0}")]
    Identity(String),
}

/// One custodian's part, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedShare {
    pub custodian: String,
    /// The public key the share was encrypted to.
    pub recipient: String,
    /// The share text, age-encrypted (ASCII armour).
    pub ciphertext: String,
    /// SHA-256 (hex) of the share text.
    pub commitment: String,
}

/// What sealing produces: everything is safe to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// base64(nonce ‖ ChaCha20-Poly1305 ciphertext).
    pub ciphertext: String,
    pub shares: Vec<SealedShare>,
}

fn aad(escrow: &str, generation: u32) -> Vec<u8> {
    format!("handover-escrow v1\n{escrow}\n{generation}").into_bytes()
}

/// Parses an age recipient (`age1…`) or an SSH public key (`ssh-ed25519 …`, `ssh-rsa …`).
pub fn parse_recipient(text: &str) -> Result<Box<dyn age::Recipient + Send>, String> {
    let text = text.trim();
    if text.starts_with("age1") {
        return age::x25519::Recipient::from_str(text).map(|r| Box::new(r) as _).map_err(|e| format!("not a valid age recipient: {e}"));
    }
    if text.starts_with("ssh-") {
        return age::ssh::Recipient::from_str(text).map(|r| Box::new(r) as _).map_err(|e| format!("not a usable SSH public key: {e:?}"));
    }
    Err("expected an age recipient (age1…) or an SSH public key (ssh-ed25519 … or ssh-rsa …)".into())
}

/// Seals `secret` for `custodians` (person key, public key), any `threshold` of whom can open it.
pub fn seal(
    escrow: &str,
    generation: u32,
    secret: &[u8],
    custodians: &[(String, String)],
    threshold: usize,
) -> Result<Sealed, EscrowError> {
    if threshold < 2 || threshold > custodians.len() || custodians.len() > 255 {
        return Err(EscrowError::Threshold { threshold, custodians: custodians.len() });
    }
    let recipients: Vec<Box<dyn age::Recipient + Send>> = custodians
        .iter()
        .map(|(who, key)| parse_recipient(key).map_err(|message| EscrowError::Recipient { custodian: who.clone(), message }))
        .collect::<Result<_, _>>()?;

    let key = Zeroizing::new(ChaCha20Poly1305::generate_key(&mut chacha20poly1305::aead::OsRng));
    let nonce = ChaCha20Poly1305::generate_nonce(&mut chacha20poly1305::aead::OsRng);
    let cipher = ChaCha20Poly1305::new(&key);
    let aad = aad(escrow, generation);
    let sealed = cipher.encrypt(&nonce, Payload { msg: secret, aad: &aad }).map_err(|_| EscrowError::Decrypt)?;
    let mut blob = nonce.to_vec();
    blob.extend_from_slice(&sealed);

    let dealer = blahaj::Sharks(threshold as u8);
    let shares = dealer
        .dealer(key.as_slice())
        .zip(custodians.iter().zip(&recipients))
        .map(|(share, ((who, public), recipient))| {
            let bytes = Zeroizing::new(Vec::from(&share));
            let text = Zeroizing::new(share_text(escrow, generation, who, &bytes));
            let ciphertext = encrypt_to(recipient.as_ref(), text.as_bytes()).map_err(|message| EscrowError::Recipient {
                custodian: who.clone(),
                message: format!("cannot encrypt to this key: {message}"),
            })?;
            Ok(SealedShare { custodian: who.clone(), recipient: public.trim().to_string(), ciphertext, commitment: commitment(&text) })
        })
        .collect::<Result<Vec<_>, EscrowError>>()?;
    Ok(Sealed { ciphertext: B64.encode(blob), shares })
}

/// age-encrypts `plain` to one recipient, ASCII-armoured.
fn encrypt_to(recipient: &(dyn age::Recipient + Send), plain: &[u8]) -> Result<String, String> {
    use std::io::Write as _;
    let encryptor = age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient)).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor).map_err(|e| e.to_string())?;
    let mut writer = encryptor.wrap_output(armor).map_err(|e| e.to_string())?;
    writer.write_all(plain).map_err(|e| e.to_string())?;
    writer.finish().and_then(|armor| armor.finish()).map_err(|e| e.to_string())?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

fn share_text(escrow: &str, generation: u32, custodian: &str, share: &[u8]) -> String {
    format!("{SHARE_HEADER}\nescrow {escrow}\ngeneration {generation}\ncustodian {custodian}\nshare {}\n", B64.encode(share))
}

fn commitment(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A decrypted share text, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareText {
    pub escrow: String,
    pub generation: u32,
    pub custodian: String,
    share: Zeroizing<Vec<u8>>,
    commitment: String,
}

/// Parses a share text (as `decrypt_share` returns it, or read from a file).
pub fn parse_share(text: &str) -> Result<ShareText, EscrowError> {
    let bad = |why: &str| EscrowError::Share(format!("not a handover escrow share: {why}"));
    let mut lines = text.lines();
    if lines.next() != Some(SHARE_HEADER) {
        return Err(bad("the first line must be `handover-escrow-share 1`"));
    }
    let mut fields: BTreeMap<&str, &str> = BTreeMap::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(' ').ok_or_else(|| bad(&format!("line {line:?} has no value")))?;
        fields.insert(name, value);
    }
    let field = |name: &str| fields.get(name).copied().ok_or_else(|| bad(&format!("the `{name}` line is missing")));
    let generation = field("generation")?.parse().map_err(|_| bad("`generation` is not a number"))?;
    let share = B64.decode(field("share")?).map_err(|_| bad("`share` is not base64"))?;
    // The commitment covers the canonical text, so reformatting cannot hide a change.
    let canonical = Zeroizing::new(share_text(field("escrow")?, generation, field("custodian")?, &share));
    Ok(ShareText {
        escrow: field("escrow")?.to_string(),
        generation,
        custodian: field("custodian")?.to_string(),
        share: Zeroizing::new(share),
        commitment: commitment(&canonical),
    })
}

/// Loads identities from an identity file's contents: age (`AGE-SECRET-KEY-1…`) or an
/// unencrypted OpenSSH private key.
pub fn load_identities(name: &str, contents: &[u8]) -> Result<Vec<Box<dyn age::Identity>>, EscrowError> {
    if let Ok(file) = age::IdentityFile::from_buffer(contents) {
        if let Ok(ids) = file.into_identities() {
            if !ids.is_empty() {
                return Ok(ids.into_iter().map(|i| i as Box<dyn age::Identity>).collect());
            }
        }
    }
    match age::ssh::Identity::from_buffer(contents, Some(name.to_string())) {
        Ok(age::ssh::Identity::Unencrypted(key)) => Ok(vec![Box::new(age::ssh::Identity::Unencrypted(key))]),
        Ok(age::ssh::Identity::Encrypted(_)) => {
            Err(EscrowError::Identity(format!("{name}: passphrase-protected SSH keys are not supported; use an age identity")))
        }
        Ok(age::ssh::Identity::Unsupported(k)) => Err(EscrowError::Identity(format!("{name}: unsupported SSH key type ({k:?})"))),
        Err(_) => Err(EscrowError::Identity(format!("{name}: neither an age identity file nor an OpenSSH private key"))),
    }
}

/// Decrypts one custodian's stored share with their identities; returns the share text.
pub fn decrypt_share(share: &SealedShare, identities: &[Box<dyn age::Identity>]) -> Result<Zeroizing<String>, EscrowError> {
    let fail = |why: String| EscrowError::Identity(format!("cannot decrypt the share of {}: {why}", share.custodian));
    let decryptor =
        age::Decryptor::new_buffered(age::armor::ArmoredReader::new(share.ciphertext.as_bytes())).map_err(|e| fail(e.to_string()))?;
    let mut reader = decryptor.decrypt(identities.iter().map(|i| i.as_ref())).map_err(|e| fail(e.to_string()))?;
    let mut out = Zeroizing::new(Vec::new());
    reader.read_to_end(&mut out).map_err(|e| fail(e.to_string()))?;
    let text = String::from_utf8(out.to_vec()).map_err(|_| fail("the share is not text".into()))?;
    Ok(Zeroizing::new(text))
}

/// Recovers the secret from share texts. Every share is checked against the stored
/// commitment of its custodian for this escrow and generation before it is used.
pub fn open(
    escrow: &str,
    generation: u32,
    threshold: usize,
    ciphertext: &str,
    stored: &[SealedShare],
    shares: &[ShareText],
) -> Result<Zeroizing<Vec<u8>>, EscrowError> {
    let mut used: BTreeMap<&str, &ShareText> = BTreeMap::new();
    for s in shares {
        if s.escrow != escrow {
            return Err(EscrowError::Share(format!("the share of {} belongs to escrow {:?}, not {escrow:?}", s.custodian, s.escrow)));
        }
        if s.generation != generation {
            return Err(EscrowError::Share(format!(
                "the share of {} is from generation {}; the escrow was rekeyed (generation {generation}) and old shares no longer open it",
                s.custodian, s.generation
            )));
        }
        let Some(expected) = stored.iter().find(|x| x.custodian == s.custodian) else {
            return Err(EscrowError::Share(format!("{} is not a custodian of this escrow", s.custodian)));
        };
        if expected.commitment != s.commitment {
            return Err(EscrowError::Share(format!(
                "the share of {} does not match what was sealed: it was altered or corrupted",
                s.custodian
            )));
        }
        used.insert(&s.custodian, s);
    }
    if used.len() < threshold {
        return Err(EscrowError::NotEnough { have: used.len(), need: threshold });
    }
    let parsed: Vec<blahaj::Share> = used
        .values()
        .map(|s| blahaj::Share::try_from(s.share.as_slice()).map_err(|e| EscrowError::Share(format!("the share of {}: {e}", s.custodian))))
        .collect::<Result<_, _>>()?;
    let key = Zeroizing::new(blahaj::Sharks(threshold as u8).recover(parsed.as_slice()).map_err(|e| EscrowError::Share(e.to_string()))?);
    if key.len() != 32 {
        return Err(EscrowError::Decrypt);
    }
    let blob = B64.decode(ciphertext).map_err(|_| EscrowError::Decrypt)?;
    if blob.len() < 12 {
        return Err(EscrowError::Decrypt);
    }
    let (nonce, sealed) = blob.split_at(12);
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&key));
    let plain = cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: &aad(escrow, generation) })
        .map_err(|_| EscrowError::Decrypt)?;
    Ok(Zeroizing::new(plain))
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::ExposeSecret;

    struct Custodian {
        name: String,
        identity: age::x25519::Identity,
    }

    fn custodians(n: usize) -> Vec<Custodian> {
        (0..n).map(|i| Custodian { name: format!("p{i}"), identity: age::x25519::Identity::generate() }).collect()
    }

    fn public(cs: &[Custodian]) -> Vec<(String, String)> {
        cs.iter().map(|c| (c.name.clone(), c.identity.to_public().to_string())).collect()
    }

    fn share_of(sealed: &Sealed, c: &Custodian) -> ShareText {
        let ids = load_identities("test", c.identity.to_string().expose_secret().as_bytes()).unwrap();
        let s = sealed.shares.iter().find(|s| s.custodian == c.name).unwrap();
        parse_share(&decrypt_share(s, &ids).unwrap()).unwrap()
    }

    const SECRET: &[u8] = b"root password: correct horse battery staple";

    #[test]
    fn any_three_of_five_open_and_two_do_not() {
        let cs = custodians(5);
        let sealed = seal("root-pw", 1, SECRET, &public(&cs), 3).unwrap();
        assert!(!sealed.ciphertext.contains("correct horse"));
        let all: Vec<ShareText> = cs.iter().map(|c| share_of(&sealed, c)).collect();
        for a in 0..5 {
            for b in a + 1..5 {
                for c in b + 1..5 {
                    let subset = [all[a].clone(), all[b].clone(), all[c].clone()];
                    assert_eq!(open("root-pw", 1, 3, &sealed.ciphertext, &sealed.shares, &subset).unwrap().as_slice(), SECRET);
                }
                let two = [all[a].clone(), all[b].clone()];
                assert_eq!(
                    open("root-pw", 1, 3, &sealed.ciphertext, &sealed.shares, &two),
                    Err(EscrowError::NotEnough { have: 2, need: 3 })
                );
            }
        }
        // The same share twice counts once.
        let dup = [all[0].clone(), all[0].clone(), all[1].clone()];
        assert!(matches!(open("root-pw", 1, 3, &sealed.ciphertext, &sealed.shares, &dup), Err(EscrowError::NotEnough { .. })));
    }

    #[test]
    fn a_tampered_share_is_named() {
        let cs = custodians(3);
        let sealed = seal("vpn", 1, SECRET, &public(&cs), 2).unwrap();
        let good = share_of(&sealed, &cs[0]);
        let text = decrypt_share(&sealed.shares[1], &load_identities("t", cs[1].identity.to_string().expose_secret().as_bytes()).unwrap())
            .unwrap();
        // Flip one character of the share value.
        let line = text.lines().find(|l| l.starts_with("share ")).unwrap();
        let mut chars: Vec<char> = line.chars().collect();
        chars[8] = if chars[8] == 'A' { 'B' } else { 'A' };
        let tampered = text.replace(line, &chars.into_iter().collect::<String>());
        let bad = parse_share(&tampered).unwrap();
        let e = open("vpn", 1, 2, &sealed.ciphertext, &sealed.shares, &[good, bad]).unwrap_err();
        assert!(e.to_string().contains("share of p1 does not match"), "{e}");
        // A share of another custodian cannot be passed off as one's own.
        let other = share_of(&sealed, &cs[2]);
        let claimed = parse_share(
            &decrypt_share(&sealed.shares[2], &load_identities("t", cs[2].identity.to_string().expose_secret().as_bytes()).unwrap())
                .unwrap()
                .replace("custodian p2", "custodian p1"),
        )
        .unwrap();
        assert!(open("vpn", 1, 2, &sealed.ciphertext, &sealed.shares, &[other, claimed]).is_err());
    }

    #[test]
    fn the_wrong_identity_cannot_decrypt_a_share() {
        let cs = custodians(2);
        let sealed = seal("x", 1, SECRET, &public(&cs), 2).unwrap();
        let ids = load_identities("t", cs[1].identity.to_string().expose_secret().as_bytes()).unwrap();
        assert!(decrypt_share(&sealed.shares[0], &ids).is_err());
    }

    #[test]
    fn rekeying_invalidates_old_shares() {
        let cs = custodians(4);
        let first = seal("db", 1, SECRET, &public(&cs), 2).unwrap();
        let old: Vec<ShareText> = cs.iter().map(|c| share_of(&first, c)).collect();
        let secret = open("db", 1, 2, &first.ciphertext, &first.shares, &old[..2]).unwrap();
        // p3 leaves: re-split among the other three, generation 2.
        let second = seal("db", 2, &secret, &public(&cs[..3]), 2).unwrap();
        let e = open("db", 2, 2, &second.ciphertext, &second.shares, &old[..2]).unwrap_err();
        assert!(e.to_string().contains("rekeyed"), "{e}");
        // Even relabelled as generation 2, an old share fails its commitment.
        let relabelled: Vec<ShareText> = old[..2].iter().map(|s| ShareText { generation: 2, ..s.clone() }).collect();
        assert!(open("db", 2, 2, &second.ciphertext, &second.shares, &relabelled).is_err());
        let new: Vec<ShareText> = cs[..3].iter().map(|c| share_of(&second, c)).collect();
        assert_eq!(open("db", 2, 2, &second.ciphertext, &second.shares, &new[1..]).unwrap().as_slice(), SECRET);
    }

    #[test]
    fn bad_parameters_and_keys_are_refused() {
        let cs = custodians(3);
        assert!(matches!(seal("x", 1, SECRET, &public(&cs), 1), Err(EscrowError::Threshold { .. })));
        assert!(matches!(seal("x", 1, SECRET, &public(&cs), 4), Err(EscrowError::Threshold { .. })));
        let mut keys = public(&cs);
        keys[1].1 = "not a key".into();
        let e = seal("x", 1, SECRET, &keys, 2).unwrap_err();
        assert!(e.to_string().starts_with("p1: expected an age recipient"), "{e}");
        assert!(parse_share("hello").is_err());
    }

    #[test]
    fn ssh_ed25519_keys_work_as_custodian_keys() {
        // A throwaway key pair made by OpenSSH itself (scripts/test installs it).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("id_ed25519");
        let made = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "custodian@example.com", "-f"])
            .arg(&path)
            .status();
        assert!(made.is_ok_and(|s| s.success()), "ssh-keygen is needed for this test (Debian: openssh-client)");
        let private = std::fs::read_to_string(&path).unwrap();
        let public_key = std::fs::read_to_string(path.with_extension("pub")).unwrap();
        let age_c = custodians(1);
        let keys = vec![
            ("ssh-person".to_string(), public_key.trim().to_string()),
            (age_c[0].name.clone(), age_c[0].identity.to_public().to_string()),
        ];
        let sealed = seal("s", 1, SECRET, &keys, 2).unwrap();
        let ids = load_identities("test_ed25519", private.as_bytes()).unwrap();
        let ssh_share = parse_share(&decrypt_share(&sealed.shares[0], &ids).unwrap()).unwrap();
        let age_share = share_of(&sealed, &age_c[0]);
        assert_eq!(open("s", 1, 2, &sealed.ciphertext, &sealed.shares, &[ssh_share, age_share]).unwrap().as_slice(), SECRET);
    }
}
