// File: tests/integration/raw_socket.hpp
//
// A plain TCP connection to a test server on 127.0.0.1, for what libcurl cannot send: a header
// in pieces, a header without its body, garbage, idle connections, a request whose progress the
// test must see (100 Continue). Every read is bounded by a timeout.
//
// Thread safety: one thread uses a RawSocket.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "http_client.hpp"

namespace socialgate::testing {

// The first final (not 1xx) HTTP answer in `raw`: status, headers and the body its
// Content-Length announces (status 0 and transport_error set when there is none).
HttpResponse ParseRawResponse(std::string_view raw);

class RawSocket {
 public:
  // Connects to the port of `base_url` ("http://127.0.0.1:PORT" or https) on 127.0.0.1.
  explicit RawSocket(const std::string& base_url);
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return fd_ >= 0; }
  // The socket, for a test that layers TLS on it (RawSocket keeps ownership).
  int fd() const { return fd_; }
  // The peer closed (EOF) or reset the connection.
  bool closed() const { return closed_; }
  const std::string& received() const { return received_; }
  // What was received so far, which is then forgotten.
  std::string TakeReceived() { return std::exchange(received_, std::string()); }

  void Close();

  // False when the connection is closed or reset (it is then marked closed).
  bool SendAll(std::string_view data);

  // Reads until `text` has been received; false on close or timeout.
  bool ReadUntil(std::string_view text, std::chrono::milliseconds timeout);

  // Reads (keeping what arrives) until the peer closes or resets the connection: true, or the
  // timeout: false.
  bool WaitForClose(std::chrono::milliseconds timeout);

 private:
  bool ReadSome(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  bool closed_ = false;
  std::string received_;
};

}  // namespace socialgate::testing
