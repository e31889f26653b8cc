// File: tests/integration/tls_files.hpp
//
// A fresh self-signed certificate for 127.0.0.1 (EC P-256, valid one day) written as PEM files,
// so TLS tests need no key material in the repository and nothing that expires.
//
//   TlsFiles files = WriteSelfSignedCertificate(gateway.dir());
//   // files.cert_path, files.key_path
#pragma once

#include <string>

namespace socialgate::testing {

struct TlsFiles {
  std::string cert_path;  // empty when generation failed (a test failure has been added)
  std::string key_path;
};

// Writes <dir>/cert.pem and <dir>/key.pem.
TlsFiles WriteSelfSignedCertificate(const std::string& dir);

}  // namespace socialgate::testing
