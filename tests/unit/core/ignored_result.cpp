// Not built: tests/unit/core/CMakeLists.txt compiles it and expects the compiler to refuse it,
// because a core::Result that nobody looks at is an error (core/error.hpp). If this file ever
// compiles, a failure was about to be ignored silently somewhere.
#include "core/error.hpp"

namespace {

socialgate::core::Result<void> Store() {
  return socialgate::core::MakeError(socialgate::core::ErrorCode::kUnavailable, "disk full");
}

}  // namespace

int main() {
  Store();  // ignored: must not compile
  return 0;
}
