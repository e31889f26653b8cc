// File: providers/meta/meta_errors.hpp
//
// How an answer of Meta's Graph API becomes a SendOutcome: accepted, rejected for good, or
// retry later. The table of Meta error codes lives in meta_errors.cpp, in one place, one row per
// code, each with a unit test; docs/providers/meta.md prints it. HTTP status alone is not a
// reliable signal (Meta sends throttling as HTTP 400), so the code decides where there is one.
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "providers/provider.hpp"

namespace socialgate::providers::meta {

enum class MetaAction {
  kFail,   // permanent for this message: never retried
  kRetry,  // a passing condition: retried with backoff
};

struct MetaErrorRule {
  int code;
  MetaAction action;
  const char* meaning;
  // Minimum wait before the next attempt when Meta says nothing (e.g. hourly rate windows).
  std::chrono::milliseconds min_retry_after{0};
};

// Every row of the table, for tests and documentation.
std::span<const MetaErrorRule> MetaErrorTable();

// The row for `code`, or nullptr when the code is not in the table.
const MetaErrorRule* FindMetaErrorRule(int code);

// "Retry-After: 120" (seconds) -> 120 s. HTTP dates and nonsense give nullopt.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value);

// Classifies a Graph API answer that did not succeed: `http_status` and `body` as received,
// `retry_after` from the Retry-After header. Unknown codes follow the HTTP status: 429 and 5xx
// retry, other 4xx fail.
SendOutcome ClassifyMetaFailure(long http_status, std::string_view body,
                                std::optional<std::chrono::milliseconds> retry_after);

}  // namespace socialgate::providers::meta
