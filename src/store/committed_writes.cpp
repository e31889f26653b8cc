#include "store/committed_writes.hpp"

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

}  // namespace

void CommittedWrites::InsertAsync(NewMessage message, std::function<void(Result<void>)> done) {
  committer().WriteAsync(std::move(message), AnswerStored(std::move(done)));
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

}  // namespace socialgate::store
