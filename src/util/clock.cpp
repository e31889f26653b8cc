#include "util/clock.hpp"

#include "util/ids.hpp"

namespace socialgate::util {
namespace {

class System final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  std::int64_t UnixMillis() const override { return NowUnixMillis(); }
};

}  // namespace

const Clock& SystemClock() {
  static const System clock;
  return clock;
}

}  // namespace socialgate::util
