// The customers' messages of a Meta callback: each type of Meta's reference with what the
// gateway keeps of it, and every bound, each unusable value a note and never a crash or a
// message made up.
#include <string>

#include <gtest/gtest.h>

#include "webhooks/meta_notification.hpp"

namespace socialgate::webhooks {
namespace {

constexpr const char* kMario = R"({"profile":{"name":"Mario Rossi"},"wa_id":"393403603062"})";

// Meta's inbound notification (the IncomingMessageValueGeneral schema) with `messages`.
std::string Inbound(const std::string& messages, const std::string& contacts = kMario) {
  return R"({"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[)" +
         contacts + R"(],"messages":[)" + messages + R"(]},"field":"messages"}]}]})";
}

// A message from Mario of `type`, its type's member and anything else (`rest`, with a comma).
std::string Message(const std::string& type, const std::string& object,
                    const std::string& rest = "") {
  return R"({"from":"393403603062","id":"wamid.IN1","timestamp":"1750030073","type":")" + type +
         R"(",")" + type + R"(":)" + object + rest + "}";
}

// The one message a notification has; fails the test with the notes otherwise.
store::InboundRecord Only(const MetaNotification& n) {
  EXPECT_EQ(n.inbound.size(), 1u);
  for (const auto& note : n.ignored) ADD_FAILURE() << "note: " << note;
  return n.inbound.empty() ? store::InboundRecord{} : n.inbound[0].record;
}

TEST(MetaInboundTest, ReadsATextWithItsSenderAndTheReplyItIs) {
  const MetaNotification n = ParseMetaNotification(
      Inbound(Message("text", R"({"body":"Does it come in another color?\nBlue?"})",
                      R"(,"context":{"from":"15550783881","id":"wamid.OUT7"})")));
  ASSERT_EQ(n.inbound.size(), 1u);
  EXPECT_EQ(n.inbound[0].phone_number_id, "106540352242922");
  const store::InboundRecord r = Only(n);
  EXPECT_EQ(r.id, "wamid.IN1");
  EXPECT_EQ(r.customer_phone, "393403603062");
  EXPECT_EQ(r.customer_name, "Mario Rossi");
  EXPECT_EQ(r.at_ms, 1'750'030'073'000);
  EXPECT_EQ(r.type, "text");
  EXPECT_EQ(r.text, "Does it come in another color?\nBlue?") << "lines are kept";
  EXPECT_EQ(r.context_id, "wamid.OUT7");
  EXPECT_EQ(r.payload, R"({"body":"Does it come in another color?\nBlue?"})");
  EXPECT_TRUE(r.media_id.empty());
  EXPECT_TRUE(r.service_phone.empty() && r.source.empty()) << "routing is the caller's";
  EXPECT_TRUE(n.statuses.empty());
}

TEST(MetaInboundTest, ReadsEachMediaTypeWithItsCaption) {
  const std::string media =
      R"({"mime_type":"image/jpeg","sha256":"SfInY0g=","id":"1003383421387256","caption":"Taj Mahal"})";
  const store::InboundRecord image = Only(ParseMetaNotification(Inbound(Message("image", media))));
  EXPECT_EQ(image.type, "image");
  EXPECT_EQ(image.media_id, "1003383421387256");
  EXPECT_EQ(image.mime_type, "image/jpeg");
  EXPECT_EQ(image.text, "Taj Mahal");
  EXPECT_EQ(image.file_name, "");
  EXPECT_EQ(image.payload, media) << "minified as it came";

  const store::InboundRecord video = Only(ParseMetaNotification(Inbound(Message(
      "video", R"({ "mime_type" : "video/mp4", "id" : "22", "caption" : "My vacation" })"))));
  EXPECT_EQ(video.media_id, "22");
  EXPECT_EQ(video.text, "My vacation");
  EXPECT_EQ(video.payload, R"({"mime_type":"video/mp4","id":"22","caption":"My vacation"})");

  const store::InboundRecord audio = Only(ParseMetaNotification(Inbound(
      Message("audio", R"({"mime_type":"audio/ogg; codecs=opus","id":"33","voice":true})"))));
  EXPECT_EQ(audio.mime_type, "audio/ogg; codecs=opus");
  EXPECT_EQ(audio.media_id, "33");
  EXPECT_EQ(audio.text, "");

  const store::InboundRecord document = Only(ParseMetaNotification(Inbound(Message(
      "document",
      R"({"mime_type":"application/pdf","id":"44","filename":"../etc/receipt.pdf","caption":"the receipt"})"))));
  EXPECT_EQ(document.media_id, "44");
  EXPECT_EQ(document.mime_type, "application/pdf");
  EXPECT_EQ(document.file_name, ".._etc_receipt.pdf") << "a name, never a path";
  EXPECT_EQ(document.text, "the receipt");

  const store::InboundRecord sticker = Only(ParseMetaNotification(
      Inbound(Message("sticker", R"({"mime_type":"image/webp","id":"55","animated":false})"))));
  EXPECT_EQ(sticker.type, "sticker");
  EXPECT_EQ(sticker.media_id, "55");
  EXPECT_EQ(sticker.mime_type, "image/webp");
}

