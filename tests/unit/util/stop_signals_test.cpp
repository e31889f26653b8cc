// The stop-signal watcher: the first signal is reported once, on the watcher's thread; the
// dispositions it found come back when it is destroyed.
#include "util/stop_signals.hpp"

#include <condition_variable>
#include <csignal>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace socialgate::util {
namespace {

struct Heard {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<int> signals;

  void Add(int signal) {
    std::lock_guard lock(mutex);
    signals.push_back(signal);
    changed.notify_all();
  }
  bool WaitFor(std::size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(5), [&] { return signals.size() >= n; });
  }
};

TEST(StopSignalsTest, TheFirstSignalIsReportedOnceAndLaterOnesAreSwallowed) {
  Heard heard;
  {
    auto watcher = StopSignals::Watch([&heard](int signal) { heard.Add(signal); });
    ASSERT_TRUE(watcher) << watcher.error().message;
    ASSERT_EQ(std::raise(SIGTERM), 0);
    ASSERT_TRUE(heard.WaitFor(1));
    ASSERT_EQ(std::raise(SIGINT), 0);  // swallowed: the process lives on
  }                                    // the destructor joins the watcher's thread
  std::lock_guard lock(heard.mutex);
  EXPECT_EQ(heard.signals, std::vector<int>{SIGTERM});
}

TEST(StopSignalsTest, OneWatcherAtATimeAndTheDispositionComesBack) {
  struct sigaction before {};
  ASSERT_EQ(::sigaction(SIGTERM, nullptr, &before), 0);
  {
    auto first = StopSignals::Watch([](int) {});
    ASSERT_TRUE(first);
    auto second = StopSignals::Watch([](int) {});
    EXPECT_FALSE(second);
  }
  struct sigaction after {};
  ASSERT_EQ(::sigaction(SIGTERM, nullptr, &after), 0);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
  EXPECT_TRUE(StopSignals::Watch([](int) {}));  // free again
}

TEST(StopSignalsTest, ANewWatcherHearsNewSignalsNotAnEarlierWatchersLeftovers) {
  {
    auto first = StopSignals::Watch([](int) {});
    ASSERT_TRUE(first);
    ASSERT_EQ(std::raise(SIGTERM), 0);  // may still sit in the pipe when `first` ends
  }
  Heard heard;
  auto second = StopSignals::Watch([&heard](int signal) { heard.Add(signal); });
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_EQ(std::raise(SIGINT), 0);
  ASSERT_TRUE(heard.WaitFor(1));
  std::lock_guard lock(heard.mutex);
  EXPECT_EQ(heard.signals, std::vector<int>{SIGINT});
}

TEST(StopSignalsTest, EachHangUpIsAReloadUntilAStopSignalCame) {
  Heard stops;
  Heard reloads;
  struct sigaction before {};
  ASSERT_EQ(::sigaction(SIGHUP, nullptr, &before), 0);
  {
    auto watcher = StopSignals::Watch([&stops](int signal) { stops.Add(signal); },
                                      [&reloads](int signal) { reloads.Add(signal); });
    ASSERT_TRUE(watcher) << watcher.error().message;
    ASSERT_EQ(std::raise(SIGHUP), 0);
    ASSERT_TRUE(reloads.WaitFor(1));
    ASSERT_EQ(std::raise(SIGHUP), 0);
    ASSERT_TRUE(reloads.WaitFor(2));
    ASSERT_EQ(std::raise(SIGTERM), 0);
    ASSERT_TRUE(stops.WaitFor(1));
    ASSERT_EQ(std::raise(SIGHUP), 0);  // after the stop: swallowed, and the process lives on
  }
  {
    std::lock_guard lock(reloads.mutex);
    EXPECT_EQ(reloads.signals, (std::vector<int>{SIGHUP, SIGHUP}));
  }
  struct sigaction after {};
  ASSERT_EQ(::sigaction(SIGHUP, nullptr, &after), 0);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
}

}  // namespace
}  // namespace socialgate::util
