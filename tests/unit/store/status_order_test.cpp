#include "store/status_order.hpp"

#include <gtest/gtest.h>

namespace socialgate::store {
namespace {

TEST(StatusOrderTest, MovesForwardOnly) {
  EXPECT_TRUE(StatusMovesForward("accepted", "sent"));
  EXPECT_TRUE(StatusMovesForward("sent", "read"));  // read may come without delivered
  EXPECT_TRUE(StatusMovesForward("queued", "sending"));
  EXPECT_FALSE(StatusMovesForward("read", "delivered"));
  EXPECT_FALSE(StatusMovesForward("delivered", "delivered"));
  EXPECT_FALSE(StatusMovesForward("sent", "bogus"));
}

TEST(StatusOrderTest, FailedReplacesOnlyUndeliveredAndIsFinal) {
  EXPECT_TRUE(StatusMovesForward("accepted", "failed"));
  EXPECT_TRUE(StatusMovesForward("sent", "failed"));
  EXPECT_FALSE(StatusMovesForward("delivered", "failed"));
  EXPECT_FALSE(StatusMovesForward("read", "failed"));
  EXPECT_FALSE(StatusMovesForward("failed", "read"));
}

}  // namespace
}  // namespace socialgate::store
