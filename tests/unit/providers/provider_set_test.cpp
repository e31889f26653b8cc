// ProviderSet (providers/provider_set.hpp): a reload keeps the provider of an unchanged number,
// makes a new one for a new or changed number, drops a removed one, and changes nothing when a
// provider cannot be made.
#include "providers/provider_set.hpp"

#include <string>

#include <gtest/gtest.h>

namespace socialgate::providers {
namespace {

class IgnoredStatuses final : public StatusSink {
 public:
  void OnStatusEvent(std::string_view, std::string) override {}
};

class UnusedHttp final : public net::HttpClient {
 public:
  void Start(net::ClientRequest, Completion done) override {
    ADD_FAILURE() << "a provider sent a request while being made";
    done(core::MakeError(core::ErrorCode::kInternal, "no HTTP in this test"));
  }
};

config::BusinessNumber Sandbox(std::string phone) {
  config::BusinessNumber number;
  number.phone = std::move(phone);
  number.provider = config::ProviderKind::kSandbox;
  return number;
}

config::Config WithNumbers(std::vector<config::BusinessNumber> numbers) {
  config::Config config;
  config::Domain domain;
  domain.name = "acme";
  domain.numbers = std::move(numbers);
  config.domains.push_back(std::move(domain));
  return config;
}

class ProviderSetTest : public ::testing::Test {
 protected:
  IgnoredStatuses statuses_;
  util::TimerQueue timers_;
  UnusedHttp http_;
  const ProviderServices services_{statuses_, timers_, http_};
};

TEST_F(ProviderSetTest, AReloadKeepsUnchangedNumbersProvidersAndReplacesTheRest) {
  ProviderSet set(services_);
  auto first = set.Update(WithNumbers({Sandbox("111"), Sandbox("222"), Sandbox("333")}));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->added, (std::vector<std::string>{"111", "222", "333"}));
  Provider* kept = set.Find("111");
  Provider* changed = set.Find("222");
  ASSERT_NE(kept, nullptr);
  ASSERT_NE(changed, nullptr);

  config::BusinessNumber slower = Sandbox("222");
  slower.sandbox.read_after = std::chrono::milliseconds(5000);
  auto second = set.Update(WithNumbers({Sandbox("111"), slower, Sandbox("444")}));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->added, std::vector<std::string>{"444"});
  EXPECT_EQ(second->changed, std::vector<std::string>{"222"});
  EXPECT_EQ(second->removed, std::vector<std::string>{"333"});
  EXPECT_EQ(set.Find("111"), kept);
  EXPECT_NE(set.Find("222"), nullptr);
  EXPECT_NE(set.Find("222"), changed);
  EXPECT_EQ(set.Find("333"), nullptr);
  EXPECT_NE(set.Find("444"), nullptr);
  EXPECT_EQ(set.All().size(), 3u);
  // The replaced provider is still alive for the sends that began on it.
  EXPECT_EQ(changed->Name(), "sandbox");
}

TEST_F(ProviderSetTest, ANumberWhoseProviderCannotBeMadeLeavesTheSetAsItWas) {
  ProviderSet set(services_);
  ASSERT_TRUE(set.Update(WithNumbers({Sandbox("111")})));
  Provider* before = set.Find("111");
  config::BusinessNumber broken = Sandbox("222");
  broken.provider = static_cast<config::ProviderKind>(99);
  auto refused = set.Update(WithNumbers({Sandbox("111"), broken}));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("222"), std::string::npos) << refused.error().message;
  EXPECT_EQ(set.Find("111"), before);
  EXPECT_EQ(set.Find("222"), nullptr);
}

}  // namespace
}  // namespace socialgate::providers
