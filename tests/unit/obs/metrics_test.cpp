#include "obs/metrics.hpp"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace socialgate::obs {
namespace {

TEST(MetricsTest, CountersShowEverySeriesSortedWithHelpAndType) {
  Registry r;
  auto& requests =
      r.AddCounter("socialgate_requests_total", "Requests answered.", {"endpoint", "status"});
  requests.With({"/b", "200"}).Add(2);
  requests.With({"/a", "404"}).Add();
  r.AddCounter("socialgate_starts_total", "Starts.");
  EXPECT_EQ(r.Exposition(),
            "# HELP socialgate_requests_total Requests answered.\n"
            "# TYPE socialgate_requests_total counter\n"
            "socialgate_requests_total{endpoint=\"/a\",status=\"404\"} 1\n"
            "socialgate_requests_total{endpoint=\"/b\",status=\"200\"} 2\n"
            "# HELP socialgate_starts_total Starts.\n"
            "# TYPE socialgate_starts_total counter\n"
            "socialgate_starts_total 0\n");
}

TEST(MetricsTest, TheSameNameIsTheSameFamily) {
  Registry r;
  auto& a = r.AddCounter("socialgate_x_total", "X.", {"k"});
  auto& b = r.AddCounter("socialgate_x_total", "ignored", {"ignored"});
  EXPECT_EQ(&a, &b);
  a.With({"v"}).Add(3);
  EXPECT_EQ(b.With({"v"}).Value(), 3u);
  // The same series, found again by its labels.
  EXPECT_EQ(&a.With({"v"}), &b.With({"v"}));
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry r;
  auto& h = r.AddHistogram("socialgate_commit_duration_seconds", "Commits.", {"engine"},
                           {0.001, 0.01, 0.1});
  auto& s = h.With({"sqlite"});
  s.Observe(0.0005);
  s.Observe(0.001);  // a bound is inclusive
  s.Observe(0.05);
  s.Observe(3);
  EXPECT_EQ(r.Exposition(),
            "# HELP socialgate_commit_duration_seconds Commits.\n"
            "# TYPE socialgate_commit_duration_seconds histogram\n"
            "socialgate_commit_duration_seconds_bucket{engine=\"sqlite\",le=\"0.001\"} 2\n"
            "socialgate_commit_duration_seconds_bucket{engine=\"sqlite\",le=\"0.01\"} 2\n"
            "socialgate_commit_duration_seconds_bucket{engine=\"sqlite\",le=\"0.1\"} 3\n"
            "socialgate_commit_duration_seconds_bucket{engine=\"sqlite\",le=\"+Inf\"} 4\n"
            "socialgate_commit_duration_seconds_sum{engine=\"sqlite\"} 3.0515\n"
            "socialgate_commit_duration_seconds_count{engine=\"sqlite\"} 4\n");
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeHelp("a\\b\"c\nd"), "a\\\\b\"c\\nd");
  Registry r;
  r.AddGauge("socialgate_g", "Line one\nline two.", {"k"}).With({"x\"y"}).Set(1.5);
  EXPECT_EQ(r.Exposition(),
            "# HELP socialgate_g Line one\\nline two.\n"
            "# TYPE socialgate_g gauge\n"
            "socialgate_g{k=\"x\\\"y\"} 1.5\n");
}

TEST(MetricsTest, SampleValuesUseTheFormatsSpellings) {
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(12), "12");
  EXPECT_EQ(FormatSampleValue(0.25), "0.25");
  EXPECT_EQ(FormatSampleValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatSampleValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(FormatSampleValue(0.0 / 0.0), "NaN");
}

TEST(MetricsTest, CollectorsRunAtEachScrapeWhileTheirHandleLives) {
  Registry r;
  auto& depth = r.AddGauge("socialgate_outbox_depth_messages", "Due.");
  int calls = 0;
  {
    auto handle = r.AddCollector([&] { depth.Get().Set(++calls * 10); });
    EXPECT_NE(r.Exposition().find("socialgate_outbox_depth_messages 10\n"), std::string::npos);
    EXPECT_NE(r.Exposition().find("socialgate_outbox_depth_messages 20\n"), std::string::npos);
    Registry::CollectorHandle moved = std::move(handle);
    r.Exposition();
    EXPECT_EQ(calls, 3);
  }
  r.Exposition();
  EXPECT_EQ(calls, 3);
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  Registry r;
  auto& family = r.AddCounter("socialgate_c_total", "C.", {"t"});
  auto& h = r.AddHistogram("socialgate_h_seconds", "H.", {}, LatencyBuckets());
  constexpr int kThreads = 4;
  constexpr int kEach = 10'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        family.With({std::to_string(t % 2)}).Add();
        h.Get().Observe(0.002);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(family.With({"0"}).Value() + family.With({"1"}).Value(), 1u * kThreads * kEach);
  EXPECT_EQ(h.Get().Read().count, 1u * kThreads * kEach);
}

}  // namespace
}  // namespace socialgate::obs
