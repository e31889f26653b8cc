// File: api/transcript_endpoints.hpp
//
// CTLive's transcripts of chats (store/conversations.hpp), each chat as a Transcript object
// (api/transcript_json.hpp), both ways in time order:
//   POST /livechat/{domain?}/getLastTranscript  {"userid", "serviceid"}
//        the latest chat of the customer and business number: {"chatTranscript": Transcript}
//   GET  /livechat/{domain}/getChatTranscriptByUserID/{userId}[?days=N]
//        the customer's chats, newest first, opened in the last N days (1..3650; all without):
//        {"chatTranscript": [Transcript...]}, at most kMaxTranscripts of them
//   GET  /livechat/{domain}/getChatTranscriptByChatID/{chatId}
//        an ended chat: {"chatTranscripts": {"result": true, "transcript": Transcript}}; an
//        active one is 409 (getContactTranscriptByChatID shows it)
//   GET  /livechat/{domain}/getContactTranscriptByChatID/{chatId}
//        a chat, active or ended: {"isChatActive", "chatTranscript": [Transcript]}
//   GET  /livechat/{domain}/getMultimediaMessageByMessageID/{messageId}
//        an outbound image or document (by the gateway's id), or a customer's media (by Meta's
//        id) once fetched, with its file: {"message": {"messageID", "chatID", "messageType",
//        "domain", "format": "fullsize", "content": {"document" (base64), "fileName",
//        "mimeType", "documentType"}}}; a customer's media still being fetched is 409
// Each in the {result, error} envelope. A chat or message the domain does not have, or whose
// business number the user may not send from, is 404; a transcript holds at most
// kMaxTranscriptMessages messages each way (then "truncated": true). Run on a request worker.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/endpoint.hpp"

namespace socialgate::api {

inline constexpr int kMaxTranscripts = 50;
inline constexpr int kMaxTranscriptMessages = 500;

class TranscriptEndpoints {
 public:
  explicit TranscriptEndpoints(const ApiDependencies& deps) : deps_(deps) {}

  // Handlers hold `this`: it must outlive the routes. None without conversations.
  std::vector<Endpoint> Endpoints();

 private:
  void LastTranscript(const Call& call, std::string body, const http::Responder& respond);
  void ByUser(const Call& call, const std::string& query, const http::Responder& respond);
  void ByChat(const Call& call, bool contact, const http::Responder& respond);
  void Multimedia(const Call& call, const http::Responder& respond);

  // The chat's Transcript, or the store's error.
  core::Result<nlohmann::ordered_json> Transcript(const store::ChatRecord& chat);

  ApiDependencies deps_;
};

}  // namespace socialgate::api
