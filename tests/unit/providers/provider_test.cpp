#include "providers/provider.hpp"

#include <gtest/gtest.h>

namespace socialgate::providers {
namespace {

TEST(SendOutcomeTest, AKindAProviderCannotSendIsRejectedForGoodNamingBoth) {
  const SendOutcome o = SendOutcome::Unsupported("sandbox", "template");
  EXPECT_EQ(o.kind, SendOutcome::Kind::kRejected);
  EXPECT_FALSE(o.provider_unwell);
  EXPECT_EQ(o.error_code, "unsupported_kind");
  EXPECT_EQ(o.error_message, "the sandbox provider cannot send template messages");
}

}  // namespace
}  // namespace socialgate::providers
