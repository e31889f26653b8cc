#include "store/committed_writes.hpp"

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace socialgate::store {
namespace {

using core::Result;

// A `done` for a write that answers nothing but whether it was stored.
GroupCommitter::Done AnswerStored(std::function<void(Result<void>)> done) {
  return [done = std::move(done)](Result<Written> written) {
    if (!written) return done(tl::unexpected(std::move(written.error())));
    done({});
  };
}

Result<void> Stored(Result<Written> written) {
  if (!written) return tl::unexpected(std::move(written.error()));
  return {};
}

// kInvalidArgument naming `what` when `value` is empty (unless it may be) or too long.
Result<void> CheckField(std::string_view what, std::string_view value, bool may_be_empty = false) {
  if (value.empty() && !may_be_empty) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "template catalog: " + std::string(what) + " is empty");
  }
  if (value.size() > kMaxTemplateFieldBytes) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "template catalog: " + std::string(what) + " is longer than " +
                               std::to_string(kMaxTemplateFieldBytes) + " bytes");
  }
  return {};
}

// What ReplaceCatalog refuses (template_catalogs.hpp), before anything is written.
Result<void> CheckCatalog(const StoredCatalog& catalog) {
  SG_RETURN_IF_ERROR(CheckField("account", catalog.account));
  if (catalog.templates.size() > kMaxCatalogTemplates) {
    return core::MakeError(
        core::ErrorCode::kInvalidArgument,
        "template catalog: more than " + std::to_string(kMaxCatalogTemplates) + " templates",
        "account " + catalog.account + ": " + std::to_string(catalog.templates.size()) +
            " templates");
  }
  std::size_t definition_bytes = 0;
  std::set<std::pair<std::string_view, std::string_view>> keys;
  for (const StoredTemplate& t : catalog.templates) {
    SG_RETURN_IF_ERROR(CheckField("a template's name", t.name));
    SG_RETURN_IF_ERROR(CheckField("a template's language", t.language));
    SG_RETURN_IF_ERROR(CheckField("a template's id", t.template_id, true));
    SG_RETURN_IF_ERROR(CheckField("a template's status", t.status, true));
    SG_RETURN_IF_ERROR(CheckField("a template's status reason", t.status_reason, true));
    SG_RETURN_IF_ERROR(CheckField("a template's category", t.category, true));
    if (t.definition.size() > kMaxTemplateDefinitionBytes) {
      return core::MakeError(
          core::ErrorCode::kInvalidArgument,
          "template catalog: a template's definition is longer than " +
              std::to_string(kMaxTemplateDefinitionBytes) + " bytes",
          "account " + catalog.account + ", template " + t.name + " (" + t.language + ")");
    }
    definition_bytes += t.definition.size();
    if (!keys.emplace(t.name, t.language).second) {
      return core::MakeError(
          core::ErrorCode::kInvalidArgument,
          "template catalog: template " + t.name + " (" + t.language + ") is there twice");
    }
  }
  if (definition_bytes > kMaxCatalogDefinitionBytes) {
    return core::MakeError(
        core::ErrorCode::kInvalidArgument,
        "template catalog: the definitions are larger than " +
            std::to_string(kMaxCatalogDefinitionBytes) + " bytes in all",
        "account " + catalog.account + ": " + std::to_string(definition_bytes) + " bytes");
  }
  return {};
}

// What SetTemplateStatus refuses (template_catalogs.hpp), before anything is written.
Result<void> CheckStatusChange(const TemplateStatusChange& change) {
  SG_RETURN_IF_ERROR(CheckField("account", change.account));
  SG_RETURN_IF_ERROR(CheckField("status", change.status));
  SG_RETURN_IF_ERROR(CheckField("template id", change.template_id, true));
  SG_RETURN_IF_ERROR(CheckField("template name", change.name, true));
  SG_RETURN_IF_ERROR(CheckField("template language", change.language, true));
  SG_RETURN_IF_ERROR(CheckField("status reason", change.reason, true));
  if (change.template_id.empty() && (change.name.empty() || change.language.empty())) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "template catalog: a status change needs the template's id, or its "
                           "name and language");
  }
  return {};
}

}  // namespace

