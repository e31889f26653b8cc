// JsonWriter against nlohmann::ordered_json::dump(-1, ' ', false, replace), whose bytes it
// promises: named cases, then random documents of random strings (control characters, quotes,
// backslashes, multi-byte UTF-8 and invalid sequences).
#include "util/json_writer.hpp"

#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace socialgate::util {
namespace {

using Ordered = nlohmann::ordered_json;

std::string Dumped(const Ordered& j) {
  return j.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

TEST(JsonWriterTest, WritesCompactJsonInTheOrderGiven) {
  JsonWriter w;
  w.BeginObject().Key("b").String("x").Key("a").BeginArray();
  w.String("1").Bool(false).BeginObject().EndObject().BeginArray().EndArray().Null();
  w.EndArray().Key("c").Bool(true).Key("d").Null().EndObject();
  EXPECT_EQ(w.Take(), R"({"b":"x","a":["1",false,{},[],null],"c":true,"d":null})");
}

TEST(JsonWriterTest, IsEmptyAfterTakeAndWritesTheNextDocument) {
  JsonWriter w;
  w.BeginArray().String("a").EndArray();
  EXPECT_EQ(w.Take(), R"(["a"])");
  w.BeginObject().Key("k").BeginArray().Bool(true).EndArray().EndObject();
  EXPECT_EQ(w.Take(), R"({"k":[true]})");
  EXPECT_EQ(w.Take(), "");
}

TEST(JsonWriterTest, EscapesAsNlohmannDoes) {
  for (const std::string& s :
       {std::string("plain"), std::string("quote \" and \\ backslash"), std::string("\b\f\n\r\t"),
        std::string("\x01\x1f\x7f", 3), std::string("nul\0x", 5),
        std::string("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), std::string("/ stays")}) {
    JsonWriter w;
    w.String(s);
    EXPECT_EQ(w.Take(), Dumped(Ordered(s))) << s;
  }
}

TEST(JsonWriterTest, ReplacesInvalidUtf8AsNlohmannDoes) {
  for (const std::string& s :
       {std::string("\xFF"), std::string("a\xC3"), std::string("\xC3(x"), std::string("\xE2\x82"),
        std::string("\xED\xA0\x80 surrogate"), std::string("\xC0\xAF overlong"),
        std::string("ok \xF4\x90\x80\x80 too big")}) {
    JsonWriter w;
    w.BeginObject().Key(s).String(s).EndObject();
    Ordered j = Ordered::object();
    j[s] = s;
    EXPECT_EQ(w.Take(), Dumped(j));
  }
}

// A random string: mostly printable ASCII, with every kind of byte that needs care.
std::string RandomString(std::mt19937& random) {
  static const std::string kPieces[] = {"a",
                                        "Z",
                                        "0",
                                        " ",
                                        "\"",
                                        "\\",
                                        "/",
                                        "\n",
                                        "\t",
                                        "\x01",
                                        "\x1f",
                                        "\x7f",
                                        "\xC3\xA9",
                                        "\xE2\x82\xAC",
                                        "\xF0\x9F\x98\x80",
                                        "\xFF",
                                        "\xC3",
                                        "\xE2\x82",
                                        "\xED\xA0\x80"};
  std::uniform_int_distribution<int> length(0, 12);
  std::uniform_int_distribution<std::size_t> piece(0, std::size(kPieces) - 1);
  std::string s;
  for (int i = length(random); i > 0; --i) s += kPieces[piece(random)];
  return s;
}

// Writes the same random value to both, `depth` levels at most.
void RandomValue(std::mt19937& random, int depth, JsonWriter& w, Ordered& j) {
  std::uniform_int_distribution<int> kind(0, depth > 0 ? 4 : 2);
  std::uniform_int_distribution<int> members(0, 4);
  switch (kind(random)) {
    case 0: {
      const std::string s = RandomString(random);
      w.String(s);
      j = s;
      break;
    }
    case 1: {
      const bool b = (random() & 1) != 0;
      w.Bool(b);
      j = b;
      break;
    }
    case 2:
      w.Null();
      j = nullptr;
      break;
    case 3: {
      w.BeginArray();
      j = Ordered::array();
      for (int i = members(random); i > 0; --i) {
        Ordered item;
        RandomValue(random, depth - 1, w, item);
        j.push_back(std::move(item));
      }
      w.EndArray();
      break;
    }
    default: {
      w.BeginObject();
      j = Ordered::object();
      for (int i = members(random); i > 0; --i) {
        // Distinct keys: an object in nlohmann keeps one member per key.
        const std::string key = RandomString(random) + "#" + std::to_string(i);
        w.Key(key);
        Ordered item;
        RandomValue(random, depth - 1, w, item);
        j[key] = std::move(item);
      }
      w.EndObject();
    }
  }
}

TEST(JsonWriterTest, RandomDocumentsAreByteForByteNlohmanns) {
  std::mt19937 random(20261207);
  for (int n = 0; n < 3000; ++n) {
    JsonWriter w;
    Ordered j;
    RandomValue(random, 4, w, j);
    const std::string expected = Dumped(j);
    ASSERT_EQ(w.Take(), expected) << "document " << n;
  }
}

}  // namespace
}  // namespace socialgate::util
