#include "util/clock.hpp"

#include "util/ids.hpp"

namespace socialgate::util {
namespace {

class Steady final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  std::int64_t UnixMillis() const override { return NowUnixMillis(); }
};

}  // namespace

const Clock& SteadyClock() {
  static const Steady clock;
  return clock;
}

}  // namespace socialgate::util
