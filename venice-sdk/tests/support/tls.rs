//! A TLS loopback server for tests that need an `https://` host: a fixed test
//! CA and a certificate for `127.0.0.1` / `localhost` (valid 2000–2100),
//! served with rustls' aws-lc-rs provider (the one the `rustls` feature
//! already builds). The key is a test fixture, not a secret.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::{Reply, read_request, write_http};

/// The test CA, to trust in the client.
pub const CA_PEM: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIBbjCCARSgAwIBAgICEAAwCgYIKoZIzj0EAwIwHTEbMBkGA1UEAwwSdmVuaWNl\n\
LXNkayB0ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAd\n\
MRswGQYDVQQDDBJ2ZW5pY2Utc2RrIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjO\n\
PQMBBwNCAAR4uJEwf/W/JwonwlKsVCmilpDQBwz34weiwqkQoQcgPUptdlonv+yQ\n\
TDaQo1Fcgqx23Xvx1aCGaR2vWP4sEgvZo0IwQDAPBgNVHRMBAf8EBTADAQH/MA4G\n\
A1UdDwEB/wQEAwICBDAdBgNVHQ4EFgQUCRmyuP/3pnD8jU7r2RaGMgkTY5EwCgYI\n\
KoZIzj0EAwIDSAAwRQIhAL3s5uRwmapWGZDKn132jMxgudzSfRJskzyYSrl+pCsI\n\
AiATqAErvRmg/e+hHswEV22uBKmEpaFUGtVBvuhso/0xJA==\n\
-----END CERTIFICATE-----\n\
";

/// The server's certificate, signed by [`CA_PEM`].
const LEAF_PEM: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIBtjCCAVygAwIBAgICEAEwCgYIKoZIzj0EAwIwHTEbMBkGA1UEAwwSdmVuaWNl\n\
LXNkayB0ZXN0IENBMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAU\n\
MRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQ2\n\
WukLwf/d/QIe1BAD9hSQWRbkWTrAsdCNhLE39erdNgyODq8xUvJU0+TbcOVz0fjg\n\
9v488glz5zEJciziSMJHo4GSMIGPMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQD\n\
AgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMBoGA1UdEQQTMBGHBH8AAAGCCWxvY2Fs\n\
aG9zdDAdBgNVHQ4EFgQUTiKGhKS9zvboxZPm+Y6EXTUxH6kwHwYDVR0jBBgwFoAU\n\
CRmyuP/3pnD8jU7r2RaGMgkTY5EwCgYIKoZIzj0EAwIDSAAwRQIgRQpFeA25WKbr\n\
K+OyfcVgKroi/UBSJ0KnPiZclJfKRiQCIQDhcppqQVlq9CVCeBE54YDK4N7cw0FQ\n\
mnGj9h1JpEy3bQ==\n\
-----END CERTIFICATE-----\n\
";

/// The server's key (PKCS #8), a test fixture.
const KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGt8+tIV8RCwyDh7w\n\
4C7YyBU/2zQuY5+dORe78ApiO3ahRANCAAQ2WukLwf/d/QIe1BAD9hSQWRbkWTrA\n\
sdCNhLE39erdNgyODq8xUvJU0+TbcOVz0fjg9v488glz5zEJciziSMJH\n\
-----END PRIVATE KEY-----\n\
";

/// An `https://127.0.0.1:<port>` server answering each connection's request
/// with the next [`Reply::Http`] of its script (the last one repeated).
pub struct TlsServer {
    pub base: String,
    pub attempts: Arc<AtomicUsize>,
    pub requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl TlsServer {
    pub async fn start(script: Vec<Reply>) -> TlsServer {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let certs = vec![CertificateDer::from_pem_slice(LEAF_PEM.as_bytes()).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(KEY_PEM.as_bytes()).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("https://{}", listener.local_addr().unwrap());
        let attempts = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (a, r) = (attempts.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let i = a.fetch_add(1, Ordering::SeqCst);
                let reply = script[i.min(script.len() - 1)].clone();
                let (acceptor, r) = (acceptor.clone(), r.clone());
                tokio::spawn(async move {
                    let Ok(mut stream) = acceptor.accept(socket).await else {
                        return;
                    };
                    let request = read_request(&mut stream).await;
                    r.lock().unwrap().push(request);
                    let Reply::Http {
                        status,
                        headers,
                        body,
                    } = reply
                    else {
                        panic!("the TLS server answers Reply::Http only");
                    };
                    write_http(&mut stream, status, &headers, &body).await;
                });
            }
        });
        TlsServer {
            base,
            attempts,
            requests,
        }
    }

    /// A reqwest client that trusts the test CA and, like the SDK's own,
    /// follows no redirect.
    pub fn http_client() -> reqwest::Client {
        reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(CA_PEM.as_bytes()).unwrap()])
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }
}
