// File: providers/meta/meta_errors.hpp
//
// How an answer of Meta's Graph API becomes a SendOutcome: accepted, rejected for good, or
// retry later. The answer's values are read by graph_answer.hpp, never here. The table of Meta
// error codes lives in meta_errors.cpp, in one place, one row per code, each with a unit test;
// docs/providers/meta.md prints it. HTTP status alone is not a reliable signal (Meta sends
// throttling as HTTP 400), so the code decides where there is one.
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

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
  // Only with kRetry: the code says Meta itself is unwell (downtime, a server error), so the
  // outcome is SendOutcome::provider_unwell. Throttling codes are not: Meta works as designed.
  bool unwell = false;
};

// Every row of the table, for tests and documentation.
std::span<const MetaErrorRule> MetaErrorTable();

// The row for `code`, or nullptr when the code is not in the table.
const MetaErrorRule* FindMetaErrorRule(int code);

// "Retry-After: 120" (seconds) -> 120 s. HTTP dates and nonsense give nullopt.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value);

// Every outcome below that is not kAccepted has an error_code of at most kMaxOutcomeCodeBytes
// ASCII letters, digits and '_', and an error_message of one line of valid UTF-8 of at most
// kMaxOutcomeMessageBytes: an answer's text is cut (graph_answer.hpp), never passed on whole.
inline constexpr std::size_t kMaxOutcomeCodeBytes = 32;
inline constexpr std::size_t kMaxOutcomeMessageBytes = 640;

// Classifies a Graph API answer that did not succeed: `http_status` and `body` as received,
// `retry_after` from the Retry-After header. A usable Graph error (graph_answer.hpp) is
// classified by its code; unknown codes follow the HTTP status: 429 and 5xx retry, other 4xx
// fail. Without a usable Graph error: 408, 429, 5xx and statuses that are not HTTP statuses
// (below 100 or above 599) retry, others fail, with the reason the body was unusable.
// provider_unwell is set for the table's unwell codes and, without a usable Graph error, for
// an error_code starting "http_5" (a 5xx; also the nonsense statuses 5 and 50 to 59).
SendOutcome ClassifyMetaFailure(long http_status, std::string_view body,
                                std::optional<std::chrono::milliseconds> retry_after);

// Classifies the answer to POST /messages: a 2xx with a usable message id is accepted (with
// the wa_id when usable; `note`, when given, is set to what the answer carried that was left
// out, for the log); a 2xx without one is retried as "bad_response" with the reason (the
// message may or may not have been taken, and cannot be tracked), provider_unwell; any other
// status is ClassifyMetaFailure.
SendOutcome ClassifySendAnswer(long http_status, std::string_view body,
                               std::optional<std::chrono::milliseconds> retry_after,
                               std::string* note = nullptr);

// Classifies the answer to POST /media: the media id of a 2xx with a usable one, or the failed
// attempt's outcome, its message starting "media upload: " (a 2xx without a usable id is
// retried as "bad_response", provider_unwell; other statuses as ClassifyMetaFailure).
tl::expected<std::string, SendOutcome> ClassifyUploadAnswer(
    long http_status, std::string_view body, std::optional<std::chrono::milliseconds> retry_after);

}  // namespace socialgate::providers::meta
