//! Deterministic, realistic demo data for one region.

use std::collections::HashSet;

use rusqlite::Connection;
use serde_json::{json, Map, Value};
use sm_contract::time::{format_rfc3339, DAY};
use sm_contract::{state_name, Rotation, SecretGroup, SecretMetadata, SecretType, Validity, VersionMetadata};

use crate::db::secrets::{StoredSecret, StoredVersion};
use crate::db::{self, DbError};
use crate::rng::SplitMix;
use crate::state::RegionInfo;

const SYSTEMS: &[&str] = &[
    "payments", "billing", "orders", "inventory", "checkout", "shipping", "identity", "search", "analytics", "ledger",
    "catalog", "notifications", "reporting", "gateway", "crm", "fraud", "loyalty", "pricing", "warehouse", "support",
];
const ENVS: &[&str] = &["", "-prod", "-staging", "-dev", "-eu", "-us", "-test", "-dr"];
const GROUPS: &[(&str, &str)] = &[
    ("payments-team", "Secrets owned by the payments platform team"),
    ("platform-infra", "Shared infrastructure credentials: databases, queues, caches"),
    ("ci-cd", "Deploy keys and API keys used by delivery pipelines"),
    ("customer-facing-tls", "Certificates for public endpoints"),
    ("data-analytics", "Warehouse and reporting credentials"),
    ("security-ops", "Break-glass and security tooling secrets"),
];

/// The seeded groups' ids, created on first use; deterministic per region.
fn ensure_groups(conn: &Connection, region: &str, now: i64) -> Result<Vec<String>, DbError> {
    let mut rng = SplitMix::from_str_seed(&format!("groups:{region}"));
    db::groups::ensure_default(conn, now - 400 * DAY)?;
    for (i, (name, description)) in GROUPS.iter().enumerate() {
        let id = rng.uuid();
        if db::groups::get(conn, &id)?.is_none() && !db::groups::name_taken(conn, name, None)? {
            let at = format_rfc3339(now - (380 - i as i64 * 20) * DAY);
            db::groups::upsert(
                conn,
                &SecretGroup { id, name: (*name).into(), description: Some((*description).into()), created_at: Some(at.clone()), updated_at: Some(at) },
            )?;
        }
    }
    db::groups::ids(conn)
}

/// Adds `count` secrets in one transaction; returns how many were added.
pub fn seed(conn: &mut Connection, region: &RegionInfo, count: u32, now: i64) -> Result<u32, DbError> {
    // Times are drawn relative to the start of the hour, not the second: two seedings of the same
    // region a moment apart (or across a restart) then produce identical data.
    let now = now - now.rem_euclid(3600);
    db::in_tx(conn, |tx| {
        let groups = ensure_groups(tx, &region.id, now)?;
        let existing = db::secrets::count(tx)?;
        let mut names: HashSet<(String, String)> = db::secrets::all_names(tx)?.into_iter().collect();
        // Salting with the current size keeps a second seeding from repeating the first one's ids.
        let mut rng = SplitMix::from_str_seed(&format!("secrets:{}:{existing}", region.id));
        for i in 0..count {
            let (secret, versions) = generate(&mut rng, region, &groups, &mut names, existing + u64::from(i), now);
            db::secrets::insert(tx, &secret)?;
            for v in &versions {
                db::secrets::add_version(tx, &secret.meta.id, v)?;
            }
            if let Some(current) = versions.last() {
                seed_locks(tx, &secret, &current.meta.id)?;
            }
        }
        Ok(count)
    })
}

/// Names of the locks a seeded secret may carry: the services that hold it open.
const LOCK_NAMES: [&str; 2] = ["deploy-pipeline", "payments-runtime"];

/// Real lock rows for the `locks_total` a seeded secret was given, on its current version.
fn seed_locks(conn: &Connection, secret: &StoredSecret, version_id: &str) -> Result<(), DbError> {
    let at = secret.meta.updated_at.as_deref().and_then(sm_contract::time::parse_rfc3339).unwrap_or(0);
    for name in LOCK_NAMES.iter().take(secret.meta.locks_total.unwrap_or(0) as usize) {
        db::locks::put(
            conn,
            &db::locks::StoredLock {
                secret_id: secret.meta.id.clone(),
                version_id: version_id.to_string(),
                name: (*name).to_string(),
                description: Some(format!("Held by {name} while it uses this secret")),
                attributes: None,
                created_at: at,
                updated_at: at,
                created_by: secret.meta.created_by.clone().unwrap_or_default(),
            },
        )?;
    }
    Ok(())
}