void CommittedWrites::InsertAsync(NewMessage message, std::function<void(Result<Inserted>)> done) {
  committer().WriteAsync(std::move(message), [done = std::move(done)](Result<Written> written) {
    if (!written) return done(tl::unexpected(std::move(written.error())));
    done(Inserted{std::move(written->chat_id)});
  });
}

void CommittedWrites::ClaimDueAsync(std::int64_t now_ms, std::string owner, std::int64_t lease_ms,
                                    int limit, std::vector<std::string> skip_numbers,
                                    std::function<void(Result<Claim>)> done) {
  committer().WriteAsync(
      ClaimRequest{now_ms, std::move(owner), lease_ms, limit, std::move(skip_numbers)},
      [done = std::move(done)](Result<Written> written) {
        if (!written) return done(tl::unexpected(std::move(written.error())));
        done(written->claim ? std::move(*written->claim) : Claim{});
      });
}

Result<void> CommittedWrites::ExtendLeases(const std::vector<std::string>& ids,
                                           std::string_view owner, std::int64_t lease_until_ms) {
  if (ids.empty()) return {};
  return Stored(committer().WriteAndWait(LeaseExtension{ids, std::string(owner), lease_until_ms}));
}

void CommittedWrites::RecordAttemptAsync(AttemptEnd end, std::function<void(Result<void>)> done) {
  committer().WriteAsync(std::move(end), AnswerStored(std::move(done)));
}

Result<int> CommittedWrites::ReleaseLeases(std::string_view owner, std::int64_t now_ms) {
  SG_ASSIGN_OR_RETURN(auto written,
                      committer().WriteAndWait(LeaseRelease{std::string(owner), now_ms}));
  return written.changed;
}

Result<RetryOutcome> CommittedWrites::RetryMessage(const MessageRetry& retry) {
  if (retry.domain.empty() || retry.id.empty()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "message retry: the domain and the message id are required");
  }
  SG_ASSIGN_OR_RETURN(auto written, committer().WriteAndWait(retry));
  return written.retried;
}

Result<void> CommittedWrites::SaveIdempotentAnswer(std::string_view domain, std::string_view key,
                                                   int status, std::string_view body) {
  return Stored(committer().WriteAndWait(
      IdempotentAnswer{std::string(domain), std::string(key), status, std::string(body)}));
}

Result<void> CommittedWrites::CreateSession(const Session& session) {
  return Stored(committer().WriteAndWait(session));
}

Result<bool> CommittedWrites::DeleteSession(std::string_view token_hash) {
  SG_ASSIGN_OR_RETURN(auto written,
                      committer().WriteAndWait(SessionDeletion{std::string(token_hash)}));
  return written.changed > 0;
}

void CommittedWrites::SaveTrustedAddressAsync(TrustedAddress trusted, std::int64_t forget_before_ms,
                                              std::function<void(Result<void>)> done) {
  committer().WriteAsync(TrustedAddressSave{std::move(trusted), forget_before_ms},
                         AnswerStored(std::move(done)));
}

void CommittedWrites::ReceiveWebhookAsync(WebhookEvent event,
                                          std::function<void(Result<void>)> done) {
  committer().WriteAsync(std::move(event), AnswerStored(std::move(done)));
}

void CommittedWrites::ReceiveAndApplyWebhookAsync(
    WebhookEvent event, WebhookApplication application,
    std::function<void(Result<WebhookApplied>)> done) {
  committer().WriteAsync(ReceivedWebhook{std::move(event), std::move(application)},
                         [done = std::move(done)](Result<Written> written) {
                           if (!written) return done(tl::unexpected(std::move(written.error())));
                           done(written->webhook);
                         });
}

void CommittedWrites::ApplyWebhookAsync(WebhookApplication application,
                                        std::function<void(Result<WebhookApplied>)> done) {
  committer().WriteAsync(std::move(application), [done = std::move(done)](Result<Written> written) {
    if (!written) return done(tl::unexpected(std::move(written.error())));
    done(written->webhook);
  });
}

