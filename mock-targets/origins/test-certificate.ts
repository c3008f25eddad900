/**
 * A test-only certificate authority and a server certificate it signed, for the loopback mock
 * origins (127.0.0.1, ::1, localhost) and nothing else. EC P-256, valid until 2126, generated once
 * with `openssl` (commands below) so runs and CI need neither openssl nor a key-generation step.
 *
 * Committing the server's private key is fine because it protects nothing: it only lets a client
 * inside one benchmark run talk TLS to an origin on the same machine, and clients trust this CA
 * only when the harness hands it to them for that run (never the system store). The CA's own key
 * was discarded after signing, so nobody, us included, can issue another certificate under it.
 *
 * Regenerate (and replace all three constants together):
 *   openssl ecparam -name prime256v1 -genkey -noout -out ca.key
 *   openssl req -x509 -new -key ca.key -sha256 -days 36525 -subj "/CN=proxybench test CA (loopback only)" \
 *     -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
 *   openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out server.key
 *   openssl req -new -key server.key -subj "/CN=localhost" -out server.csr
 *   openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 36500 -sha256 -out server.pem \
 *     -extfile <(printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature' \
 *       'extendedKeyUsage=serverAuth' 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost' \
 *       'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid')
 *   rm ca.key
 */

/** PEM of the test CA: what a client passes as `ca` to trust the mock HTTPS origin. */
export const TEST_CA_PEM = `
-----BEGIN CERTIFICATE-----
MIIBxDCCAWqgAwIBAgIUJ4IGNA38h82jXPl5cY3HAFwS0CcwCgYIKoZIzj0EAwIw
LTErMCkGA1UEAwwicHJveHliZW5jaCB0ZXN0IENBIChsb29wYmFjayBvbmx5KTAg
Fw0yNjExMjMxOTM2NDdaGA8yMTI2MTEyNDE5MzY0N1owLTErMCkGA1UEAwwicHJv
eHliZW5jaCB0ZXN0IENBIChsb29wYmFjayBvbmx5KTBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABAbKMfrwQIDF8LYn/ld27MFYS0Btr8hB3p2sBa3cqoj7xaGbIGhS
FGSsVFIWQVQq0hfDVsxpCqX24zZsJgRv+f6jZjBkMB0GA1UdDgQWBBQrFd4A23mc
q+OnYWHN7rPKjJFvSzAfBgNVHSMEGDAWgBQrFd4A23mcq+OnYWHN7rPKjJFvSzAS
BgNVHRMBAf8ECDAGAQH/AgEAMA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAgNI
ADBFAiEA+Eneb7VlxS4fwDRMDu1d4lBl9TT4RPsDQwEkTKd9wcACIA2iyhOeY/E+
a4nBvjhjZb+Li9xyVv0kDDsxAQTQEtkO
-----END CERTIFICATE-----
`.trimStart();

/** PEM of the mock origin's certificate (SAN: IP 127.0.0.1, IP ::1, DNS localhost), signed by the test CA. */
export const TEST_SERVER_CERT_PEM = `
-----BEGIN CERTIFICATE-----
MIIB6jCCAZCgAwIBAgIUKKsO5vjnyqYpCKjitGKJc8LsE4swCgYIKoZIzj0EAwIw
LTErMCkGA1UEAwwicHJveHliZW5jaCB0ZXN0IENBIChsb29wYmFjayBvbmx5KTAg
Fw0yNjExMjMxOTM2NDdaGA8yMTI2MTAzMDE5MzY0N1owFDESMBAGA1UEAwwJbG9j
YWxob3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAErHTGU0QZQvjPJ0bUNLCk
n85SE6cSsoFR4WQZs2kKDSbXkyybb6t/bRtECiSihVZ1Lwo2KOaHSneSFH1pCzzj
KaOBpDCBoTAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDATBgNVHSUEDDAK
BggrBgEFBQcDATAsBgNVHREEJTAjhwR/AAABhxAAAAAAAAAAAAAAAAAAAAABggls
b2NhbGhvc3QwHQYDVR0OBBYEFBiRaarkTAUk8tiepKxenZ8EtdEdMB8GA1UdIwQY
MBaAFCsV3gDbeZyr46dhYc3us8qMkW9LMAoGCCqGSM49BAMCA0gAMEUCIQDTNPfK
Dpq4zCyuDE1m5/kwarGMiF+pShuMYacdXKVd9wIgbTkW1P6JWC4Bd0jKjHPTfb2V
Hm030kD+Vd0AO2rORNU=
-----END CERTIFICATE-----
`.trimStart();

/** PEM (PKCS#8) of the mock origin's private key. Test-only: see the note at the top of this file. */
export const TEST_SERVER_KEY_PEM = `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgLsF5jSLRMly7uy5a
QmacO92KumWl87cs//62eCmktBehRANCAASsdMZTRBlC+M8nRtQ0sKSfzlITpxKy
gVHhZBmzaQoNJteTLJtvq39tG0QKJKKFVnUvCjYo5odKd5IUfWkLPOMp
-----END PRIVATE KEY-----
`.trimStart();
