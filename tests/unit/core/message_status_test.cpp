#include "core/message_status.hpp"

#include <gtest/gtest.h>

namespace socialgate::core {
namespace {

TEST(MessageStatusTest, NamesAreTheStoredAndShownStrings) {
  EXPECT_EQ(MessageStatusName(MessageStatus::kQueued), "queued");
  EXPECT_EQ(MessageStatusName(MessageStatus::kSending), "sending");
  EXPECT_EQ(MessageStatusName(MessageStatus::kAccepted), "accepted");
  EXPECT_EQ(MessageStatusName(MessageStatus::kSent), "sent");
  EXPECT_EQ(MessageStatusName(MessageStatus::kDelivered), "delivered");
  EXPECT_EQ(MessageStatusName(MessageStatus::kRead), "read");
  EXPECT_EQ(MessageStatusName(MessageStatus::kFailed), "failed");
}

TEST(MessageStatusTest, ParsesEveryNameBack) {
  for (auto s : {MessageStatus::kQueued, MessageStatus::kSending, MessageStatus::kAccepted,
                 MessageStatus::kSent, MessageStatus::kDelivered, MessageStatus::kRead,
                 MessageStatus::kFailed}) {
    auto parsed = ParseMessageStatus(MessageStatusName(s));
    ASSERT_TRUE(parsed) << MessageStatusName(s);
    EXPECT_EQ(*parsed, s);
  }
}

TEST(MessageStatusTest, AnUnknownNameIsAnErrorValue) {
  for (std::string_view bad : {"bogus", "", "Sent", "READ", " queued", "queued "}) {
    auto parsed = ParseMessageStatus(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace socialgate::core
