//! TLS to the instance: verified against a CA generated here (passed with `--upstream-ca`), and
//! refused, with a reason a person can act on, when the instance's certificate is from another CA.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use serde_json::Value;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

fn ca(name: &str) -> Ca {
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, name);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let key = KeyPair::generate().expect("key");
    let cert = p.self_signed(&key).expect("self-signed");
    Ca { cert, key }
}

/// A TLS front for a real emulator: terminates TLS with a `localhost` certificate signed by `ca` and
/// relays the bytes to the emulator, as a load balancer in front of an instance does.
async fn tls_front(ca: &Ca, backend: String) -> u16 {
    let leaf_params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).expect("params");
    let leaf_key = KeyPair::generate().expect("key");
    let leaf = leaf_params.signed_by(&leaf_key, &ca.cert, &ca.key).expect("signed");
    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let config = ServerConfig::builder().with_no_client_auth().with_single_cert(chain, key).expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let backend = backend.trim_start_matches("http://").to_string();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, backend) = (acceptor.clone(), backend.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let Ok(mut up) = tokio::net::TcpStream::connect(&backend).await else { return };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
            });
        }
    });
    port
}

#[tokio::test]
async fn verified_with_the_given_ca_and_refused_with_another() {
    let tmp = TempDir::new("tls");
    let region = Region::start(&tmp, "us-south", &["--seed", "5"]);
    let good = ca("Test instance CA");
    let port = tls_front(&good, region.data.clone()).await;
    let upstream = format!("https://localhost:{port}");
    let good_pem = tmp.join("good-ca.pem");
    std::fs::write(&good_pem, good.cert.pem()).expect("write");
    let wrong_pem = tmp.join("wrong-ca.pem");
    std::fs::write(&wrong_pem, ca("Some other CA").cert.pem()).expect("write");
    let c = client();

    let gw = Gateway::start(&tmp, "us-south", &upstream, &tmp.join("gw-good"), &["--upstream-ca", &good_pem.display().to_string(), "--probe-every-ms", "300"]);
    assert!(gw.proc.line.contains(&format!("upstream={upstream}")), "{}", gw.proc.line);
    let (s, page) = get_json(&c, &gw.url("/api/v2/secrets?limit=2")).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["secrets"].as_array().map(Vec::len), Some(2));
    // The emulator writes links on the host it was asked for, here the TLS front: rewritten too.
    assert!(page["next"]["href"].as_str().is_some_and(|h| h.starts_with("/api/v2/secrets?")), "{page}");
    assert!(wait_for(Duration::from_secs(5), || async { (doc_status(&c, &gw).await == "operational").then_some(()) }).await.is_some());

    let bad = Gateway::start(&tmp, "us-south", &upstream, &tmp.join("gw-bad"), &["--upstream-ca", &wrong_pem.display().to_string(), "--probe-every-ms", "300"]);
    let r = c.get(bad.url("/api/v2/secrets?limit=2")).send().await.expect("request");
    assert_eq!(r.status().as_u16(), 502);
    let err: Value = r.json().await.expect("error body");
    let msg = err["errors"][0]["message"].as_str().unwrap_or_default().to_string();
    assert!(msg.contains("TLS verification failed") && msg.contains("--upstream-ca"), "{msg}");
    assert!(wait_for(Duration::from_secs(5), || async { (doc_status(&c, &bad).await == "major_outage").then_some(()) }).await.is_some(), "an untrusted instance is not up");

    // And with only the Mozilla roots, a private CA is refused the same way.
    let none = Gateway::start(&tmp, "us-south", &upstream, &tmp.join("gw-none"), &[]);
    let r = c.get(none.url("/api/v2/secrets?limit=2")).send().await.expect("request");
    assert_eq!(r.status().as_u16(), 502);
}
