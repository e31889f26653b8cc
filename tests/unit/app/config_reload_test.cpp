// RestartOnlyChanges (app/config_reload.hpp): what a reload cannot apply is named, setting by
// setting; what it applies is not.
#include "app/config_reload.hpp"

#include <gtest/gtest.h>

namespace socialgate::app {
namespace {

config::Config Base() {
  config::Config config;
  config::Domain domain;
  domain.name = "acme";
  config::User user;
  user.name = "alice";
  user.password_hash = "$argon2id$one";
  domain.users.push_back(user);
  config::BusinessNumber number;
  number.phone = "3902124122690";
  domain.numbers.push_back(number);
  config.domains.push_back(domain);
  return config;
}

TEST(RestartOnlyChangesTest, WhatAReloadAppliesIsNotNamed) {
  const config::Config running = Base();
  config::Config next = Base();
  next.domains[0].users[0].password_hash = "$argon2id$two";
  next.domains[0].api_token_hash = "$argon2id$token";
  next.domains[0].numbers[0].messages_per_second = 20;
  next.domains[0].numbers.push_back(next.domains[0].numbers[0]);
  next.domains[0].numbers.back().phone = "3902124122691";
  next.domains[0].max_attempts = 3;
  config::CallbackSettings callbacks;
  callbacks.url = "https://example.com/cb";
  next.domains[0].callbacks = callbacks;
  next.domains[0].numbers[0].meta.waba_id = "123";  // its catalog is read at once
  next.dispatch.max_outbox = 10;
  next.log.level = "debug";
  next.log.format = "json";
  EXPECT_TRUE(RestartOnlyChanges(running, next).empty());
}

TEST(RestartOnlyChangesTest, SettingsOnlyAStartReadsAreNamed) {
  const config::Config running = Base();
  config::Config next = Base();
  next.server.port = 9090;
  next.storage_url = "sqlite:other.db";
  next.dispatch.max_in_flight = 7;
  next.webhooks.hold_unmatched = std::chrono::milliseconds(1);
  next.templates.sync_interval = std::chrono::milliseconds(1);
  next.conversations.media_max_bytes = 1;
  next.extra_languages = {"xx"};
  next.domains[0].content_retention = std::chrono::milliseconds(1000);
  next.domains[0].message_retention = std::chrono::milliseconds(2000);
  EXPECT_EQ(
      RestartOnlyChanges(running, next),
      (std::vector<std::string>{"server", "storage.url", "dispatch", "webhooks", "templates",
                                "conversations", "languages", "domains.acme.content_retention_ms",
                                "domains.acme.message_retention_ms"}));
}

TEST(MergedRoutesTest, ARemovedNumbersRouteStaysAndAChangedOneIsReplaced) {
  const std::vector<webhooks::Route> earlier = {{"meta", "111", "3902124122690", "acme"},
                                                {"meta", "222", "3902124122691", "acme"}};
  const std::vector<webhooks::Route> now = {{"meta", "111", "3902124122699", "other"},
                                            {"sandbox", "333", "333", "acme"}};
  const auto merged = MergedRoutes(now, earlier);
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[0].service_phone, "3902124122699") << "the new configuration's wins";
  EXPECT_EQ(merged[1].phone_number_id, "333");
  EXPECT_EQ(merged[2].phone_number_id, "222") << "kept for the reports of what it sent";
}

}  // namespace
}  // namespace socialgate::app
