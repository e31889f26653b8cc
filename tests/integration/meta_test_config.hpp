// File: tests/integration/meta_test_config.hpp
//
// Gateway configs whose business numbers are delivered by the Meta provider, pointed at a
// fake-graph (FakeGraphProcess), with fast retries so retry tests stay quick.
//
//   FakeGraphProcess fake("TOKEN");
//   ASSERT_TRUE(fake.Start());
//   GatewayProcess gateway(MetaTestConfig({.name = "default", .user = "demo",
//                                          .number = "3902124122690",
//                                          .base_url = fake.base_url()}));
//   ASSERT_TRUE(WriteTokenFile(gateway, "TOKEN"));  // before Start(): read at start-up
//   ASSERT_TRUE(gateway.Start());
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "gateway_process.hpp"

namespace socialgate::testing {

inline constexpr std::string_view kTestPhoneNumberId = "106540352242922";
inline constexpr std::string_view kTestTokenFile = "token.txt";

// One [[domains]] table with one business number on the Meta provider.
struct MetaTestDomain {
  std::string name = "default";
  std::string user = "demo";  // password kTestPassword
  std::string number = "3902124122690";
  std::string ack = "provider";
  std::string base_url;  // the fake-graph's URL
  std::string phone_number_id = std::string(kTestPhoneNumberId);
  std::string api_version = "v23.0";
  // Relative to the gateway's working directory, its temporary directory (see WriteTokenFile).
  std::string access_token_file = std::string(kTestTokenFile);
  int connect_timeout_ms = 1000;
  int timeout_ms = 500;  // short, for timeout tests; raise it where no test waits for one
  // Written only when set (otherwise the gateway's defaults: 80 per second, 10 s, 12 attempts).
  std::optional<double> messages_per_second;
  std::optional<int> ack_timeout_ms;
  std::optional<int> max_attempts;       // the domain's own, overriding [dispatch]
  std::optional<std::string> waba_id;    // the number's WhatsApp Business Account (catalog)
  std::optional<std::string> templates;  // the domain's policy: strict, lenient, off
};

// Dispatch knobs of MetaTestConfig.
struct MetaTestDispatch {
  int workers = 2;
  int poll_interval_ms = 50;
  int base_backoff_ms = 20;
  int max_backoff_ms = 100;
  int max_attempts = 3;
  int lease_ms = 1000;
  // Short, so that a restarted or second gateway sends for the numbers soon.
  int number_lease_ms = 1000;
  // Written only when set (otherwise the gateway's defaults, see docs/configuration.md).
  std::optional<double> pair_per_minute;  // 0 turns the pair rate limit off
  std::optional<int> pair_burst;
  std::optional<int> breaker_failures;
  std::optional<int> breaker_cooldown_ms;
  std::optional<int> breaker_max_cooldown_ms;
  std::optional<int> max_outbox;
  std::optional<int> max_age_ms;
  // Sends in flight at once. 16, not the gateway's 1,024: these tests are about faults, not
  // throughput, and a thousand requests queued at a fake starved of CPU (CI runs two suites at
  // once, one under ASan) would be answered after the timeouts, making duplicates that are the
  // machine's, not the gateway's.
  int max_in_flight = 16;
};

// A config with the given Meta domain and dispatch settings (lease 1 s unless set).
std::string MetaTestConfig(const MetaTestDomain& domain, const MetaTestDispatch& dispatch = {});

// The same with several Meta domains (each with its own business number).
std::string MetaMultiDomainConfig(const std::vector<MetaTestDomain>& domains,
                                  const MetaTestDispatch& dispatch = {});

// Writes `token` (and a newline) to dir()/`file_name`; call it before Start().
::testing::AssertionResult WriteTokenFile(const GatewayProcess& gateway, std::string_view token,
                                          std::string_view file_name = kTestTokenFile);

}  // namespace socialgate::testing