TEST(MetaInboundTest, ReadsALocationByNameOrCoordinates) {
  const store::InboundRecord named = Only(ParseMetaNotification(Inbound(Message(
      "location",
      R"({"address":"101 Forest Ave, Palo Alto, CA 94301","latitude":37.44221496582,"longitude":-122.16165924072,"name":"Philz Coffee","url":"https://philzcoffee.com/"})"))));
  EXPECT_EQ(named.text, "Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301");
  EXPECT_NE(named.payload.find("\"latitude\":37.44221496582"), std::string::npos);
  const store::InboundRecord pin = Only(ParseMetaNotification(
      Inbound(Message("location", R"({"latitude":45.4642,"longitude":9.19})"))));
  EXPECT_EQ(pin.text, "45.464200, 9.190000");
}

TEST(MetaInboundTest, SummarisesSharedContacts) {
  const store::InboundRecord r = Only(ParseMetaNotification(Inbound(Message(
      "contacts",
      R"([{"name":{"first_name":"Lucía","last_name":"Gómez","formatted_name":"Lucía Gómez"},"org":{"company":"Google"},"phones":[{"phone":"+1 (983) 555-2319","wa_id":"19835552319","type":"MOBILE"}]},{"name":{"first_name":"Barbara","last_name":"Johnson"}},{"phones":[{"phone":"+39 02 1234"}]},{}])"))));
  EXPECT_EQ(r.type, "contacts");
  EXPECT_EQ(r.text, "Lucía Gómez (+1 (983) 555-2319); Barbara Johnson; +39 02 1234; a contact");
  EXPECT_EQ(r.payload.front(), '[') << "the contacts array itself";
}

TEST(MetaInboundTest, ReadsAQuickReplyButtonWithThePayloadItCarries) {
  const store::InboundRecord r = Only(ParseMetaNotification(
      Inbound(Message("button", R"({"payload":"STOP_PROMOS","text":"Unsubscribe"})",
                      R"(,"context":{"from":"15550783881","id":"wamid.TEMPLATE1"})"))));
  EXPECT_EQ(r.type, "button");
  EXPECT_EQ(r.text, "Unsubscribe");
  EXPECT_EQ(r.context_id, "wamid.TEMPLATE1");
  EXPECT_EQ(r.payload, R"({"payload":"STOP_PROMOS","text":"Unsubscribe"})");
}

TEST(MetaInboundTest, ReadsInteractiveButtonAndListRepliesKeepingTheirIds) {
  const store::InboundRecord button = Only(ParseMetaNotification(Inbound(
      Message("interactive",
              R"({"type":"button_reply","button_reply":{"id":"cancel-button","title":"Cancel"}})",
              R"(,"context":{"from":"15550783881","id":"wamid.ASK"})"))));
  EXPECT_EQ(button.type, "interactive");
  EXPECT_EQ(button.text, "Cancel");
  EXPECT_EQ(button.context_id, "wamid.ASK");
  EXPECT_NE(button.payload.find(R"("id":"cancel-button")"), std::string::npos);

  const store::InboundRecord list = Only(ParseMetaNotification(Inbound(Message(
      "interactive",
      R"({"type":"list_reply","list_reply":{"id":"priority_express","title":"Priority Mail Express","description":"Next Day to 2 Days"}})"))));
  EXPECT_EQ(list.text, "Priority Mail Express");
  EXPECT_NE(list.payload.find(R"("id":"priority_express")"), std::string::npos);

  const MetaNotification odd = ParseMetaNotification(
      Inbound(Message("interactive", R"({"type":"carousel","carousel":{}})")));
  ASSERT_EQ(odd.inbound.size(), 1u) << "kept, without a text";
  EXPECT_EQ(odd.inbound[0].record.text, "");
  ASSERT_EQ(odd.ignored.size(), 1u);
  EXPECT_EQ(odd.ignored[0],
            "entry[0].changes[0].value.messages[0].interactive is not a button, list or flow "
            "reply: no text");
}

TEST(MetaInboundTest, AReactionNamesTheMessageItReactsTo) {
  const store::InboundRecord r = Only(ParseMetaNotification(
      Inbound(Message("reaction", R"({"message_id":"wamid.OUT9","emoji":"\ud83d\udc4d"})"))));
  EXPECT_EQ(r.type, "reaction");
  EXPECT_EQ(r.text, "\xF0\x9F\x91\x8D");
  EXPECT_EQ(r.context_id, "wamid.OUT9");
  const store::InboundRecord removed = Only(ParseMetaNotification(
      Inbound(Message("reaction", R"({"message_id":"wamid.OUT9","emoji":""})"))));
  EXPECT_EQ(removed.text, "") << "a reaction taken back";
  EXPECT_EQ(removed.context_id, "wamid.OUT9");
}

TEST(MetaInboundTest, ReadsASystemMessageWithoutContacts) {
  const MetaNotification n = ParseMetaNotification(
      R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"messages":[{"from":"16505551234","id":"wamid.SYS","timestamp":"1750030073","type":"system","system":{"body":"User Sheena Nelson changed from 16505551234 to 12195555358","wa_id":"12195555358","type":"user_changed_number"}}]}}]}]})");
  const store::InboundRecord r = Only(n);
  EXPECT_EQ(r.type, "system");
  EXPECT_EQ(r.customer_name, "");
  EXPECT_EQ(r.text, "User Sheena Nelson changed from 16505551234 to 12195555358");
  EXPECT_NE(r.payload.find(R"("wa_id":"12195555358")"), std::string::npos);
}

