#include "util/json_nesting.hpp"

#include <string>

#include <gtest/gtest.h>

namespace socialgate::util {
namespace {

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonNestingTest, CountsArraysAndObjectsInsideOneAnother) {
  EXPECT_TRUE(JsonNestingWithin("", 0));
  EXPECT_TRUE(JsonNestingWithin("17", 0));
  EXPECT_FALSE(JsonNestingWithin("{}", 0));
  EXPECT_TRUE(JsonNestingWithin(R"({"error":{"code":1,"error_data":{"details":"x"}}})", 3));
  EXPECT_FALSE(JsonNestingWithin(R"({"error":{"code":1,"error_data":{"details":"x"}}})", 2));
  EXPECT_TRUE(JsonNestingWithin(Nested(16), 16));
  EXPECT_FALSE(JsonNestingWithin(Nested(17), 16));
  // Siblings do not add up.
  EXPECT_TRUE(JsonNestingWithin("[[1],[2],{\"a\":3}]", 2));
}

TEST(JsonNestingTest, UnclosedBracketsCountAsTheyOpen) {
  EXPECT_FALSE(JsonNestingWithin(std::string(100'000, '['), 16));
  EXPECT_TRUE(JsonNestingWithin(std::string(100'000, ']'), 0));
}

TEST(JsonNestingTest, BracketsInStringsDoNotCount) {
  EXPECT_TRUE(JsonNestingWithin(R"(["[[[[{{{{"])", 1));
  // An escaped quote does not end the string; an escaped backslash does not escape the quote.
  EXPECT_TRUE(JsonNestingWithin(R"(["\"[[[[", "\\"])", 1));
  EXPECT_FALSE(JsonNestingWithin(R"(["\\", [[]]])", 2));
}

}  // namespace
}  // namespace socialgate::util
