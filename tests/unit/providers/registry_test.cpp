#include "providers/registry.hpp"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

namespace socialgate::providers {
namespace {

class NoStatuses final : public StatusSink {
 public:
  void OnStatusEvent(std::string_view, std::string) override {}
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
    EXPECT_EQ(registry[i].kind, config::kProviderNames[i].kind) << config::kProviderNames[i].name;
    EXPECT_NE(registry[i].make, nullptr) << config::kProviderNames[i].name;
  }
}

TEST_F(ProviderRegistryTest, MakesTheProviderTheNumberNames) {
  for (const auto& [kind, name] : config::kProviderNames) {
    config::BusinessNumber number;
    number.phone = "3902124122690";
    number.provider = kind;
    auto provider = MakeProvider(number, services_);
    ASSERT_TRUE(provider) << name << ": " << provider.error().message;
    ASSERT_NE(*provider, nullptr);
    EXPECT_EQ((*provider)->Name(), name);
  }
}

// An unknown name never gets here: the configuration refuses it (config_test.cpp,
// "carrier-pigeon"). A kind without a maker is still an error value, not a crash.
TEST_F(ProviderRegistryTest, AKindWithoutAMakerIsAClearError) {
  config::BusinessNumber number;
  number.phone = "3902124122690";
  number.provider = static_cast<config::ProviderKind>(99);
  auto provider = MakeProvider(number, services_);
  ASSERT_FALSE(provider);
  EXPECT_EQ(provider.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_NE(provider.error().message.find("3902124122690"), std::string::npos);
  EXPECT_NE(provider.error().message.find("\"unknown\""), std::string::npos);
}

}  // namespace
}  // namespace socialgate::providers
