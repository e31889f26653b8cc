// File: api/send_pipeline.hpp
//
// Sending one message, in stages, for every message endpoint (template, text, media: each
// supplies only its Decoder, api/send_endpoints.hpp):
//
//   idempotency  an Idempotency-Key (optional, 1 to 255 printable ASCII, else 400) that was
//                seen before answers with the first answer and sends nothing again
//   decode       the kind's Decoder: the JSON body into a message checked by the kind's rules
//                (400 malformed, 422 a rule broken)
//   validate     the message against its domain: the business number is one of the domain's
//                (403 when it is another domain's, 422 when no domain's)
//   authorize    the user may send from that number (403)
//   chat         a send into a named chat (sendExternalTextMessageToActiveChat): the domain's chat
//                with that id (404), of these numbers (422), active (409)
//   template     a template send checked against its number's catalog (templates/send_check):
//                what it contradicts is refused (422) under the domain's "strict" policy, only
//                logged under "lenient", not looked at under "off" (docs/templates.md)
//   window       a free-form kind (text, media) is refused (422) when the customer has not
//                written to the business number in the last 24 hours (Meta's customer-service
//                window, opened and extended by inbound messages: store/conversations.hpp);
//                templates are always allowed
//   store        503 while the outbox is at dispatch.max_outbox; otherwise a UUIDv7 id, Meta's
//                pair slot reserved, and the message inserted and committed durably (503 when
//                that fails, and the slot is given back)
//   ack          the answer once stored: 202 "queued", or with ack = "provider" the first
//                attempt's outcome (200 accepted, 422 failed) unless the domain's ack_timeout
//                passes first (202 "queued"); recorded for the Idempotency-Key, if any, first
//
// Where it runs: on the calling (I/O) thread when nothing on the way can block (a body of at
// most kMaxBodyBytesWithoutWaiting, no Idempotency-Key to look up, and no window to read: a
// template), otherwise on a request worker; the store stage continues on the store's committer
// thread, the ack on the dispatcher or the timer thread, and the idempotent answer's write on a
// request worker.
//
// Thread safety: Send may be called from many threads at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/endpoint.hpp"
#include "core/error.hpp"
#include "core/message.hpp"
#include "core/validate.hpp"

namespace socialgate::api {

// What a message kind's body calls the two numbers, for the sentences that name them.
struct SendFieldNames {
  std::string_view customer = "customerPhoneNumber";
  std::string_view service = "servicePhoneNumber";
};

class SendPipeline {
 public:
  using FieldNames = SendFieldNames;

  // A message kind's part: its JSON body decoded, and checked by its kind's rules.
  using Decoder = std::function<core::Result<core::OutboundMessage>(
      std::string body, const core::ValidationContext& rules)>;

  // A text-only template request is a few hundred bytes; media headers are megabytes.
  static constexpr std::size_t kMaxBodyBytesWithoutWaiting = 16 * 1024;

  explicit SendPipeline(const ApiDependencies& deps) : deps_(deps) {}

  // A message kind as the pipeline sees it: its decoder, whether it is free-form (its sends
  // need the customer's window), and its numbers' names.
  struct Kind {
    Decoder decode;
    bool free_form = false;
    FieldNames names;
  };

  // Runs every stage for one request of a user of `domain`; `respond` gets the answer.
  // `kind` must outlive the request (an endpoint's own).
  void Send(const Kind& kind, const config::Domain& domain, const auth::Principal& principal,
            http::HttpRequest&& request, http::Responder respond);

  // --- The stages that decide alone, for their tests. A refusal is the answer to give.

  // idempotency: the request's key with the hash of its body; nullopt without one.
  struct KeyOrRefusal {
    std::optional<store::IdempotencyKey> key;
    std::optional<http::HttpResponse> refusal;
  };
  static KeyOrRefusal ReadIdempotencyKey(const http::HttpRequest& request);
  // idempotency: the answer to a repeat of a key: the first answer ("Idempotent-Replayed"), or
  // "queued" while the first request still waits for the provider; 422 for another body.
  static http::HttpResponse RepeatAnswer(const store::IdempotencyRecord& record,
                                         const std::string& request_hash);
  // validate.
  static std::optional<http::HttpResponse> Validate(const config::Config& config,
                                                    const config::Domain& domain,
                                                    const core::OutboundMessage& message,
                                                    const FieldNames& names = {});
  // authorize.
  static std::optional<http::HttpResponse> Authorize(const auth::Principal& principal,
                                                     const core::OutboundMessage& message,
                                                     const FieldNames& names = {});
  // chat: the refusal of a send into message.chat_id, given the domain's chat of that id as of
  // now (nullopt: none).
  static std::optional<http::HttpResponse> CheckChat(const core::OutboundMessage& message,
                                                     const std::optional<store::ChatRecord>& chat,
                                                     const FieldNames& names = {});
  // template: the refusal of a send the catalog contradicts, under the number's policy.
  static std::optional<http::HttpResponse> CheckTemplate(const templates::Snapshot& catalogs,
                                                         const config::Domain& domain,
                                                         const core::OutboundMessage& message);
  // window: the refusal of a free-form message when the customer last wrote at
  // `last_inbound_at_ms` (nullopt: never), as of now_ms; templates pass.
  static std::optional<http::HttpResponse> CheckWindow(
      const core::OutboundMessage& message, std::optional<std::int64_t> last_inbound_at_ms,
      std::int64_t now_ms, const FieldNames& names = {});
  // ack: the answer for a message whose first attempt ended (or was not awaited: "queued").
  // `chat_id`, the chat the message joined, is the additive `chatId` when known.
  static http::HttpResponse SendAnswer(const std::string& message_id,
                                       const dispatch::AttemptResult& attempt,
                                       const std::string& chat_id = "");

 private:
  // Every stage, on the thread Send chose.
  void Run(const Kind& kind, const config::Domain& domain, const auth::Principal& principal,
           http::HttpRequest& request, const http::Responder& respond);
  // store: 503 when the outbox is at its configured bound (back-pressure).
  std::optional<http::HttpResponse> CheckOutboxDepth();
  void Store(const config::Domain& domain, core::OutboundMessage message,
             const std::optional<store::IdempotencyKey>& key, const http::Responder& respond);
  // ack: delivers an answer, first recording it for `key` (on a request worker) if there is one.
  using Answer = std::function<void(http::HttpResponse)>;
  Answer MakeAnswer(const config::Domain& domain, const std::optional<store::IdempotencyKey>& key,
                    const http::Responder& respond) const;

  ApiDependencies deps_;
  std::atomic<std::int64_t> outbox_depth_{0};
  std::atomic<std::int64_t> outbox_checked_at_{0};  // steady clock, ns
  std::atomic<bool> outbox_refreshing_{false};      // a worker is counting
};

}  // namespace socialgate::api
