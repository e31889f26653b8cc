#include "providers/registry.hpp"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

namespace socialgate::providers {
namespace {

class NoStatuses final : public StatusSink {
 public:
  void OnStatus(std::string_view, core::MessageStatus, std::int64_t, std::string_view) override {}
};

// Never asked: making a provider sends nothing.
class NoHttp final : public net::HttpClient {
 public:
  void Start(net::ClientRequest, Completion done) override {
    ADD_FAILURE() << "a provider sent a request while being made";
    done(core::MakeError(core::ErrorCode::kInternal, "no HTTP in this test"));
  }
};

class ProviderRegistryTest : public ::testing::Test {
 protected:
  NoStatuses statuses_;
  util::TimerQueue timers_;
  NoHttp http_;
  const ProviderServices services_{statuses_, timers_, http_};
};

TEST_F(ProviderRegistryTest, KnowsExactlyTheNamesTheConfigurationAccepts) {
  const auto registry = ProviderRegistry();
  ASSERT_EQ(registry.size(), config::kProviderNames.size());
  for (std::size_t i = 0; i < registry.size(); ++i) {
    EXPECT_EQ(registry[i].name, config::kProviderNames[i]);
    EXPECT_NE(registry[i].make, nullptr) << registry[i].name;
  }
}

TEST_F(ProviderRegistryTest, MakesTheProviderTheNumberNames) {
  for (const std::string_view name : config::kProviderNames) {
    config::BusinessNumber number;
    number.phone = "3902124122690";
    number.provider = std::string(name);
    auto provider = MakeProvider(number, services_);
    ASSERT_TRUE(provider) << name << ": " << provider.error().message;
    ASSERT_NE(*provider, nullptr);
    EXPECT_EQ((*provider)->Name(), name);
  }
}

TEST_F(ProviderRegistryTest, AnUnknownNameIsAClearError) {
  config::BusinessNumber number;
  number.phone = "3902124122690";
  number.provider = "carrier-pigeon";
  auto provider = MakeProvider(number, services_);
  ASSERT_FALSE(provider);
  EXPECT_EQ(provider.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_NE(provider.error().message.find("3902124122690"), std::string::npos);
  EXPECT_NE(provider.error().message.find("\"carrier-pigeon\""), std::string::npos);
}

}  // namespace
}  // namespace socialgate::providers
