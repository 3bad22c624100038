//! Every file-based source behind one name, for callers that receive uploads (the web UI
//! and API): a source name, the system, the files → `Imported`. The command line has one
//! subcommand per source with its own flags and goes through the same parsers.

use crate::reconcile::Imported;
use crate::vendor_csv::Vendor;
use jiff::civil::Date;

/// A source that arrives as files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileSource {
    Ldif,
    Scim,
    AwsIam,
    K8sRbac,
    Github,
    Okta,
    Entra,
    Google,
}

impl FileSource {
    pub const ALL: [FileSource; 8] = [
        FileSource::Ldif,
        FileSource::Scim,
        FileSource::AwsIam,
        FileSource::K8sRbac,
        FileSource::Github,
        FileSource::Okta,
        FileSource::Entra,
        FileSource::Google,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileSource::Ldif => "ldif",
            FileSource::Scim => "scim",
            FileSource::AwsIam => "aws-iam",
            FileSource::K8sRbac => "k8s-rbac",
            FileSource::Github => "github",
            FileSource::Okta => "okta",
            FileSource::Entra => "entra",
            FileSource::Google => "google",
        }
    }

    pub fn parse(name: &str) -> Option<FileSource> {
        FileSource::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// What to upload, for forms and errors.
    pub fn describe(self) -> &'static str {
        match self {
            FileSource::Ldif => "LDIF export of a directory",
            FileSource::Scim => "SCIM 2.0 Users and Groups (JSON)",
            FileSource::AwsIam => "aws iam get-account-authorization-details JSON (then, optionally, the credential report CSV)",
            FileSource::K8sRbac => "Kubernetes Role/ClusterRole/RoleBinding/ClusterRoleBinding YAML (one or more files)",
            FileSource::Github => "GitHub organisation bundle (REST API JSON) or a members array",
            FileSource::Okta => "Okta user export (CSV)",
            FileSource::Entra => "Microsoft Entra ID user export (CSV)",
            FileSource::Google => "Google Workspace user export (CSV)",
        }
    }
}

/// Parses `files` (name, bytes) of `source` as the access of `system`. Errors name the
/// file and the place in it.
pub fn parse(source: FileSource, system: &str, files: &[(String, Vec<u8>)], today: Date) -> Result<Imported, String> {
    let one = || match files {
        [(name, bytes)] => Ok((name.as_str(), bytes.as_slice())),
        _ => Err(format!("{} takes one file, not {}", source.as_str(), files.len())),
    };
    match source {
        FileSource::Ldif => {
            let (name, bytes) = one()?;
            let ldif = crate::ldif::parse(name, bytes).map_err(|e| e.to_string())?;
            let mut imported = crate::directory::to_records(system, &ldif.entries, today);
            imported.warnings.splice(0..0, ldif.warnings);
            Ok(imported)
        }
        FileSource::Scim => {
            let (name, bytes) = one()?;
            crate::scim::parse(name, system, bytes).map_err(|e| e.to_string())
        }
        FileSource::AwsIam => match files {
            [(name, bytes)] => crate::aws_iam::parse(system, name, bytes, None).map_err(|e| e.to_string()),
            [(name, bytes), (rname, rbytes)] => {
                crate::aws_iam::parse(system, name, bytes, Some((rname.as_str(), rbytes.as_slice()))).map_err(|e| e.to_string())
            }
            _ => Err(format!("aws-iam takes the authorization details and at most a credential report, not {} files", files.len())),
        },
        FileSource::K8sRbac if files.is_empty() => Err("k8s-rbac needs at least one file".into()),
        FileSource::K8sRbac => crate::k8s_rbac::parse(system, files).map_err(|e| e.to_string()),
        FileSource::Github => {
            let (name, bytes) = one()?;
            crate::github::parse(system, name, bytes).map_err(|e| e.to_string())
        }
        FileSource::Okta | FileSource::Entra | FileSource::Google => {
            let (name, bytes) = one()?;
            let vendor = match source {
                FileSource::Okta => Vendor::Okta,
                FileSource::Entra => Vendor::Entra,
                _ => Vendor::Google,
            };
            crate::vendor_csv::parse(vendor, system, name, bytes).map_err(|e| e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_has_a_unique_name_and_refuses_a_wrong_number_of_files() {
        for s in FileSource::ALL {
            assert_eq!(FileSource::parse(s.as_str()), Some(s));
            let three = vec![("a".to_string(), vec![]), ("b".to_string(), vec![]), ("c".to_string(), vec![])];
            if s != FileSource::K8sRbac {
                assert!(parse(s, "sys", &three, Date::constant(2026, 11, 26)).is_err(), "{s:?}");
            }
        }
    }

    #[test]
    fn an_ldif_upload_parses_like_the_command() {
        let ldif = b"dn: uid=ann,dc=example,dc=com\nobjectClass: inetOrgPerson\nuid: ann\ncn: Ann\nmail: ann@example.com\n";
        let out = parse(FileSource::Ldif, "ldap", &[("x.ldif".into(), ldif.to_vec())], Date::constant(2026, 11, 26)).unwrap();
        assert_eq!(out.accounts.len(), 1);
        assert_eq!(out.accounts[0].0.name, "ann");
        let err = parse(FileSource::Scim, "ldap", &[("x.json".into(), b"{".to_vec())], Date::constant(2026, 11, 26)).unwrap_err();
        assert!(err.starts_with("x.json:"), "{err}");
    }
}
