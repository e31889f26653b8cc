#include "obs/security_events.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace socialgate::obs {
namespace {

using Clock = SecurityEvents::Clock;

TEST(SecurityEventsTest, LogsEachEventWithAddressAndUserUpToTheLimitThenCountsTheRest) {
  std::vector<std::string> lines;
  SecurityEvents events([&](const std::string& line) { lines.push_back(line); });
  const auto t0 = Clock::time_point() + std::chrono::hours(1);
  for (int i = 0; i < 25; ++i) {
    events.Record(SecurityEvent::kAuthFailed, "198.51.100.7", "bob", "wrong password", t0);
  }
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(SecurityEvents::kLinesPerWindow));
  EXPECT_EQ(lines[0], "security: auth_failed from 198.51.100.7 user \"bob\": wrong password");
  EXPECT_EQ(events.Count(SecurityEvent::kAuthFailed), 25u);
  // Another kind has its own allowance.
  events.Record(SecurityEvent::kMalformedHttp, "198.51.100.8", "", "bad request line", t0);
  EXPECT_EQ(lines.back(), "security: malformed_http from 198.51.100.8: bad request line");
  // The next window's first line tells what was not logged.
  events.Record(SecurityEvent::kAuthFailed, "198.51.100.7", "bob", "wrong password",
                t0 + SecurityEvents::kWindow);
  EXPECT_EQ(lines.back(),
            "security: auth_failed from 198.51.100.7 user \"bob\": wrong password (15 more not "
            "logged before this one)");
}

TEST(SecurityEventsTest, ClientChosenNamesCannotForgeLogLines) {
  std::vector<std::string> lines;
  SecurityEvents events([&](const std::string& line) { lines.push_back(line); });
  events.Record(SecurityEvent::kAuthFailed, "10.0.0.1",
                "x\"\n2026 info forged" + std::string(200, 'a'), "wrong password");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find('\n'), std::string::npos);
  EXPECT_NE(lines[0].find("user \"x??2026 info forged"), std::string::npos) << lines[0];
  EXPECT_LT(lines[0].size(), 160u);
}

}  // namespace
}  // namespace socialgate::obs
