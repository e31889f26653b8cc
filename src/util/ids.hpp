// File: util/ids.hpp
//
// Message ids: UUID version 7 strings (48-bit Unix milliseconds, then random bits), so ids sort
// by creation time and never repeat across restarts or instances. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace socialgate::util {

std::string NewMessageId();
// The same for a given creation time (Unix milliseconds): what NewMessageId uses, and tests.
std::string NewMessageIdAt(std::int64_t unix_millis);

// A name for one running part of one process, unique across hosts and restarts:
// "<host>:<pid>:<12 random hex digits>" (the random tail keeps two parts of one process, or two
// processes with a recycled pid, apart). For lease owners and per-process rows in a database.
std::string NewInstanceName();

// Milliseconds since the Unix epoch, from the system clock: what timestamps are stored in.
std::int64_t NowUnixMillis();

// "2026-11-25T11:43:10.123Z"
std::string FormatUtcMillis(std::int64_t unix_millis);

}  // namespace socialgate::util