void CommittedWrites::ClaimCallbacksAsync(
    CallbackClaim claim, std::function<void(Result<std::vector<CallbackDelivery>>)> done) {
  committer().WriteAsync(std::move(claim), [done = std::move(done)](Result<Written> written) {
    if (!written) return done(tl::unexpected(std::move(written.error())));
    done(std::move(written->callbacks));
  });
}

void CommittedWrites::RecordCallbackAsync(CallbackOutcome outcome,
                                          std::function<void(Result<void>)> done) {
  committer().WriteAsync(std::move(outcome), AnswerStored(std::move(done)));
}

void CommittedWrites::RenewNumberLeasesAsync(
    NumberLeaseRenewal renewal, std::function<void(Result<std::vector<std::string>>)> done) {
  committer().WriteAsync(std::move(renewal), [done = std::move(done)](Result<Written> written) {
    if (!written) return done(tl::unexpected(std::move(written.error())));
    done(std::move(written->numbers));
  });
}

Result<void> CommittedWrites::ReleaseNumberLeases(std::string_view owner, std::int64_t now_ms,
                                                  std::int64_t handover_ms) {
  return Stored(
      committer().WriteAndWait(NumberLeaseRelease{std::string(owner), now_ms, handover_ms}));
}

Result<void> CommittedWrites::ReplaceCatalog(const StoredCatalog& catalog) {
  SG_RETURN_IF_ERROR(CheckCatalog(catalog));
  return Stored(committer().WriteAndWait(catalog));
}

Result<int> CommittedWrites::SetTemplateStatus(const TemplateStatusChange& change) {
  SG_RETURN_IF_ERROR(CheckStatusChange(change));
  SG_ASSIGN_OR_RETURN(auto written, committer().WriteAndWait(change));
  return written.changed;
}

Result<ChatEndOutcome> CommittedWrites::EndChat(const ChatEnd& end) {
  // The API checks them first, with its own sentences; this keeps any caller within bounds.
  if (end.chat_id.empty() || end.chat_id.size() > kMaxChatIdBytes ||
      end.reason.size() > kMaxChatEndReasonBytes) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "chat end: the chat id must be 1 to " + std::to_string(kMaxChatIdBytes) +
                               " bytes and the reason at most " +
                               std::to_string(kMaxChatEndReasonBytes));
  }
  SG_ASSIGN_OR_RETURN(auto written, committer().WriteAndWait(end));
  return static_cast<ChatEndOutcome>(written.changed);
}

void CommittedWrites::ClaimMediaFetchesAsync(
    MediaFetchClaim claim, std::function<void(Result<std::vector<MediaFetch>>)> done) {
  committer().WriteAsync(claim, [done = std::move(done)](Result<Written> written) {
    if (!written) return done(tl::unexpected(std::move(written.error())));
    done(std::move(written->media_fetches));
  });
}

void CommittedWrites::RecordMediaFetchAsync(MediaFetchOutcome outcome,
                                            std::function<void(Result<void>)> done) {
  committer().WriteAsync(std::move(outcome), AnswerStored(std::move(done)));
}

Result<CustomerErased> CommittedWrites::EraseCustomer(const CustomerErasure& erasure) {
  if (erasure.domain.empty() || erasure.customer_phone.empty()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "customer erasure: the domain and the customer's number are required");
  }
  SG_ASSIGN_OR_RETURN(auto written, committer().WriteAndWait(erasure));
  return written.erased;
}

Result<int> CommittedWrites::EraseContent(const ContentErasure& erasure) {
  if (erasure.domain.empty() || erasure.limit < 1 || erasure.limit > 10'000) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "content erasure: the domain is required and the limit 1 to 10000");
  }
  SG_ASSIGN_OR_RETURN(auto written, committer().WriteAndWait(erasure));
  return written.changed;
}

Result<MessagesDeleted> CommittedWrites::DeleteOldMessages(const MessageDeletion& deletion) {
  if (deletion.domain.empty() || deletion.limit < 1 || deletion.limit > 10'000) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "message deletion: the domain is required and the limit 1 to 10000");
  }
  SG_ASSIGN_OR_RETURN(auto written, committer().WriteAndWait(deletion));
  return written.deleted;
}

}  // namespace socialgate::store
