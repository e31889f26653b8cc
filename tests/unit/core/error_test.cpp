#include "core/error.hpp"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace socialgate::core {
namespace {

Result<int> Parse(bool ok) {
  if (!ok) return MakeError(ErrorCode::kInvalidArgument, "not a number");
  return 42;
}

Result<std::unique_ptr<int>> MakeBox(bool ok) {
  if (!ok) return MakeError(ErrorCode::kUnavailable, "no box");
  return std::make_unique<int>(7);
}

Result<int> DoubleOf(bool ok) {
  SG_ASSIGN_OR_RETURN(const int n, Parse(ok));
  return 2 * n;
}

Result<int> TwoInOneScope(bool first, bool second) {
  SG_ASSIGN_OR_RETURN(auto box, MakeBox(first));  // a move-only value
  SG_ASSIGN_OR_RETURN(int n, Parse(second));
  return *box + n;
}

Result<void> Check(bool ok) {
  SG_RETURN_IF_ERROR(Parse(ok));
  return {};
}

TEST(ResultMacrosTest, AssignOrReturnHandsOverTheValueOrReturnsTheError) {
  EXPECT_EQ(*DoubleOf(true), 84);
  const auto failed = DoubleOf(false);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(failed.error().message, "not a number");
}

TEST(ResultMacrosTest, AssignOrReturnTwiceInOneScopeAndWithMoveOnlyValues) {
  EXPECT_EQ(*TwoInOneScope(true, true), 49);
  EXPECT_EQ(TwoInOneScope(false, true).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(TwoInOneScope(true, false).error().code, ErrorCode::kInvalidArgument);
}

TEST(ResultMacrosTest, ReturnIfErrorPassesTheErrorOn) {
  EXPECT_TRUE(Check(true));
  EXPECT_EQ(Check(false).error().message, "not a number");
}

}  // namespace
}  // namespace socialgate::core
