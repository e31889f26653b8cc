// File: core/error.hpp
//
// The gateway's error value and Result<T>. Every module boundary returns Result<T> instead of
// throwing: an Error carries a canonical code (mapped to an HTTP status in one place, api/),
// a caller-safe `message` (one sentence naming the field and the rule) and an internal `detail`
// that is logged but never returned to the caller.
//
//   Result<int> ParsePort(std::string_view s);
//   SG_ASSIGN_OR_RETURN(const int port, ParsePort("80"));  // returns the error if there is one
//   SG_RETURN_IF_ERROR(Listen(port));                       // the same for a Result<void>
//
// Thread safety: plain values; safe to copy across threads.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace socialgate::core {

// A short canonical set, modelled on absl::StatusCode. Return the most specific code.
enum class ErrorCode {
  kMalformed,             // the request does not have the contract's shape (not JSON, missing
                          // field, wrong type)
  kInvalidArgument,       // well-formed, but a value breaks a rule
  kUnauthenticated,       // no or wrong credentials
  kPermissionDenied,      // good credentials used outside their rights
  kNotFound,              // unknown domain, message or path
  kMethodNotAllowed,      // the path exists, the method does not
  kPayloadTooLarge,       // body over the configured limit
  kUnsupportedMediaType,  // not application/json
  kAlreadyExists,         // a duplicate where one is not allowed
  kResourceExhausted,     // over a rate or size limit
  kUnavailable,           // overloaded, storage or provider unavailable: try again later
  kDeadlineExceeded,      // a wait ran out
  kProviderRejected,      // the provider refused the message for good
  kInternal,              // a bug or an impossible state
};

struct [[nodiscard]] Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // shown to the caller: one sentence a person can act on
  std::string detail;   // logged only: may hold internals, never secrets or full phone numbers
};

// tl::expected is not [[nodiscard]] (Debian's version), so a Result that nobody looks at would
// compile silently: this one is, and with -Werror ignoring a returned Result is a compile
// error. Where ignoring it is the intent, say so with (void) and a comment why.
template <class T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using Base = tl::expected<T, Error>;
  using Base::Base;
  Result() = default;
  // From what tl::expected's own operations (and_then, map...) return.
  Result(Base other) : Base(std::move(other)) {}  // NOLINT(google-explicit-constructor)
};

// Builds an unexpected Error for `return MakeError(...)` in a function returning Result<T>.
inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message,
                                       std::string detail = {}) {
  return tl::unexpected<Error>(Error{code, std::move(message), std::move(detail)});
}

}  // namespace socialgate::core

// Propagation helpers, for functions that return a Result (of any T).
//
// SG_RETURN_IF_ERROR(expr): evaluates `expr` (a Result) and returns its error, if any.
#define SG_RETURN_IF_ERROR(expr)                                           \
  do {                                                                     \
    auto sg_result_ = (expr);                                              \
    if (!sg_result_) return tl::unexpected(std::move(sg_result_.error())); \
  } while (false)

// SG_ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (a Result<T>); returns its error, if any,
// else moves its value into `lhs`, which may declare a variable ("auto x"). Caveat (as absl's): it
// expands to more than one statement, so do not use it as the body of an unbraced if/else.
#define SG_ASSIGN_OR_RETURN(lhs, expr) \
  SG_ASSIGN_OR_RETURN_IMPL_(SG_RESULT_CONCAT_(sg_result_, __LINE__), lhs, expr)
#define SG_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr)             \
  auto result = (expr);                                          \
  if (!result) return tl::unexpected(std::move(result.error())); \
  lhs = std::move(*result)
#define SG_RESULT_CONCAT_(a, b) SG_RESULT_CONCAT_INNER_(a, b)
#define SG_RESULT_CONCAT_INNER_(a, b) a##b
