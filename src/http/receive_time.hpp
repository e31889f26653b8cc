// File: http/receive_time.hpp
//
// Kernel receive timestamps (SO_TIMESTAMPNS) on a TCP socket: when a request's bytes reached
// this host, not when a busy server got round to reading them. fake-graph records them, so a
// benchmark counts the gateway's per-number rate as it was on the wire, free of the fake's own
// scheduling delays on a machine whose cores the gateway and the load generator share.
#pragma once

#include <cstddef>
#include <cstdint>

namespace socialgate::http {

// Asks the kernel to time-stamp what arrives on the socket. False (errno set) if it refuses.
bool EnableReceiveTimestamps(int fd);

struct TimestampedRead {
  long bytes = 0;  // > 0 read, 0 at the end of the stream, -1 on error
  int error = 0;   // errno when bytes is -1 (EAGAIN: nothing to read yet)
  // When the kernel received the last segment read (Unix time, microseconds); 0 when no
  // timestamp came with the bytes (EnableReceiveTimestamps was not called, or failed).
  std::int64_t unix_micros = 0;
};

// One non-blocking recvmsg(2) of at most `size` bytes into `data`.
TimestampedRead ReadTimestamped(int fd, void* data, std::size_t size);

}  // namespace socialgate::http