fn weighted_type(rng: &mut SplitMix, index: u64) -> SecretType {
    // The first nine cover every type so even a tiny seed shows them all.
    if index < 9 {
        return SecretType::ALL[index as usize].clone();
    }
    const WEIGHTS: [u64; 9] = [18, 10, 10, 14, 7, 7, 8, 20, 6];
    let mut r = rng.below(WEIGHTS.iter().sum());
    for (t, w) in SecretType::ALL.iter().zip(WEIGHTS) {
        if r < w {
            return t.clone();
        }
        r -= w;
    }
    SecretType::Arbitrary
}

fn name_parts(rng: &mut SplitMix, t: &SecretType) -> (&'static str, &'static str) {
    let parts: &[&str] = match t {
        SecretType::UsernamePassword => &["db-password", "postgres-password", "mysql-password", "mongo-password", "redis-password", "ldap-bind-password", "smtp-password", "sftp-password", "admin-password"],
        SecretType::Arbitrary => &["api-key", "webhook-secret", "signing-key", "encryption-key", "session-secret", "license-key", "bearer-token", "stripe-key"],
        SecretType::Kv => &["config", "settings", "feature-flags", "connection", "env"],
        SecretType::ImportedCert => &["tls-cert", "ingress-cert", "mtls-cert", "edge-cert"],
        SecretType::PublicCert => &["www-cert", "public-api-cert", "portal-cert"],
        SecretType::PrivateCert => &["internal-cert", "client-cert", "service-mesh-cert"],
        SecretType::IamCredentials => &["service-id-key", "ci-deployer-key", "iam-api-key"],
        SecretType::ServiceCredentials => &["cos-hmac", "cloudant-creds", "event-streams-creds", "db-service-creds"],
        SecretType::CustomCredentials => &["vault-token", "partner-oauth-client", "saas-credentials"],
        SecretType::Other(_) => &["secret"],
    };
    (*rng.pick(SYSTEMS), *rng.pick(parts))
}