TEST(MetaInboundTest, UnsupportedAndUnknownTypesAreKeptWithTheirType) {
  const store::InboundRecord unsupported = Only(ParseMetaNotification(Inbound(
      R"({"from":"393403603062","id":"wamid.U","timestamp":"1750090702","errors":[{"code":131051,"title":"Message type unknown","message":"Message type unknown","error_data":{"details":"Message type is currently not supported."}}],"type":"unsupported"})")));
  EXPECT_EQ(unsupported.type, "unsupported");
  EXPECT_EQ(unsupported.text, "Message type unknown");
  EXPECT_EQ(unsupported.payload, "") << "no object of its type";

  const store::InboundRecord order = Only(ParseMetaNotification(Inbound(Message(
      "order",
      R"({"catalog_id":"194836987003835","text":"","product_items":[{"product_retailer_id":"di9ozbzfi4","quantity":2,"item_price":30,"currency":"USD"}]})"))));
  EXPECT_EQ(order.type, "order");
  EXPECT_EQ(order.text, "");
  EXPECT_NE(order.payload.find("di9ozbzfi4"), std::string::npos);

  const MetaNotification nameless = ParseMetaNotification(Inbound(
      R"({"from":"393403603062","id":"wamid.N","timestamp":"1","type":"Not A Type","Not A Type":{}},)"
      R"({"from":"393403603062","id":"wamid.M","timestamp":"1"})"));
  ASSERT_EQ(nameless.inbound.size(), 2u);
  EXPECT_EQ(nameless.inbound[0].record.type, "unknown");
  EXPECT_EQ(nameless.inbound[0].record.payload, "");
  EXPECT_EQ(nameless.inbound[1].record.type, "unknown");
  ASSERT_EQ(nameless.ignored.size(), 2u);
  EXPECT_EQ(nameless.ignored[0],
            "entry[0].changes[0].value.messages[0].type is missing or not a type name: kept as "
            "\"unknown\"");
}

