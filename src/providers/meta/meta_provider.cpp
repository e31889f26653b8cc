#include "providers/meta/meta_provider.hpp"

#include <spdlog/spdlog.h>

#include "core/text.hpp"
#include "providers/meta/media_cache.hpp"
#include "providers/meta/meta_errors.hpp"
#include "providers/meta/meta_payload.hpp"
#include "util/sha256.hpp"

namespace socialgate::providers {
namespace {

using meta::ClassifyMetaFailure;
using meta::ParseRetryAfter;

// A request that got no answer worth reading: always worth another try.
SendOutcome TransportFailure(const core::Error& error) {
  SendOutcome o;
  o.kind = SendOutcome::Kind::kRetryLater;
  // Meta is unwell when it does not answer in time, cannot be reached, or answers what cannot
  // be read; a request this side could not set up says nothing about Meta.
  o.provider_unwell = true;
  switch (error.code) {
    case core::ErrorCode::kDeadlineExceeded:
      o.error_code = "timeout";
      break;
    case core::ErrorCode::kResourceExhausted:  // an answer too large to read
      o.error_code = "bad_response";
      break;
    case core::ErrorCode::kInternal:  // the request could not be set up: not sent
      o.error_code = "internal_error";
      o.provider_unwell = false;
      break;
    default:
      o.error_code = "unreachable";
      break;
  }
  o.error_message = error.message;
  return o;
}

// The outcome of reading an answer that threw `what` (a bug: the readers never throw).
SendOutcome InternalFault(std::string_view what) {
  spdlog::error("meta: reading an answer failed with an exception: {}", core::OneLine(what, 512));
  SendOutcome o;
  o.kind = SendOutcome::Kind::kRetryLater;
  o.error_code = "internal_error";
  o.error_message = "the provider failed with an internal error (logged)";
  return o;
}

// How much longer than an upload's own timeout a concurrent send of the same file waits for it
// (the HTTP client's loop may end a timed-out request a little late).
constexpr std::chrono::milliseconds kUploadWaitMargin{1000};

class MetaProvider final : public Provider {
 public:
  MetaProvider(const config::MetaSettings& settings, net::HttpClient& http,
               std::shared_ptr<util::StartLimit> message_starts,
               const templates::Catalogs* catalogs)
      : settings_(settings),
        http_(http),
        message_starts_(std::move(message_starts)),
        catalogs_(settings.waba_id.empty() ? nullptr : catalogs),
        base_(settings.base_url + "/" + settings.api_version + "/" + settings.phone_number_id),
        media_(settings.media_ttl, settings.timeout + kUploadWaitMargin) {}

  // Provider implementation
  std::string_view Name() const override { return "meta"; }

  SendOutcome Send(std::string_view message_id, const core::OutboundMessage& message) override {
    std::string media_id;
    std::string media_key;
    bool fresh_upload = false;
    const core::MediaHeader* header = core::MediaOf(message);
    if (header != nullptr) {
      media_key = util::Sha256Hex(header->bytes) + "/" + header->mime_type;
      auto media = UploadOnce(media_key, *header);
      if (!media) return std::move(media.error());
      media_id = std::move(media->media_id).value();
      fresh_upload = media->uploaded;
    }
    SendOutcome outcome = Post(message, media_id, message_id);
    // A cached id Meta no longer knows: upload again once, then resend.
    if (!fresh_upload && !media_id.empty() && outcome.kind == SendOutcome::Kind::kRejected &&
        (outcome.error_code == "131053" || outcome.error_code == "100")) {
      media_.Invalidate(media_key, media_id);
      auto media = UploadOnce(media_key, *header);
      if (!media) return std::move(media.error());
      outcome = Post(message, *media->media_id, message_id);
    }
    return outcome;
  }

  // A message without media is one POST, sent without a thread waiting for it. Media may need
  // an upload first (shared with concurrent sends of the same file): that path blocks.
  bool SendsAsync(const core::OutboundMessage& message) const override {
    return core::MediaOf(message) == nullptr;
  }

  void SendAsync(std::string_view message_id, const core::OutboundMessage& message,
                 SendDone done) override {
    http_.Start(PostRequest(message, "", message_id),
                [done = std::move(done)](core::Result<net::ClientResponse> response) {
                  // On the HTTP client's loop: nothing may escape from here (the provider's
                  // contract; the client would only log it, the message would never be
                  // answered).
                  SendOutcome outcome;
                  try {
                    outcome = PostOutcome(response);
                  } catch (const std::exception& e) {
                    outcome = InternalFault(e.what());
                  } catch (...) {
                    outcome = InternalFault("not a std::exception");
                  }
                  done(std::move(outcome));
                });
  }

