#include "store/status_order.hpp"

#include <gtest/gtest.h>

namespace socialgate::store {
namespace {

using core::MessageStatus;

TEST(StatusOrderTest, MovesForwardOnly) {
  EXPECT_TRUE(StatusMovesForward(MessageStatus::kAccepted, MessageStatus::kSent));
  // read may come without delivered
  EXPECT_TRUE(StatusMovesForward(MessageStatus::kSent, MessageStatus::kRead));
  EXPECT_TRUE(StatusMovesForward(MessageStatus::kQueued, MessageStatus::kSending));
  EXPECT_FALSE(StatusMovesForward(MessageStatus::kRead, MessageStatus::kDelivered));
  EXPECT_FALSE(StatusMovesForward(MessageStatus::kDelivered, MessageStatus::kDelivered));
  // An unknown report never gets this far: core::ParseMessageStatus refuses it
  // (core/message_status_test.cpp).
  EXPECT_FALSE(core::ParseMessageStatus("bogus"));
}

TEST(StatusOrderTest, FailedReplacesOnlyUndeliveredAndIsFinal) {
  EXPECT_TRUE(StatusMovesForward(MessageStatus::kAccepted, MessageStatus::kFailed));
  EXPECT_TRUE(StatusMovesForward(MessageStatus::kSent, MessageStatus::kFailed));
  EXPECT_FALSE(StatusMovesForward(MessageStatus::kDelivered, MessageStatus::kFailed));
  EXPECT_FALSE(StatusMovesForward(MessageStatus::kRead, MessageStatus::kFailed));
  EXPECT_FALSE(StatusMovesForward(MessageStatus::kFailed, MessageStatus::kRead));
}

TEST(StatusOrderTest, PendingIsQueuedOrSending) {
  EXPECT_TRUE(IsPending(MessageStatus::kQueued));
  EXPECT_TRUE(IsPending(MessageStatus::kSending));
  EXPECT_FALSE(IsPending(MessageStatus::kAccepted));
  EXPECT_FALSE(IsPending(MessageStatus::kFailed));
}

}  // namespace
}  // namespace socialgate::store