TEST(MetaInboundTest, AMessageWithoutIdSenderOrTimeIsLeftOutWithASentence) {
  const MetaNotification n = ParseMetaNotification(Inbound(
      R"({"from":"393403603062","timestamp":"1","type":"text","text":{"body":"a"}},)"
      R"({"from":"+393403603062","id":"wamid.B","timestamp":"1","type":"text","text":{"body":"b"}},)"
      R"({"from":"123","id":"wamid.C","timestamp":"1","type":"text","text":{"body":"c"}},)"
      R"({"from":"393403603062","id":"wamid.D","timestamp":"yesterday","type":"text","text":{"body":"d"}},)"
      R"("not an object",)"
      R"({"from":"393403603062","id":"wamid with spaces","timestamp":"1","type":"text","text":{"body":"f"}},)"
      R"({"from":"393403603062","id":"wamid.OK","timestamp":1750030073,"type":"text","text":{"body":"g"}})"));
  ASSERT_EQ(n.inbound.size(), 1u);
  EXPECT_EQ(n.inbound[0].record.id, "wamid.OK");
  EXPECT_EQ(n.inbound[0].record.at_ms, 1'750'030'073'000) << "an integer timestamp too";
  ASSERT_EQ(n.ignored.size(), 6u);
  const std::string at = "entry[0].changes[0].value.messages[";
  EXPECT_EQ(n.ignored[0], at + "0].id is missing or not an id of at most 256 printable "
                               "characters: message left out");
  EXPECT_EQ(n.ignored[1],
            at + "1].from is missing or not a phone number (7 to 15 digits): message left out");
  EXPECT_EQ(n.ignored[2],
            at + "2].from is missing or not a phone number (7 to 15 digits): message left out");
  EXPECT_EQ(n.ignored[3], at + "3].timestamp is missing or not Unix seconds: message left out");
  EXPECT_EQ(n.ignored[4], at + "4] is not an object");
}

TEST(MetaInboundTest, UnusableValuesAreLeftEmptyWithANote) {
  const MetaNotification n = ParseMetaNotification(
      Inbound(Message("image", R"({"mime_type":"image/jpeg\n","id":"not an id","caption":"x"})",
                      R"(,"context":{"id":""})")));
  ASSERT_EQ(n.inbound.size(), 1u) << "the message is kept";
  const store::InboundRecord& r = n.inbound[0].record;
  EXPECT_EQ(r.media_id, "");
  EXPECT_EQ(r.mime_type, "");
  EXPECT_EQ(r.context_id, "");
  EXPECT_EQ(r.text, "x");
  ASSERT_EQ(n.ignored.size(), 3u);
  const std::string at = "entry[0].changes[0].value.messages[0]";
  EXPECT_EQ(n.ignored[0], at + ".image.id is missing or not a media id: no media kept");
  EXPECT_EQ(n.ignored[1],
            at + ".image.mime_type is not a mime type of at most 128 printable characters");
  EXPECT_EQ(n.ignored[2], at + ".context.id is missing or not a message id");

  const MetaNotification no_body = ParseMetaNotification(Inbound(Message("text", R"({"body":7})")));
  ASSERT_EQ(no_body.inbound.size(), 1u);
  EXPECT_EQ(no_body.ignored.at(0), at + ".text.body is missing or not a string");
}

TEST(MetaInboundTest, TextsAndNamesAreCutWithinTheirBounds) {
  // 4,100 euro signs: 4,100 code points, 12,300 bytes; control characters become spaces.
  std::string euros;
  for (int i = 0; i < 4100; ++i) euros += "\xE2\x82\xAC";
  const MetaNotification n = ParseMetaNotification(Inbound(
      Message("text", R"({"body":"a\u0000b)" + euros + R"("})"),
      R"({"profile":{"name":")" + std::string(300, 'M') + R"(\nX"},"wa_id":"393403603062"})"));
  ASSERT_EQ(n.inbound.size(), 1u);
  const store::InboundRecord& r = n.inbound[0].record;
  EXPECT_EQ(r.text.substr(0, 3), "a b") << "no NUL is kept";
  EXPECT_EQ(r.text.size(), 3 + (kMaxInboundTextChars - 3) * 3);
  EXPECT_LE(r.customer_name.size(), kMaxNameBytes);
  EXPECT_EQ(r.customer_name.find('\n'), std::string::npos);
  ASSERT_EQ(n.ignored.size(), 1u);
  EXPECT_EQ(n.ignored[0],
            "entry[0].changes[0].value.messages[0].text.body is longer than 4096 characters: cut");
  EXPECT_LE(r.payload.size(), kMaxInboundPayloadBytes) << "12 KiB of JSON is kept";
  EXPECT_FALSE(r.payload.empty());
}