 private:
  net::ClientRequest Request(const std::string& path) const {
    net::ClientRequest r;
    r.url = base_ + path;
    r.headers.emplace_back("Authorization", "Bearer " + settings_.access_token);
    r.connect_timeout = settings_.connect_timeout;
    r.timeout = settings_.timeout;
    return r;
  }

  // The media id of `header`, from the cache or uploaded now (once for concurrent sends of the
  // same file), or the attempt's failure.
  tl::expected<meta::MediaCache::Lookup, SendOutcome> UploadOnce(const std::string& key,
                                                                 const core::MediaHeader& header) {
    SendOutcome upload_failure;
    auto media = media_.GetOrUpload(key, [&] { return Upload(header, upload_failure); });
    if (media.media_id) return media;
    if (!media.wait_expired) return tl::unexpected(std::move(upload_failure));
    SendOutcome o;
    o.kind = SendOutcome::Kind::kRetryLater;
    o.error_code = "upload_wait";
    o.error_message = "media upload: another send's upload of this file did not end in time";
    return tl::unexpected(std::move(o));
  }

  // Uploads the header media; on failure fills `failure` and returns nullopt.
  std::optional<std::string> Upload(const core::MediaHeader& header, SendOutcome& failure) {
    net::ClientRequest r = Request("/media");
    r.multipart.push_back({"messaging_product", "whatsapp", "", ""});
    r.multipart.push_back({"type", header.mime_type, "", ""});
    r.multipart.push_back({"file", header.bytes, header.file_name, header.mime_type});
    auto response = http_.Perform(r);
    if (!response) {
      failure = TransportFailure(response.error());
      failure.error_message = "media upload: " + failure.error_message;
      return std::nullopt;
    }
    auto id = meta::ClassifyUploadAnswer(response->status, response->body,
                                         ParseRetryAfter(response->Header("retry-after")));
    if (id) return std::move(*id);
    failure = std::move(id.error());
    if (failure.error_code == "bad_response") {
      spdlog::warn("meta: HTTP {} to a media upload: {}", response->status, failure.error_message);
    }
    return std::nullopt;
  }

  net::ClientRequest PostRequest(const core::OutboundMessage& message, const std::string& media_id,
                                 std::string_view message_id) const {
    net::ClientRequest r = Request("/messages");
    r.start_limit = message_starts_;
    r.headers.emplace_back("Content-Type", "application/json");
    // The catalog's snapshot is held while the payload is built from its template.
    std::shared_ptr<const templates::Snapshot> snapshot;
    const templates::Template* shape = nullptr;
    const auto* t = std::get_if<core::TemplateContent>(&message.content);
    if (catalogs_ != nullptr && t != nullptr) {
      snapshot = catalogs_->Current();
      if (const auto* catalog = snapshot->Find(settings_.waba_id)) {
        shape = catalog->Find(t->template_name, t->language);
      }
    }
    r.body = meta::BuildPayload(message, media_id, message_id, shape);
    return r;
  }

  SendOutcome Post(const core::OutboundMessage& message, const std::string& media_id,
                   std::string_view message_id) {
    return PostOutcome(http_.Perform(PostRequest(message, media_id, message_id)));
  }

  // What an answer to POST /messages means for the attempt.
  static SendOutcome PostOutcome(const core::Result<net::ClientResponse>& response) {
    if (!response) return TransportFailure(response.error());
    std::string note;
    SendOutcome outcome = meta::ClassifySendAnswer(
        response->status, response->body, ParseRetryAfter(response->Header("retry-after")), &note);
    if (outcome.error_code == "bad_response") {
      spdlog::warn("meta: HTTP {}: {}", response->status, outcome.error_message);
    } else if (!note.empty()) {
      spdlog::warn("meta: message {} accepted without a wa_id: {}", outcome.provider_message_id,
                   note);
    }
    return outcome;
  }

  const config::MetaSettings settings_;
  net::HttpClient& http_;
  const std::shared_ptr<util::StartLimit> message_starts_;
  const templates::Catalogs* const catalogs_;  // null: payloads without the template's shape
  const std::string base_;
  meta::MediaCache media_;
};

}  // namespace

ProviderPtr MakeMetaProvider(const config::MetaSettings& settings, net::HttpClient& http,
                             std::shared_ptr<util::StartLimit> message_starts,
                             const templates::Catalogs* catalogs) {
  return std::make_unique<MetaProvider>(settings, http, std::move(message_starts), catalogs);
}

}  // namespace socialgate::providers