fn description(system: &str, part: &str, t: &SecretType) -> String {
    let what = part.replace('-', " ");
    match t {
        SecretType::UsernamePassword => format!("Credentials of the {system} service user ({what})"),
        SecretType::Kv => format!("Runtime {what} for the {system} service"),
        SecretType::ImportedCert | SecretType::PublicCert | SecretType::PrivateCert => format!("TLS certificate for {system} endpoints ({what})"),
        SecretType::IamCredentials => format!("IAM API key used by the {system} deployment pipeline"),
        _ => format!("{} for the {system} service", capitalize(&what)),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

pub fn fake_pem(rng: &mut SplitMix, label: &str) -> String {
    let body: Vec<String> = (0..12).map(|_| rng.alnum(64)).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----", body.join("\n"))
}

/// Secret data of a new version for a type, as the service would generate or a user would upload.
pub fn version_data(rng: &mut SplitMix, t: &SecretType, system: &str) -> Map<String, Value> {
    let v = match t {
        SecretType::Arbitrary => json!({"payload": rng.alnum(40)}),
        SecretType::UsernamePassword => json!({"username": format!("svc_{system}"), "password": rng.alnum(32)}),
        SecretType::Kv => json!({"data": {"host": format!("{system}.internal.example.com"), "port": 5432 + rng.below(100), "user": format!("{system}_app"), "pool_size": 10 + rng.below(40)}}),
        SecretType::IamCredentials => json!({"api_key": rng.alnum(44)}),
        SecretType::ImportedCert => json!({"certificate": fake_pem(rng, "CERTIFICATE"), "intermediate": fake_pem(rng, "CERTIFICATE"), "private_key": fake_pem(rng, "PRIVATE KEY")}),
        SecretType::PublicCert => json!({"certificate": fake_pem(rng, "CERTIFICATE"), "intermediate": fake_pem(rng, "CERTIFICATE"), "private_key": fake_pem(rng, "PRIVATE KEY")}),
        SecretType::PrivateCert => {
            let ca = fake_pem(rng, "CERTIFICATE");
            json!({"certificate": fake_pem(rng, "CERTIFICATE"), "private_key": fake_pem(rng, "RSA PRIVATE KEY"), "issuing_ca": ca, "ca_chain": [ca]})
        }
        SecretType::ServiceCredentials => json!({"credentials": {
            "apikey": rng.alnum(44), "iam_apikey_name": format!("{system}-key"),
            "iam_role_crn": "crn:v1:bluemix:public:iam::::serviceRole:Writer",
            "iam_serviceid_crn": format!("crn:v1:bluemix:public:iam-identity::a/{}::serviceid:ServiceId-{}", rng.hex(32), rng.uuid()),
            "resource_instance_id": rng.uuid()}}),
        SecretType::CustomCredentials => json!({"credentials_content": {"token": rng.alnum(48), "expires_in": 3600}}),
        SecretType::Other(_) => json!({"payload": rng.alnum(40)}),
    };
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn has_expiration(t: &SecretType) -> bool {
    matches!(t, SecretType::Arbitrary | SecretType::UsernamePassword | SecretType::ImportedCert | SecretType::PublicCert | SecretType::PrivateCert)
}

fn rotates(t: &SecretType) -> bool {
    matches!(t, SecretType::UsernamePassword | SecretType::PublicCert | SecretType::PrivateCert | SecretType::ServiceCredentials | SecretType::CustomCredentials | SecretType::IamCredentials)
}

fn generate(
    rng: &mut SplitMix,
    region: &RegionInfo,
    groups: &[String],
    names: &mut HashSet<(String, String)>,
    index: u64,
    now: i64,
) -> (StoredSecret, Vec<StoredVersion>) {
    let t = weighted_type(rng, index);
    let (system, part) = name_parts(rng, &t);
    let env = *rng.pick(ENVS);
    let base = format!("{system}-{part}{env}");
    let mut name = base.clone();
    let mut n = 2;
    while !names.insert((name.clone(), t.as_str().to_string())) {
        name = format!("{base}-{n}");
        n += 1;
    }
    let id = rng.uuid();
    let created = now - rng.range(DAY, 900 * DAY);
    let updated = created + rng.range(0, now - created);
    let retrieved = rng.chance(0.6).then(|| updated + rng.range(0, now - updated));

    let expiration = if has_expiration(&t) && (rng.chance(0.75) || t.as_str().ends_with("cert")) {
        let r = rng.unit();
        Some(if r < 0.1 {
            now - rng.range(3600, 120 * DAY)
        } else if r < 0.25 {
            now + rng.range(3600, 30 * DAY)
        } else {
            now + rng.range(31 * DAY, 730 * DAY)
        })
    } else {
        None
    };
    let state = match rng.below(100) {
        0..=2 => 0,
        3..=5 => 2,
        6..=7 => 3,
        8..=9 => 5,
        _ => 1,
    };
    let mut labels: Vec<String> = Vec::new();
    for _ in 0..rng.below(5) {
        let l = match rng.below(8) {
            0 => env.trim_start_matches('-').to_string(),
            1 => region.id.clone(),
            2 => format!("team-{system}"),
            3 => "pci".into(),
            4 => "gdpr".into(),
            5 => "tier-1".into(),
            6 => "rotation-managed".into(),
            _ => "critical".into(),
        };
        if l.len() >= 2 && !labels.contains(&l) {
            labels.push(l);
        }
    }
    let rotation = rotates(&t).then(|| {
        let auto = rng.chance(0.5);
        let (interval, unit) = if rng.chance(0.7) { (*rng.pick(&[30u64, 60, 90]), "day") } else { (rng.range(1, 12) as u64, "month") };
        Rotation { auto_rotate: auto, interval: Some(interval), unit: Some(unit.into()) }
    });
    let next_rotation = rotation.as_ref().filter(|r| r.auto_rotate).map(|r| {
        let step = r.interval.unwrap_or(30) as i64 * if r.unit.as_deref() == Some("month") { 30 * DAY } else { DAY };
        updated + step
    });
    let is_cert = matches!(t, SecretType::ImportedCert | SecretType::PublicCert | SecretType::PrivateCert);
    let created_by =
        if rng.chance(0.6) { format!("iam-ServiceId-{}", rng.uuid()) } else { format!("IBMid-{}", rng.hex(10).to_uppercase()) };
    let versions_n = 1 + rng.below(5);
    let group = if rng.chance(0.3) || groups.is_empty() { "default".to_string() } else { rng.pick(groups).clone() };

    let meta = SecretMetadata {
        id: id.clone(),
        name,
        secret_type: t.clone(),
        secret_group_id: group,
        state: Some(state),
        state_description: Some(state_name(state).into()),
        crn: Some(region.crn(&id)),
        labels,
        description: (!rng.chance(0.15)).then(|| description(system, part, &t)),
        created_at: Some(format_rfc3339(created)),
        created_by: Some(created_by.clone()),
        updated_at: Some(format_rfc3339(updated)),
        retrieved_at: retrieved.map(format_rfc3339),
        expiration_date: expiration.map(format_rfc3339),
        downloaded: Some(retrieved.is_some()),
        locks_total: Some(if rng.chance(0.05) { 1 + rng.below(2) } else { 0 }),
        versions_total: Some(versions_n),
        custom_metadata: rng.chance(0.2).then(|| {
            let mut m = Map::new();
            m.insert("owner".into(), json!(format!("team-{system}")));
            m.insert("cost_center".into(), json!(format!("CC-{}", 1000 + rng.below(9000))));
            m
        }),
        rotation,
        next_rotation_date: next_rotation.map(format_rfc3339),
        ttl: matches!(t, SecretType::IamCredentials | SecretType::ServiceCredentials | SecretType::CustomCredentials)
            .then(|| (*rng.pick(&["24h", "7d", "30d", "90d"])).to_string()),
        common_name: is_cert.then(|| format!("{system}.example.com")),
        alt_names: is_cert.then(|| vec![format!("{system}.example.com"), format!("api.{system}.example.com")]),
        issuer: is_cert.then(|| match t {
            SecretType::PublicCert => "Let's Encrypt R11".to_string(),
            SecretType::PrivateCert => "Example Internal Intermediate CA".to_string(),
            _ => "DigiCert Global G2 TLS RSA SHA256 2020 CA1".to_string(),
        }),
        serial_number: is_cert.then(|| {
            let h = rng.hex(32);
            h.as_bytes().chunks(2).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(":")
        }),
        validity: is_cert.then(|| Validity { not_before: Some(format_rfc3339(created)), not_after: expiration.map(format_rfc3339) }),
        key_algorithm: is_cert.then(|| (*rng.pick(&["RSA2048", "RSA4096", "ECDSA256"])).to_string()),
        service_id: None,
        access_groups: None,
        reuse_api_key: None,
    };
    let mut extra = Map::new();
    if t == SecretType::IamCredentials {
        extra.insert("reuse_api_key".into(), json!(rng.chance(0.5)));
        extra.insert("access_groups".into(), json!([format!("AccessGroupId-{}", rng.uuid())]));
        extra.insert("service_id".into(), json!(format!("ServiceId-{}", rng.uuid())));
    }
    let span = (updated - created).max(1);
    let versions = (0..versions_n)
        .map(|k| {
            let at = created + span * k as i64 / versions_n as i64;
            StoredVersion {
                meta: VersionMetadata {
                    id: rng.uuid(),
                    secret_id: Some(id.clone()),
                    created_at: Some(format_rfc3339(at)),
                    created_by: Some(created_by.clone()),
                    auto_rotated: Some(k > 0 && meta.rotation.as_ref().is_some_and(|r| r.auto_rotate)),
                    downloaded: Some(k + 1 == versions_n && retrieved.is_some()),
                    payload_available: Some(true),
                    alias: None,
                    expiration_date: if k + 1 == versions_n { meta.expiration_date.clone() } else { None },
                },
                data: version_data(rng, &t, system),
            }
        })
        .collect();
    (StoredSecret { meta, extra }, versions)
}