TEST(MetaInboundTest, ALargePayloadIsLeftOutWithANote) {
  const std::string big(kMaxInboundPayloadBytes, 'x');
  const MetaNotification n = ParseMetaNotification(
      Inbound(Message("order", R"({"catalog_id":"1","text":")" + big + R"("})")));
  ASSERT_EQ(n.inbound.size(), 1u);
  EXPECT_EQ(n.inbound[0].record.payload, "");
  ASSERT_EQ(n.ignored.size(), 1u);
  EXPECT_EQ(n.ignored[0],
            "entry[0].changes[0].value.messages[0].order is 16412 bytes as JSON, "
            "more than 16384: not kept");
}

TEST(MetaInboundTest, AtMostAThousandMessagesAreRead) {
  std::string messages;
  for (std::size_t i = 0; i < kMaxInboundPerNotification + 3; ++i) {
    if (i > 0) messages += ",";
    messages += R"({"from":"393403603062","id":"wamid.)" + std::to_string(i) +
                R"(","timestamp":"1","type":"text","text":{"body":"hi"}})";
  }
  const MetaNotification n = ParseMetaNotification(Inbound(messages));
  EXPECT_EQ(n.inbound.size(), kMaxInboundPerNotification);
  EXPECT_EQ(n.inbound.back().record.customer_name, "Mario Rossi");
  ASSERT_EQ(n.ignored.size(), 1u);
  EXPECT_EQ(n.ignored[0], "messages beyond the first 1000 are not read");
}

TEST(MetaInboundTest, NamesComeFromTheContactOfTheSender) {
  const MetaNotification n = ParseMetaNotification(Inbound(
      R"({"from":"393403603062","id":"wamid.1","timestamp":"1","type":"text","text":{"body":"a"}},)"
      R"({"from":"16505551234","id":"wamid.2","timestamp":"2","type":"text","text":{"body":"b"}},)"
      R"({"from":"447700900123","id":"wamid.3","timestamp":"3","type":"text","text":{"body":"c"}})",
      R"({"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"},)" + std::string(kMario) +
          R"(,{"wa_id":"447700900123"},"junk")"));
  ASSERT_EQ(n.inbound.size(), 3u);
  EXPECT_EQ(n.inbound[0].record.customer_name, "Mario Rossi");
  EXPECT_EQ(n.inbound[1].record.customer_name, "Sheena Nelson");
  EXPECT_EQ(n.inbound[2].record.customer_name, "") << "a contact without a profile";
  EXPECT_TRUE(n.ignored.empty());
}

TEST(MetaInboundTest, StatusesAndMessagesOfOneChangeAreBothRead) {
  const MetaNotification n = ParseMetaNotification(
      R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"111"},"statuses":[{"id":"wamid.S","status":"read","timestamp":"2"}],"messages":[{"from":"393403603062","id":"wamid.I","timestamp":"3","type":"text","text":{"body":"ok"}}]}},{"field":"messages","value":{"metadata":{"phone_number_id":"222"},"messages":[{"from":"393403603062","id":"wamid.J","timestamp":"4","type":"text","text":{"body":"ok"}}]}}]}]})");
  ASSERT_EQ(n.statuses.size(), 1u);
  ASSERT_EQ(n.inbound.size(), 2u);
  EXPECT_EQ(n.inbound[0].phone_number_id, "111");
  EXPECT_EQ(n.inbound[1].phone_number_id, "222");
  EXPECT_EQ(n.inbound[1].record.id, "wamid.J");
  EXPECT_TRUE(n.ignored.empty());
}

}  // namespace
}  // namespace socialgate::webhooks
